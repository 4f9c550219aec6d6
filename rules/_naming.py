"""The base class of HF501 and HF503: rules judged on the file's name, whether its code parses or not."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from hflint.rule import Report, Rule, RuleContext
from hflint.syntax import SyntaxProblem

# The code of an example whose file name is all that matters.
ANY_CODE = "x = 1\n"


class FileNameRule(Rule):
    """Base class: subclasses give `file_reports`, run once per file, whether it parses or not
    (`module` is the parsed file, None when it does not parse)."""

    def visit_Module(self, node: cst.Module) -> None:
        self.reports.extend(self.file_reports(self.context, node))

    @classmethod
    def on_syntax_error(
        cls, context: RuleContext, source: str, problem: SyntaxProblem
    ) -> Iterator[Report]:
        return cls.file_reports(context, None)

    @classmethod
    def file_reports(cls, context: RuleContext, module: cst.Module | None) -> Iterator[Report]:
        raise NotImplementedError
