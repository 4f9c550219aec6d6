from __future__ import annotations

import libcst as cst
from hflint.rules._examples import PYTEST_FILE, UNITTEST_FILE

from hflint.analysis.constructors import (
    Constructor,
    build_problem,
    builds,
    constructor_of,
)
from hflint.analysis.testclass import CONTRACT_PARAMETERS, find_test_class
from hflint.diagnostics import Applicability
from hflint.rule import CodemodFix, Invalid, Rule, Valid


class ConstructorContract(Rule):
    """The test class cannot be built as `Test<Model>Models(model_id=..., device=...)`, or as the file builds it.

    ## What it does
    Reports a script-style test class whose `__init__` (its own, or the one it inherits from a base
    class in the same file) lacks a `model_id` or `device` parameter, has them without defaults, or
    requires other arguments; and a class with no `__init__` at all (which accepts no arguments).
    A `**kwargs` parameter accepts both.

    A `unittest.TestCase` class is built by unittest (`TestBertModels("test_pipeline")`), so it
    need not take `model_id` or `device`; it is reported where the file itself builds it with
    arguments its constructor does not take: `TestBertModels(model_id=args.model)` in `main()`,
    when the class keeps `unittest.TestCase.__init__(methodName)`. Classes whose constructor may
    come from a base class imported from elsewhere (other than `unittest.TestCase`) are left alone.

    ## Why it matters
    Runners (and `hflint exec`) build every test class with a model id (a tiny local model) and a
    device. A class that cannot take them fails before any test runs, or silently ignores the model
    it was given and downloads its hard-coded default. A TestCase built with `model_id=` raises
    `TypeError` as soon as the file is run as a script.

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
    the constructor uses them (`self.model_id = X` becomes `self.model_id = model_id or X`), in the
    class that defines it (an inherited `__init__` is fixed in its base class, which keeps what it
    sets up). A class without `__init__` gets the skeleton's. Unsafe when other required parameters
    must get `None` defaults, because the class may not expect `None`. For a TestCase, unsafe: the
    keywords the file passes are added to its `__init__` (with `None` defaults, stored as
    attributes), or it gets one, `__init__(self, methodName="runTest", model_id=None, ...)`, that
    hands `methodName` to `unittest.TestCase`; the file's `setUp` may still set them differently.
    A call that passes too many positional arguments, or lacks a required one, has no fix.
    """

    code = "HF106"
    name = "constructor-contract"
    MESSAGE = "`{cls}` cannot be built as `{cls}(model_id=..., device=...)`: {reason}"
    BUILD_MESSAGE = "`{call}` raises TypeError: the constructor `{cls}` has, {init}, {reason}"
    FIX_APPLICABILITY = Applicability.UNSAFE
    GATE = True

    VALID = (
        Valid(UNITTEST_FILE),
        Valid(PYTEST_FILE),
        Valid(
            "class TestBertModels:\n    def __init__(self, model_id=None, device=None):\n        pass\n"
        ),
        Valid("class TestBertModels:\n    def __init__(self, **kwargs):\n        pass\n"),
        Valid("import unittest\n\n\nclass TestBertModels(unittest.TestCase):\n    pass\n"),
        # The constructor inherited from a base class in the file takes both.
        Valid(
            "class BaseTest:\n    def __init__(self, model_id=None, device=None):\n"
            "        self.model_id = model_id\n\n\nclass TestBertModels(BaseTest):\n"
            "    def run_tests(self):\n        return {}\n"
        ),
        # unittest builds a TestCase with a test's name; the file builds it that way too.
        Valid(
            "import unittest\n\n\nclass TestBertModels(unittest.TestCase):\n"
            "    def __init__(self, methodName='runTest'):\n        super().__init__(methodName)\n\n"
            "    def test_pipeline(self):\n        pass\n\n\n"
            "def main():\n    suite = unittest.TestSuite([TestBertModels('test_pipeline')])\n"
            "    return unittest.TextTestRunner().run(suite)\n"
        ),
        # pytest builds its classes itself, without arguments.
        Valid(
            "import pytest\n\n\nclass TestInference:\n    def test_forward(self):\n        pass\n"
        ),
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
        # The inherited constructor is fixed where it is defined.
        Invalid(
            "class BaseTest:\n    def __init__(self, model_id=None):\n"
            "        self.model_id = model_id or 'bert-base-uncased'\n\n\n"
            "class TestBertModels(BaseTest):\n    def run_tests(self):\n        return {}\n",
            fixed=(
                "class BaseTest:\n    def __init__(self, model_id=None, device=None):\n"
                "        self.device = device\n"
                "        self.model_id = model_id or 'bert-base-uncased'\n\n\n"
                "class TestBertModels(BaseTest):\n    def run_tests(self):\n        return {}\n"
            ),
        ),
        Invalid(
            "import unittest\n\n\nclass TestBertModels(unittest.TestCase):\n"
            "    def test_pipeline(self):\n        pass\n\n    def run_tests(self):\n"
            "        return {'pipeline': self.test_pipeline()}\n\n\n"
            "def main(model_id):\n    return TestBertModels(model_id=model_id).run_tests()\n",
            fixed=(
                "import unittest\n\n\nclass TestBertModels(unittest.TestCase):\n"
                '    def __init__(self, methodName="runTest", model_id=None):\n'
                "        super().__init__(methodName)\n        self.model_id = model_id\n\n"
                "    def test_pipeline(self):\n        pass\n\n    def run_tests(self):\n"
                "        return {'pipeline': self.test_pipeline()}\n\n\n"
                "def main(model_id):\n    return TestBertModels(model_id=model_id).run_tests()\n"
            ),
        ),
    )

    def visit_Module(self, node: cst.Module) -> None:
        self._test_class = find_test_class(node, self.context.expected_class)
        self._builds: list[cst.Call] = []

    def visit_Call(self, node: cst.Call) -> None:
        if self._test_class is not None and builds(node, self._test_class.name.value):
            self._builds.append(node)

    def leave_Module(self, original_node: cst.Module) -> None:
        test_class = self._test_class
        if test_class is None:
            return
        constructor = constructor_of(original_node, test_class)
        if constructor is None:
            return  # a base class from elsewhere may define a suitable constructor
        if constructor.test_case:
            self._check_builds(test_class, constructor)
        else:
            self._check_contract(test_class, constructor)

    def _check_contract(self, test_class: cst.ClassDef, constructor: Constructor) -> None:
        init = constructor.init
        if init is None:
            self._report(test_class, test_class.name, "it has no `__init__`", unsafe=False)
            return
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
        if not problems:
            return
        reason = ", ".join(problems)
        if constructor.owner != test_class.name.value:
            reason += f" (in the `__init__` it inherits from `{constructor.owner}`)"
        self._report(test_class, init.name, reason, unsafe=bool(required))

    def _check_builds(self, test_class: cst.ClassDef, constructor: Constructor) -> None:
        for call in self._builds:
            problem = build_problem(constructor, call)
            if problem is None:
                continue
            fix = None
            if problem.unexpected:
                names = ", ".join(f"`{n}=None`" for n in problem.unexpected)
                fix = CodemodFix(
                    title=f"Let the constructor take {names} and keep them on the instance",
                    applicability=Applicability.UNSAFE,
                    command="fix_constructor.FixConstructorCommand",
                )
            self.report(
                call,
                self.BUILD_MESSAGE.format(
                    call=_shown(call),
                    cls=test_class.name.value,
                    init=constructor.describe(),
                    reason=problem.reason,
                ),
                fix=fix,
            )

    def _report(
        self, test_class: cst.ClassDef, anchor: cst.CSTNode, reason: str, *, unsafe: bool
    ) -> None:
        self.report(
            anchor,
            self.MESSAGE.format(cls=test_class.name.value, reason=reason),
            fix=CodemodFix(
                title="Give `__init__` `model_id=None, device=None` and use them",
                applicability=Applicability.UNSAFE if unsafe else Applicability.SAFE,
                command="fix_constructor.FixConstructorCommand",
                arguments={"defaults_for_required": unsafe},
            ),
        )


def _shown(call: cst.Call) -> str:
    """`TestBertModels(..., model_id=...)`: the call's shape, not its values."""
    assert isinstance(call.func, cst.Name)
    args = ", ".join("..." if a.keyword is None else f"{a.keyword.value}=..." for a in call.args)
    return f"{call.func.value}({args})"
