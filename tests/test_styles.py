"""`hflint.analysis.styles`: how a file's tests are run (script, unittest, pytest), read from its
code; and the rules that ask for the suite's entry point leaving unittest and pytest files alone."""

from __future__ import annotations

import libcst as cst
import pytest

from hflint.analysis.styles import PYTEST, SCRIPT, UNITTEST, TestStyle, detect_style
from hflint.linter import lint_text
from hflint.rule import all_rules

SCRIPT_CLASS = """\
class TestBertModels:
    def __init__(self, model_id=None, device=None):
        self.model_id = model_id

    def test_pipeline(self):
        return {"success": True}

    def run_tests(self):
        return {"results": {"pipeline": self.test_pipeline()}}
"""

# The fallback base of a real suite: defined only when the suite's own base cannot be imported.
FALLBACK_BASE = """\
import unittest

try:
    from suite.model_test import ModelTest
except ImportError:
    class ModelTest(unittest.TestCase):
        def setUp(self):
            super().setUp()


class TestFalcon(ModelTest):
    def test_model_loading(self):
        pass
"""

UNITTEST_WITH_RUN_TESTS = """\
import unittest


class TestClapModels(unittest.TestCase):
    def run_tests(self):
        unittest.main()

    def test_cpu(self):
        pass
"""

PYTEST_MODULE = """\
import pytest
import transformers

MODEL_ID = "bert-base-uncased"


@pytest.fixture(scope="module")
def model():
    return transformers.AutoModel.from_pretrained(MODEL_ID)


class TestInference:
    def test_forward(self, model):
        assert model is not None
"""


@pytest.mark.parametrize(
    ("source", "style"),
    [
        pytest.param(SCRIPT_CLASS, SCRIPT, id="script class"),
        # A half-written suite class is still the suite's: its fixes fill it in.
        pytest.param(
            "class TestBertModels:\n    def test_pipeline(self):\n        pass\n",
            SCRIPT,
            id="suite class without run_tests",
        ),
        pytest.param(
            "class Runner:\n    pass\n\n\ndef run_tests():\n    pass\n\n\ndef test_a():\n    pass\n",
            SCRIPT,
            id="module-level run_tests",
        ),
        pytest.param(FALLBACK_BASE, UNITTEST, id="TestCase through a fallback base"),
        pytest.param(UNITTEST_WITH_RUN_TESTS, UNITTEST, id="TestCase named like the suite's"),
        pytest.param(
            "from absl.testing import absltest\n\n\nclass TestBert(absltest.TestCase):\n"
            "    def test_a(self):\n        pass\n",
            UNITTEST,
            id="another TestCase",
        ),
        pytest.param(
            "import unittest\n\n\nclass TestBert(unittest.TestCase):\n    pass\n",
            SCRIPT,
            id="TestCase without tests",
        ),
        pytest.param(PYTEST_MODULE, PYTEST, id="pytest class and fixture"),
        pytest.param("def test_forward():\n    assert True\n", PYTEST, id="pytest function"),
        pytest.param(
            "class TestInference:\n    def __init__(self):\n        pass\n\n"
            "    def test_a(self):\n        pass\n",
            SCRIPT,
            id="a class with __init__ is not collected",
        ),
        pytest.param("import os\n", SCRIPT, id="nothing at all"),
    ],
)
def test_detect_style(source: str, style: TestStyle) -> None:
    assert detect_style(cst.parse_module(source), "TestBertModels") == style


@pytest.mark.parametrize("source", [FALLBACK_BASE, UNITTEST_WITH_RUN_TESTS, PYTEST_MODULE])
def test_entry_point_rules_leave_unittest_and_pytest_files_alone(source: str) -> None:
    rules = [all_rules()[code] for code in ("HF101", "HF103", "HF104", "HF105", "HF106")]
    assert lint_text("test_hf_bert.py", source, rules).findings == []


def test_a_file_without_tests_still_needs_the_class() -> None:
    rules = [all_rules()["HF101"], all_rules()["HF105"]]
    found = lint_text("test_hf_bert.py", "import unittest\n", rules).findings
    assert sorted(f.code for f in found) == ["HF101", "HF105"]
