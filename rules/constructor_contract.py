from __future__ import annotations

import libcst as cst

from hflint.analysis.testclass import CONTRACT_PARAMETERS, find_test_class, resolved_method
from hflint.diagnostics import Applicability
from hflint.rule import CodemodFix, Invalid, Rule, Valid


class ConstructorContract(Rule):
    """The test class cannot be built as `Test<Model>Models(model_id=..., device=...)`.

    ## What it does
    Reports a test class whose `__init__` (its own, or one inherited from a base class in the same
    file) lacks a `model_id` or `device` parameter, has them without defaults, or requires other
    arguments; and a class with no `__init__` at all (which accepts no arguments). A `**kwargs`
    parameter accepts both. Classes with a base class imported from elsewhere are left alone.

    ## Why it matters
    Runners (and `hflint exec`) build every test class with a model id (a tiny local model) and a
    device. A class that cannot take them fails before any test runs, or silently ignores the model
    it was given and downloads its hard-coded default.

    ## Example
    ```python
    class TestBertModels:
        def __init__(self, model_id):
            self.model_id = model_id
    ```
    Use instead:
    ```python
    class TestBertModels:
        def __init__(self, model_id=None, device=None):
            self.model_id = model_id
            self.device = device
    ```

    ## Fix safety
    Safe when only `model_id`/`device` change: they get `None` defaults, missing ones are added, and
    the constructor uses them (`self.model_id = X` becomes `self.model_id = model_id or X`). A class
    without `__init__` gets the skeleton's. Unsafe when other required parameters must get `None`
    defaults, because the class may not expect `None`.
    """

    code = "HF106"
    name = "constructor-contract"
    MESSAGE = "`{cls}` cannot be built as `{cls}(model_id=..., device=...)`: {reason}"
    FIX_APPLICABILITY = Applicability.UNSAFE
    GATE = True

    VALID = (
        Valid(
            "class TestBertModels:\n    def __init__(self, model_id=None, device=None):\n        pass\n"
        ),
        Valid("class TestBertModels:\n    def __init__(self, **kwargs):\n        pass\n"),
        Valid("import unittest\n\n\nclass TestBertModels(unittest.TestCase):\n    pass\n"),
    )
    INVALID = (
        Invalid(
            "class TestBertModels:\n    def __init__(self, model_id):\n        self.model_id = model_id\n",
            fixed=(
                "class TestBertModels:\n    def __init__(self, model_id=None, device=None):\n"
                "        self.device = device\n        self.model_id = model_id\n"
            ),
        ),
        Invalid(
            "class TestBertModels:\n    def __init__(self, config, device=None):\n"
            "        self.device = device or 'cpu'\n        self.model_id = 'bert-base-uncased'\n",
        ),
        Invalid("class TestBertModels:\n    def run_tests(self):\n        return self.model_id\n"),
    )

    def visit_Module(self, node: cst.Module) -> None:
        test_class = find_test_class(node, self.context.expected_class)
        if test_class is None:
            return
        init = resolved_method(node, test_class, "__init__")
        if init is True:
            return  # a base class from elsewhere may define a suitable constructor
        if init is False:
            self._report(test_class, "it has no `__init__`", unsafe=False)
            return
        assert isinstance(init, cst.FunctionDef)
        if init.params.star_kwarg is not None:
            return
        # The first positional parameter is the instance, whatever it is called.
        params = {p.name.value: p for p in (*init.params.params[1:], *init.params.kwonly_params)}
        problems = [f"no `{n}` parameter" for n in CONTRACT_PARAMETERS if n not in params]
        problems += [
            f"`{n}` has no default"
            for n in CONTRACT_PARAMETERS
            if n in params and params[n].default is None
        ]
        required = [
            name
            for name, p in params.items()
            if name not in CONTRACT_PARAMETERS and p.default is None
        ]
        problems += [f"`{n}` is required" for n in required]
        if problems:
            self._report(test_class, ", ".join(problems), unsafe=bool(required), anchor=init.name)

    def _report(
        self,
        test_class: cst.ClassDef,
        reason: str,
        *,
        unsafe: bool,
        anchor: cst.CSTNode | None = None,
    ) -> None:
        self.report(
            anchor or test_class.name,
            self.MESSAGE.format(cls=test_class.name.value, reason=reason),
            fix=CodemodFix(
                title="Give `__init__` `model_id=None, device=None` and use them",
                applicability=Applicability.UNSAFE if unsafe else Applicability.SAFE,
                command="fix_constructor.FixConstructorCommand",
                arguments={"defaults_for_required": unsafe},
            ),
        )
