from __future__ import annotations

import libcst as cst
from hflint.rules._examples import PYTEST_FILE, UNITTEST_FILE

from hflint.analysis.styles import SCRIPT
from hflint.analysis.testclass import find_test_class
from hflint.diagnostics import Applicability
from hflint.naming import expected_class_name
from hflint.rule import CodemodFix, Invalid, Rule, Valid


class TestClassNameMismatch(Rule):
    """The test class is named for another model or a template placeholder.

    ## What it does
    Reports a `Test*Models` class in `test_hf_<model>.py` whose name is not the one the file's model
    gives (see HF101 for how the name is derived), when the file has no class of the expected name:
    `TestT5Models` in `test_hf_bart.py`, `TestModelTypeModels` left by a template, names mangled by
    repeated substitution such as `TestXlmRolayoutlmaModels`. In a file whose name carries a variant
    suffix, a class named for the whole name is accepted too (`TestBertImprovedModels` in
    `test_hf_bert_improved.py`; the expected name is `TestBertModels`).

    ## Why it matters
    Runners find the class by the file's model name. A misnamed class is never run, and a copied
    file under another model's class name usually tests the other model. unittest and pytest files
    are not reported: their runners find every test class whatever its name.

    ## Example
    ```python
    # test_hf_bart.py
    class TestT5Models:
        ...
    ```
    Use instead:
    ```python
    class TestBartModels:
        ...
    ```

    ## Fix safety
    Safe. The class and every reference to its name in the file (`main()` building it, type hints,
    subclasses) are renamed together. The fix is not offered when the new name is already taken in
    the module.
    """

    code = "HF102"
    name = "test-class-name-mismatch"
    MESSAGE = "Test class `{found}` should be named `{expected}` for this file's model"
    FIX_APPLICABILITY = Applicability.SAFE
    GATE = True

    VALID = (
        Valid(UNITTEST_FILE),
        Valid(PYTEST_FILE),
        Valid("class TestBartModels:\n    pass\n", path="test_hf_bart.py"),
        Valid("class TestGptJModels:\n    pass\n", path="test_hf_gpt_j.py"),
        Valid("class TestGptJModels:\n    pass\n", path="test_hf_gpt_j_standardized.py"),
        Valid("class TestBertImprovedModels:\n    pass\n", path="test_hf_bert_improved.py"),
        Valid(
            "class TestT5Models:\n    pass\nclass TestBartModels:\n    pass\n",
            path="test_hf_bart.py",
        ),
        # unittest runs a TestCase whatever its name.
        Valid(
            "import unittest\n\n\nclass TestT5Models(unittest.TestCase):\n"
            "    def test_pipeline(self):\n        pass\n",
            path="test_hf_bart.py",
        ),
    )
    INVALID = (
        Invalid(
            "class TestT5Models:\n    pass\n\n\ndef main():\n    return TestT5Models().run_tests()\n",
            path="test_hf_bart.py",
            fixed="class TestBartModels:\n    pass\n\n\ndef main():\n    return TestBartModels().run_tests()\n",
        ),
        Invalid(
            "class TestModelTypeModels:\n    pass\n",
            path="test_hf_xlm-roberta.py",
            fixed="class TestXlmRobertaModels:\n    pass\n",
        ),
        Invalid(
            "class TestRobertaModels:\n    pass\n",
            path="test_hf_bert_standardized.py",
            fixed="class TestBertModels:\n    pass\n",
        ),
    )

    def visit_Module(self, node: cst.Module) -> None:
        expected = self.context.expected_class
        if self.facts.style != SCRIPT:
            return  # unittest's loader and pytest find test classes whatever their names
        test_class = find_test_class(node, expected)
        if expected is None or test_class is None or test_class.name.value == expected:
            return
        found = test_class.name.value
        model_name = self.context.model_name
        if model_name is not None and found == expected_class_name(model_name):
            return  # named for the whole file name, variant suffix and all: also the model's
        self.report(
            test_class.name,
            self.MESSAGE.format(found=found, expected=expected),
            fix=CodemodFix(
                title=f"Rename `{found}` to `{expected}`",
                applicability=Applicability.SAFE,
                command="rename_test_class.RenameTestClassCommand",
                arguments={"old_name": found, "new_name": expected},
            ),
        )
