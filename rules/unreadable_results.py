from __future__ import annotations

import libcst as cst

from hflint.analysis.nodes import method_receiver
from hflint.analysis.run_results import (
    TestCall,
    dropped_test_calls,
    returns_no_test,
    unreadable_result,
)
from hflint.analysis.styles import SCRIPT
from hflint.analysis.testclass import find_test_class, resolved_method
from hflint.diagnostics import Applicability
from hflint.rule import CodemodFix, Invalid, Rule, Valid

RUN_TESTS = "run_tests"


class UnreadableResults(Rule):
    """The test class's `run_tests()` returns nothing a runner can read a test result from.

    ## What it does
    Reports a script-style test class's `run_tests()` (its own, or one inherited from a base class
    in the same file) when every path returns something in which no test can be found: nothing
    (no `return`, a bare `return`, `return None`), a value that is certainly not a dict (`True`,
    a number, a string, a list or tuple, `len(...)`, a comparison), or a dict literal whose keys
    match none of the shapes `hflint exec` reads (README, "The result shapes exec reads"): no
    `results`/`tests`/`status` dict of tests, no test's dict with `success` (or `status`, or an
    `error`), no `<test>_success` key, no status string, only keys such as `metadata`, `examples`,
    `performance` and `hardware` that never hold tests. What the code does not settle (a
    variable, a call, `**spread`) is taken to hold tests, so only certain cases are reported.

    ## Why it matters
    Runners and `hflint exec` build the class, call `run_tests()` and read the tests' outcomes from
    what it returns. From `None` or `{"metadata": ...}` nothing can be read, so the file is an
    error on every run, however its tests went, and a failing model looks the same as a passing one.

    ## Example
    ```python
    def run_tests(self):
        self.test_pipeline()
        self.test_from_pretrained()
    ```
    Use instead:
    ```python
    def run_tests(self):
        results = {}
        results["pipeline"] = self.test_pipeline()
        results["from_pretrained"] = self.test_from_pretrained()
        return {"results": results, "metadata": {"model_id": self.model_id}}
    ```

    ## Fix safety
    Unsafe, and offered only where the results can be built: `run_tests()` calls test methods of
    the class (`self.test_pipeline()`) and drops what they return, and none of them certainly
    returns nothing a test's result can be read from. The fix stores each call's value under the
    test's name (`results["pipeline"] = self.test_pipeline()`, in a `results = {}` it starts the
    method with) and makes every return, and the end of the method, return
    `{"results": results, "metadata": {...}}` (the class's `model_id` and `device`, when it has
    them). What the method returned before is dropped.
    """

    code = "HF107"
    name = "unreadable-results"
    GATE = True
    MESSAGE = "`run_tests()` returns {reasons}: no test result can be read from it"
    FIX_APPLICABILITY = Applicability.UNSAFE

    VALID = (
        # Every shape `hflint exec` reads (README's table), and values the code does not settle.
        Valid(
            "class TestBertModels:\n    def run_tests(self):\n        return {'results': "
            "{'pipeline': {'success': True}}, 'metadata': {'model': 'bert'}}\n"
        ),
        Valid(
            "class TestBertModels:\n    def run_tests(self):\n        return {'pipeline': "
            "{'success': True}, 'openvino': {'success': False}, 'metadata': {'success': True}}\n"
        ),
        Valid(
            "class TestBertModels:\n    def run_tests(self):\n        return {'pipeline_success': "
            "False, 'pipeline_error_type': 'missing_dependency'}\n"
        ),
        Valid(
            "class TestBertModels:\n    def run_tests(self):\n        return {'results': "
            "{'pipeline_cpu': {'pipeline_success': True}}, 'examples': [], 'performance': {}, "
            "'hardware': {'cuda': False}}\n"
        ),
        Valid(
            "class TestBertModels:\n    def run_tests(self):\n        return {'status': "
            "{'init': 'Success', 'cpu_handler': 'Failed CPU handler'}}\n"
        ),
        Valid(
            "class TestBertModels:\n    def run_tests(self):\n        return {'tests': "
            "{'loading': {'status': 'passed'}, 'generation': {'status': 'skipped'}}}\n"
        ),
        Valid(
            "class TestBertModels:\n    def run_tests(self):\n        results = {}\n"
            "        results['pipeline'] = self.test_pipeline()\n"
            "        return {'results': results, 'metadata': {}}\n"
        ),
        Valid(
            "class TestBertModels:\n    def run_tests(self):\n        if self.skip:\n"
            "            return None\n        return self.results\n"
        ),
        Valid(
            "class TestBertModels:\n    def run_tests(self):\n"
            "        return {'pipeline': {'error': f'{self.failure}'}, 'metadata': {}}\n"
        ),
        # unittest runs a TestCase's tests itself: its `run_tests()` is not read.
        Valid(
            "import unittest\n\n\nclass TestBertModels(unittest.TestCase):\n"
            "    def test_pipeline(self):\n        pass\n\n    def run_tests(self):\n"
            "        unittest.main()\n"
        ),
    )
    INVALID = (
        Invalid(
            "class TestBertModels:\n    def __init__(self, model_id=None, device=None):\n"
            "        self.model_id, self.device = model_id, device\n\n"
            "    def test_pipeline(self):\n        return {'success': True}\n\n"
            "    def run_tests(self):\n        self.test_pipeline()\n",
            fixed=(
                "class TestBertModels:\n    def __init__(self, model_id=None, device=None):\n"
                "        self.model_id, self.device = model_id, device\n\n"
                "    def test_pipeline(self):\n        return {'success': True}\n\n"
                "    def run_tests(self):\n        results = {}\n"
                '        results["pipeline"] = self.test_pipeline()\n'
                '        return {"results": results, "metadata": {"model_id": self.model_id, '
                '"device": str(self.device)}}\n'
            ),
        ),
        Invalid(
            "class TestBertModels:\n    def run_tests(self):\n"
            "        return {'results': {'count': 3}, 'metadata': {'success': True}}\n"
        ),
        Invalid(
            "class TestBertModels:\n    def run_tests(self):\n"
            "        passed = self.check()\n        return passed == 1\n"
        ),
        # A test method that returns nothing gives nothing to collect: no fix.
        Invalid(
            "class TestBertModels:\n    def test_pipeline(self):\n        assert True\n\n"
            "    def run_tests(self):\n        self.test_pipeline()\n        return len(self.results)\n"
        ),
    )

    def visit_Module(self, node: cst.Module) -> None:
        if self.facts.style != SCRIPT:
            return
        test_class = find_test_class(node, self.context.expected_class)
        if test_class is None:
            return
        run_tests = resolved_method(node, test_class, RUN_TESTS)
        if not isinstance(run_tests, cst.FunctionDef):
            return  # none (HF104), or one a base class from elsewhere may define
        unreadable = unreadable_result(run_tests)
        if unreadable is None:
            return
        self.report(
            run_tests.name,
            self.MESSAGE.format(reasons=" or ".join(unreadable.reasons)),
            fix=self._fix(node, test_class, run_tests),
        )

    @staticmethod
    def _fix(
        module: cst.Module, test_class: cst.ClassDef, run_tests: cst.FunctionDef
    ) -> CodemodFix | None:
        receiver = method_receiver(run_tests)
        calls = list(dropped_test_calls(run_tests, receiver)) if receiver else []
        if not calls or not all(_collectable(module, test_class, c) for c in calls):
            return None
        called = ", ".join(dict.fromkeys(f"`{receiver}.{c.method}()`" for c in calls))
        return CodemodFix(
            title=(
                f"Collect what {called} return and return them as "
                '`{"results": {...}, "metadata": {...}}`'
            ),
            applicability=Applicability.UNSAFE,
            command="collect_results.CollectResultsCommand",
        )


def _collectable(module: cst.Module, test_class: cst.ClassDef, call: TestCall) -> bool:
    """The called method may return one test's result (a base class from elsewhere may define
    it); one the class certainly lacks, or that returns nothing, gives nothing to collect."""
    method = resolved_method(module, test_class, call.method)
    if isinstance(method, cst.FunctionDef):
        return not returns_no_test(method)
    return method is True
