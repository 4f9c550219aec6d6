from __future__ import annotations

from hflint.rules._examples import PYTEST_FILE, UNITTEST_FILE
from hflint.rules._missing_method import MissingTestClassMethod

from hflint.rule import Invalid, Valid


class MissingRunTests(MissingTestClassMethod):
    """The test class has no `run_tests()` method.

    ## What it does
    Reports a test class that neither defines `run_tests()` nor inherits it from a base class defined
    in the same file (a module-level `def run_tests()` does not count; an imported base class may
    provide it, so then nothing is reported).

    ## Why it matters
    `run_tests()` is the suite's entry point: runners and `hflint exec` call it and read its
    `{"results": {...}, "metadata": {...}}` dict. A class without it cannot be run at all.

    ## Example
    ```python
    class TestBertModels:
        def test_pipeline(self): ...
    ```
    Use instead: a class that also defines `run_tests(self)` returning the results dict.

    ## Fix safety
    Safe. The skeleton's `run_tests()` is appended: it runs every `test_*` method, records each as a
    success unless it raised or reported failure, and returns the results dict with metadata. It adds
    `import time` when the file lacks it.
    """

    code = "HF104"
    name = "missing-run-tests"
    GATE = True
    METHOD = "run_tests"

    VALID = (
        Valid("class TestBertModels:\n    def run_tests(self):\n        return {}\n"),
        Valid(UNITTEST_FILE),
        Valid(PYTEST_FILE),
    )
    INVALID = (
        Invalid(
            "class TestBertModels:\n    def test_pipeline(self):\n        pass\n\n\ndef run_tests():\n    pass\n"
        ),
    )
