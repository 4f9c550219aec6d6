"""What HF103 and HF104 share: a method the test class must have, added from the skeleton."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from hflint.analysis.testclass import find_test_class, resolved_method
from hflint.diagnostics import Applicability
from hflint.rule import CodemodFix, Rule


class MissingTestClassMethod(Rule):
    """Base class: subclasses name the `METHOD` and carry their own code, docs and examples."""

    METHOD: ClassVar[str]
    MESSAGE = "Test class `{cls}` has no `{method}()` method"
    FIX_APPLICABILITY = Applicability.SAFE

    def visit_Module(self, node: cst.Module) -> None:
        test_class = find_test_class(node, self.context.expected_class)
        # False: certainly missing. True: it may come from a base class imported from elsewhere.
        if test_class is None or resolved_method(node, test_class, self.METHOD) is not False:
            return
        self.report(
            test_class.name,
            self.MESSAGE.format(cls=test_class.name.value, method=self.METHOD),
            fix=CodemodFix(
                title=f"Add `{self.METHOD}()` from the skeleton",
                applicability=Applicability.SAFE,
                command="add_test_method.AddTestMethodCommand",
                arguments={"method": self.METHOD},
            ),
        )
