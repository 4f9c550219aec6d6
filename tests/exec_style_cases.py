"""Hand-written test files in the result shapes and test styles real suites hold, for the runs of
test_exec_run.py and test_exec_ray.py. None of them loads a model: what is checked is how the
child runs them and reads their outcomes."""

from __future__ import annotations

from pathlib import Path

SCRIPT = """\
class Test{stem}Models:
    def __init__(self, model_id=None, device=None):
        self.model_id = model_id
        self.device = device

    def run_tests(self):
        return {returned}
"""

# file name -> (class stem, what run_tests() returns)
SHAPES: dict[str, tuple[str, str]] = {
    # Per-test dicts beside metadata, whose own `success` is no test.
    "test_hf_bart.py": (
        "Bart",
        '{"pipeline": {"success": True, "load_time": 0.5}, '
        '"from_pretrained": {"success": False, "error": "size mismatch"}, '
        '"metadata": {"success": True, "model": self.model_id}}',
    ),
    # Flat `<test>_success` keys.
    "test_hf_t5.py": (
        "T5",
        '{"pipeline_success": True, "pipeline_error_type": "none", '
        '"from_pretrained_success": True, "from_pretrained_load_time": 0.25, "model_id": "t5"}',
    ),
    # Nested under "results" beside examples, performance and hardware, per device.
    "test_hf_gpt2.py": (
        "Gpt2",
        '{"results": {"pipeline_cpu": {"pipeline_success": True, "pipeline_error_type": "none"}, '
        '"from_pretrained_cpu": {"from_pretrained_success": False, '
        '"from_pretrained_error": "CUDA error", "from_pretrained_error_type": "cuda_error"}}, '
        '"examples": [{"output": "Success"}], "performance": {"pipeline_cpu": {"avg_time": 0.1}}, '
        '"hardware": {"cuda": False}, "metadata": {"test_type": "REAL INFERENCE"}}',
    ),
    # Status strings; a success on mock objects is a skip.
    "test_hf_vit.py": (
        "Vit",
        '{"status": {"init": "Success", "cpu_handler": "Success (REAL)", '
        '"openvino_handler": "Success (MOCK)"}, "examples": [], "metadata": {}}',
    ),
    # Nothing hflint can read as a test.
    "test_hf_opt.py": ("Opt", '{"results": {"count": 3}, "metadata": {"success": True}}'),
}

UNITTEST_FILE = """\
import unittest


class TestRoberta(unittest.TestCase):
    def setUp(self):
        self.value = 2

    def test_passes(self):
        print("roberta passes")
        self.assertEqual(self.value, 2)

    def test_fails(self):
        self.assertEqual(self.value, 3, "two is not three")

    def test_raises(self):
        raise KeyError("missing")

    @unittest.skip("no GPU here")
    def test_on_gpu(self):
        pass


if __name__ == "__main__":
    unittest.main()
"""

# A suite's own base class with a fallback, and a `run_tests()` that only calls unittest: the
# class cannot be built as Test<Model>Models(model_id=...), unittest runs it.
UNITTEST_FALLBACK_FILE = """\
import unittest

try:
    from refactored_suite.model_test import ModelTest
except ImportError:
    class ModelTest(unittest.TestCase):
        def setUp(self):
            super().setUp()
            self.model_id = "llama-tiny"


class TestLlamaModels(ModelTest):
    def run_tests(self):
        unittest.main()

    def test_model_id(self):
        self.assertEqual(self.model_id, "llama-tiny")
"""

PYTEST_FILE = """\
import pytest

MODEL_ID = "albert-base-v2"


@pytest.fixture(scope="module")
def model():
    return {"id": MODEL_ID}


class TestModelLoading:
    def test_loads(self, model):
        print("albert loads")
        assert model["id"] == MODEL_ID

    def test_conftest_beside_the_file_applies(self, suite_fixture):
        assert suite_fixture == "from the suite's conftest"


class TestInference:
    def test_output_shape(self, model):
        assert len(model["id"]) == 3, "wrong output shape"


@pytest.mark.skipif(True, reason="CUDA not available")
class TestCUDA:
    def test_cuda_inference(self, model):
        pass


@pytest.fixture
def broken():
    raise RuntimeError("fixture broke")


def test_with_a_broken_fixture(broken):
    pass


@pytest.mark.xfail(reason="known bug")
def test_known_bug():
    assert False
"""

PYTEST_ALL_SKIPPED_FILE = """\
import pytest

pytestmark = pytest.mark.skip(reason="needs 40 GiB")


def test_generate():
    pass


def test_batch():
    pass
"""

PYTEST_MODULE_SKIP_FILE = """\
import pytest

pytest.skip("openvino not available", allow_module_level=True)


def test_openvino():
    pass
"""

PYTEST_EXITING_FILE = """\
import sys

sys.exit(3)


def test_never_runs():
    pass
"""

PYTEST_HANGING_FILE = """\
import time


def test_hangs():
    print("before the hang")
    while True:
        time.sleep(0.05)
"""

PYTEST_OS_EXIT_FILE = """\
import os


def test_leaves():
    os._exit(4)
"""

PYTEST_ABORTING_FILE = """\
import os


def test_crashes():
    os.abort()
"""

UNITTEST_HOG_FILE = """\
import unittest


class TestMemory(unittest.TestCase):
    def test_hog(self):
        self.hog = [bytearray(16 * 2**20) for _ in range(200)]
"""

CONFTEST = """\
import pytest


@pytest.fixture
def suite_fixture():
    return "from the suite's conftest"
"""

# Above the suite: none of it may apply to hflint's run of the files.
OUTER_CONFTEST = 'raise RuntimeError("a conftest above the suite was loaded")\n'
OUTER_INI = "[pytest]\naddopts = --no-such-option\n"

STYLED: dict[str, str] = {
    "test_hf_roberta.py": UNITTEST_FILE,
    "test_hf_llama.py": UNITTEST_FALLBACK_FILE,
    "test_hf_albert.py": PYTEST_FILE,
    "test_hf_electra.py": PYTEST_ALL_SKIPPED_FILE,
    "test_hf_clip.py": PYTEST_MODULE_SKIP_FILE,
    "test_hf_deit.py": PYTEST_EXITING_FILE,
    "test_hf_swin.py": PYTEST_HANGING_FILE,
    "test_hf_whisper.py": PYTEST_OS_EXIT_FILE,
    "test_hf_bloom.py": PYTEST_ABORTING_FILE,
    "test_hf_mbart.py": UNITTEST_HOG_FILE,
}


def write_style_cases(directory: Path) -> Path:
    """The files in `directory/suite/`, with a conftest beside them and a conftest and a pytest.ini
    that must not apply in `directory`; returns the suite's folder."""
    suite = directory / "suite"
    suite.mkdir(parents=True, exist_ok=True)
    (directory / "conftest.py").write_text(OUTER_CONFTEST)
    (directory / "pytest.ini").write_text(OUTER_INI)
    (suite / "conftest.py").write_text(CONFTEST)
    for name, (stem, returned) in SHAPES.items():
        (suite / name).write_text(SCRIPT.format(stem=stem, returned=returned))
    for name, source in STYLED.items():
        (suite / name).write_text(source)
    return suite
