from __future__ import annotations

import libcst as cst
from hflint.rules._examples import PYTEST_FILE, UNITTEST_FILE

from hflint.analysis.styles import SCRIPT
from hflint.analysis.testclass import top_level_classes
from hflint.diagnostics import Applicability
from hflint.naming import TEST_CLASS_PATTERN
from hflint.rule import CodemodFix, Invalid, Rule, Valid


class MissingTestClass(Rule):
    """The file has no `Test<Model>Models` class.

    ## What it does
    Reports a `test_hf_<model>.py` file with no class named in the suite's `Test*Models` form. The
    expected name comes from the file's model name: each part between hyphens or underscores gets a
    capital first letter, so `test_hf_xlm_roberta.py` and `test_hf_xlm-roberta.py` both expect
    `TestXlmRobertaModels`, and `test_hf_gpt-j.py` expects `TestGptJModels`. A variant suffix of
    the file name is not part of it (`test_hf_gpt_j_standardized.py` expects `TestGptJModels`; see
    `hflint.naming`). A class of another `Test*Models` name is HF102's business, not this rule's.
    Files whose tests are unittest `TestCase` classes or pytest tests are run by those runners
    (`hflint exec` too) and need no such class: they are left alone.

    ## Why it matters
    The suite's runners (and `hflint exec`) build `Test<Model>Models(model_id=..., device=...)` and call
    `run_tests()`. A file with neither that class nor tests unittest or pytest would collect is never
    run by anything, so the model looks covered but is not.

    ## Example
    ```python
    # test_hf_bert.py
    def main():
        print(pipeline("fill-mask", model="bert-base-uncased")("Paris is the [MASK] of France."))
    ```
    Use instead: a `TestBertModels` class with `__init__(model_id=None, device=None)`,
    `test_pipeline()` and `run_tests()`.

    ## Fix safety
    Safe. The fix adds the class from hflint's canonical skeleton (and the module-level helpers it
    uses that the file lacks, such as imports and `select_device()`), before `main()` or the entry
    guard; nothing existing is changed.
    """

    code = "HF101"
    name = "missing-test-class"
    MESSAGE = "No `{expected}` test class"
    FIX_APPLICABILITY = Applicability.SAFE
    GATE = True

    VALID = (
        Valid(UNITTEST_FILE),
        Valid(PYTEST_FILE),
        Valid("class TestBertModels:\n    pass\n"),
        Valid("class TestXlmRobertaModels:\n    pass\n", path="test_hf_xlm-roberta.py"),
        Valid("class TestT5Models:\n    pass\n"),  # misnamed: HF102 reports it
        Valid("def helper():\n    pass\n", path="conftest.py"),  # not a model test file
        # Run by unittest and by pytest: no script-style class needed.
        Valid(
            "import unittest\n\n\nclass TestHFBert(unittest.TestCase):\n"
            "    def test_fill_mask(self):\n        pass\n"
        ),
        Valid(
            "import pytest\n\n\ndef test_pipeline():\n    assert True\n", path="test_hf_gpt-j.py"
        ),
        Valid("class TestInference:\n    def test_forward(self):\n        pass\n"),
    )
    INVALID = (
        # A TestCase without tests runs nothing.
        Invalid("import unittest\n\n\nclass TestHFBert(unittest.TestCase):\n    pass\n"),
        Invalid("def check_pipeline():\n    pass\n", path="test_hf_gpt-j.py"),
    )

    def visit_Module(self, node: cst.Module) -> None:
        expected = self.context.expected_class
        if expected is None or self.facts.style != SCRIPT:
            return
        classes = top_level_classes(node)
        if any(TEST_CLASS_PATTERN.match(c.name.value) for c in classes):
            return
        message = self.MESSAGE.format(expected=expected)
        fix = CodemodFix(
            title=f"Add `{expected}` from the skeleton",
            applicability=Applicability.SAFE,
            command="add_test_class.AddTestClassCommand",
        )
        # On the class that stands in for it (a unittest-style one), else at the top of the file.
        if classes:
            self.report(classes[0].name, message, fix=fix)
        else:
            self.report_at(1, 1, message, fix=fix)
