from __future__ import annotations

from hflint.rules._examples import PYTEST_FILE, UNITTEST_FILE
from hflint.rules._missing_method import MissingTestClassMethod

from hflint.rule import Invalid, Valid


class MissingTestPipeline(MissingTestClassMethod):
    """The test class has no `test_pipeline()` method.

    ## What it does
    Reports a test class (`Test<Model>Models`, or the misnamed `Test*Models` class HF102 reports)
    that neither defines `test_pipeline()` nor inherits it from a base class defined in the same file.
    A module-level `def test_pipeline()` does not count: runners call the method. When the class has
    a base class imported from elsewhere, the method may live there, and nothing is reported.

    ## Why it matters
    `test_pipeline()` is the test that runs the model end to end through `transformers.pipeline`.
    Without it `run_tests()` passes without ever running the model.

    ## Example
    ```python
    class TestBertModels:
        def test_from_pretrained(self): ...
    ```
    Use instead: a class that also defines `test_pipeline(self)`.

    ## Fix safety
    Safe. The `test_pipeline()` of the skeleton for the model's task family is appended to the
    class: it runs the model's default task (from the catalog) on that task's canonical input, made
    in memory, with `self.model_id` and `self.device`; nothing existing changes. When the file
    declares another task, HF204 then says so.
    """

    code = "HF103"
    name = "missing-test-pipeline"
    GATE = True
    METHOD = "test_pipeline"

    VALID = (
        Valid(UNITTEST_FILE),
        Valid(PYTEST_FILE),
        Valid("class TestBertModels:\n    def test_pipeline(self):\n        pass\n"),
        Valid(
            "class Base:\n    def test_pipeline(self):\n        pass\n\n\nclass TestBertModels(Base):\n    pass\n"
        ),
        Valid(
            "from shared import BaseModelTest\n\n\nclass TestBertModels(BaseModelTest):\n    pass\n"
        ),
    )
    INVALID = (
        Invalid("class TestBertModels:\n    pass\n\n\ndef test_pipeline():\n    pass\n"),
        Invalid("class TestT5Models:\n    def run_tests(self):\n        return {}\n"),
    )
