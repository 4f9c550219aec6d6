"""`hflint exec` and `hflint hardware` for real: real torch and transformers, offline.

Each `hflint exec` run pays the warm worker's imports once (5 to 10 s here), so the containment
cases share one run. The hand-written test files need no model (`--model-source hub` gives their
class `model_id=None`); one end-to-end run uses a sample-suite file on a tiny synthesised model.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from exec_cases import write_cases
from exec_style_cases import write_style_cases

from hflint.cli import cli
from hflint.rule import gate_codes

# Real runs through the warm worker: seconds each.
pytestmark = [pytest.mark.exec, pytest.mark.slow]

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "fixtures" / "sample_suite"


def invoke(args: list[str]) -> Result:
    return CliRunner().invoke(cli, args, catch_exceptions=False)


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HFLINT_TINY_CACHE", str(tmp_path_factory.getbasetemp() / "tiny"))


@pytest.fixture(scope="module")
def hardware() -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "hflint", "hardware", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def test_hardware_json(hardware: dict[str, Any]) -> None:
    from importlib.metadata import version

    # torch reports its build too (`2.14.1+cu130`); its package metadata has the release only.
    assert hardware["torch"].split("+")[0] == version("torch").split("+")[0]
    assert hardware["transformers"] == version("transformers")
    assert hardware["cpu"]["cores"] == os.cpu_count()
    assert hardware["cpu"]["memory_bytes"] > 0
    if not hardware["accelerators"]:
        assert hardware["best_device"] == "cpu"
        assert hardware["device"]["memory_cap"] > 0  # a CPU run is capped by default


def test_exec_on_a_missing_gpu_is_a_usage_error(
    hardware: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if any(a["kind"] in ("cuda", "rocm") for a in hardware["accelerators"]):
        pytest.skip("this machine has a GPU")
    monkeypatch.chdir(tmp_path)
    write_cases(tmp_path)
    result = invoke(["exec", "--device", "cuda", "test_hf_bert.py"])
    assert result.exit_code == 2
    assert "CUDA is not available" in result.stderr and "devices here: cpu" in result.stderr
    assert result.stdout == ""


@pytest.fixture(scope="module")
def contained(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One run over every misbehaving file, two at a time, parsed from `--format json`."""
    suite = tmp_path_factory.mktemp("contained")
    write_cases(suite)
    heavy_before = {m for m in sys.modules if m.split(".")[0] in ("torch", "transformers")}
    output = suite / "records.json"
    previous = Path.cwd()
    os.chdir(suite)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("HF_HUB_OFFLINE", "1")
            result = invoke(
                [
                    *("exec", "--no-lint-gate", "--model-source", "hub", "--jobs", "2"),
                    *("--timeout", "5", "--memory-cap", "256MiB", "--format", "json"),
                    *("-o", str(output), "."),
                ]
            )
    finally:
        os.chdir(previous)
    heavy_after = {m for m in sys.modules if m.split(".")[0] in ("torch", "transformers")}
    document: dict[str, Any] = json.loads(output.read_text())
    document["exit_code"] = result.exit_code
    document["parent_imported"] = sorted(heavy_after - heavy_before)
    document["by_file"] = {record["file"]: record for record in document["records"]}
    document["size"] = output.stat().st_size
    return document


def test_the_run_goes_on_and_exits_1(contained: dict[str, Any]) -> None:
    assert contained["exit_code"] == 1
    assert contained["summary"] == {
        "passed": 4,
        "failed": 1,
        "error": 4,
        "crashed": 1,
        "timeout": 1,
        "skipped": 0,
    }
    # The parent leaves torch and transformers to the worker.
    assert contained["parent_imported"] == []


def test_passing_files_pass(contained: dict[str, Any]) -> None:
    bert = contained["by_file"]["test_hf_bert.py"]
    assert bert["status"] == "passed"
    assert (bert["model_type"], bert["device"], bert["model_source"]) == ("bert", "cpu", "hub")
    assert bert["load_seconds"] == 0.25 and bert["inference_seconds"] == 0.5
    assert bert["peak_memory_mb"] > 0 and bert["output"] == "fine\n"
    assert set(bert["versions"]) == {"torch", "transformers", "python"}
    gptj = contained["by_file"]["test_hf_gpt-j.py"]
    assert (gptj["status"], gptj["model_type"]) == ("passed", "gptj")


def test_a_hanging_file_times_out_with_its_stack(contained: dict[str, Any]) -> None:
    hang = contained["by_file"]["test_hf_gpt2.py"]
    assert hang["status"] == "timeout" and hang["signal"].startswith("SIGKILL")
    assert 5 <= hang["seconds"] < 30  # generous: a loaded CI machine is slow to kill and reap
    assert "test_hf_gpt2.py" in hang["output"]  # faulthandler's dump: where it hung


def test_a_crash_is_crashed(contained: dict[str, Any]) -> None:
    abort = contained["by_file"]["test_hf_t5.py"]
    assert abort["status"] == "crashed" and abort["reason"] == "killed by SIGABRT (signal 6)"
    assert "Fatal Python error: Aborted" in abort["output"]


def test_exits_and_exceptions_are_errors(contained: dict[str, Any]) -> None:
    exited = contained["by_file"]["test_hf_vit.py"]
    assert (exited["status"], exited["exit_code"]) == ("error", 3)
    assert "exited with status 3 before reporting" in exited["reason"]
    stopped = contained["by_file"]["test_hf_llama.py"]
    assert (stopped["status"], stopped["reason"]) == ("error", "sys.exit(4) during import")
    raised = contained["by_file"]["test_hf_roberta.py"]
    assert (raised["status"], raised["reason"]) == (
        "error",
        "ValueError during run_tests(): boom",
    )
    assert "raise ValueError('boom')" in raised["error"]


def test_a_memory_hog_hits_the_cap(contained: dict[str, Any]) -> None:
    hog = contained["by_file"]["test_hf_electra.py"]
    assert hog["status"] == "error" and hog["reason"].startswith("out of memory during run_tests()")


def test_a_failed_entry_fails(contained: dict[str, Any]) -> None:
    failed = contained["by_file"]["test_hf_opt.py"]
    assert failed["status"] == "failed"
    assert failed["tests"] == {
        "pipeline": {"status": "failed", "message": "wrong output", "seconds": None}
    }


def test_ten_megabytes_of_output_are_truncated(contained: dict[str, Any]) -> None:
    loud = contained["by_file"]["test_hf_albert.py"]
    assert loud["status"] == "passed"
    assert loud["output_bytes"] == 10 * 1024 * 1024 and loud["output_truncated"]
    assert len(loud["output"]) < 70_000
    assert contained["size"] < 500_000  # the whole report, eleven files


def test_grandchildren_are_killed(contained: dict[str, Any]) -> None:
    spawner = contained["by_file"]["test_hf_distilbert.py"]
    assert spawner["status"] == "passed" and spawner["seconds"] < 20  # not the sleep 60
    left = subprocess.run(["pgrep", "-f", "^sleep 60$"], capture_output=True, text=True)
    assert left.stdout == "", "the file's grandchild outlived the run"


def test_end_to_end_on_a_tiny_model_with_the_lint_gate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sample suite's clean bert file on a synthesised bert (fill-mask); lint-dirty files
    are skipped with the reason; the JUnit report parses. Needs `hflint.exec.tiny`."""
    for name in ("test_hf_bert.py", "test_hf_mobilebert.py", "test_hf_swin.py"):
        shutil.copy(SAMPLE / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    result = invoke(["exec", "--format", "junit", "-o", "exec.xml", "--timeout", "120", "."])
    suite = ET.parse(tmp_path / "exec.xml").getroot().find("testsuite")
    assert suite is not None
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert set(cases) == {"test_hf_bert.py", "test_hf_mobilebert.py", "test_hf_swin.py"}
    bert = cases["test_hf_bert.py"]
    problems = [child.get("message") for child in bert if child.tag != "system-out"]
    assert problems == [], bert.findtext("system-out")
    assert result.exit_code == 0
    skipped = cases["test_hf_mobilebert.py"].find("skipped")
    assert skipped is not None
    assert skipped.get("message", "").startswith("not lint-clean: HF101 missing-test-class")
    assert suite.get("skipped") == "2" and suite.get("failures") == "0"


def test_names_decide_what_runs_and_skips_say_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A suffixed copy of the clean bert file runs as bert; a removed type's file and a kind of
    model's file (with no checkpoint to go by) are skipped, each with its reason."""
    bert = (SAMPLE / "test_hf_bert.py").read_text()
    (tmp_path / "test_hf_bert_standardized.py").write_text(bert)
    (tmp_path / "test_hf_transfo_xl.py").write_text(
        bert.replace("TestBertModels", "TestTransfoXlModels")
    )
    (tmp_path / "test_hf_vision.py").write_text("x = 1\n")
    monkeypatch.chdir(tmp_path)
    invoke(
        ["exec", "--no-lint-gate", "--format", "json", "-o", "exec.json", "--timeout", "120", "."]
    )
    records = {r["file"]: r for r in json.loads((tmp_path / "exec.json").read_text())["records"]}
    ran = records["test_hf_bert_standardized.py"]
    assert (ran["status"], ran["model_type"]) == ("passed", "bert"), ran
    assert ran["model_type_from"] == "the file name, less its variant suffix `_standardized`"
    removed = records["test_hf_transfo_xl.py"]
    assert removed["status"] == "skipped"
    assert removed["reason"].startswith("transfo-xl was removed in transformers 5.0")
    generic = records["test_hf_vision.py"]
    assert generic["status"] == "skipped"
    assert generic["reason"].startswith("no tiny model: `vision` names a kind of model")


def test_a_sample_is_drawn_from_the_files_that_can_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--sample` on the sample suite: the files drawn are all lint-clean; the lint-dirty ones
    are a count in the selection, not records."""
    shutil.copytree(SAMPLE, tmp_path / "suite")
    monkeypatch.chdir(tmp_path)
    gate = ["--select", ",".join(gate_codes()), "--no-cache", "-q", "--format", "concise"]
    dirty = {line.split(":")[0] for line in invoke([*gate, "suite"]).stdout.splitlines()}
    result = invoke(["exec", "--sample", "2", "--format", "json", "-o", "exec.json", "suite"])
    document = json.loads((tmp_path / "exec.json").read_text())
    files = [record["file"] for record in document["records"]]
    assert len(files) == 2 and not set(files) & dirty, document["records"]
    assert document["selection"]["left_out_by_lint_gate"] == len(dirty) > 10
    assert result.exit_code in (0, 1)


def test_generated_files_pass_and_report_their_timings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's path: `hflint generate`, then `hflint exec` on tiny models. Generated files
    report load and inference time per test, as the suites' own files do."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.hflint]\n")
    assert invoke(["generate", "bert", "vit", "-o", "generated"]).exit_code == 0
    result = invoke(["exec", "--device", "cpu", "--format", "json", "-o", "exec.json", "generated"])
    assert result.exit_code == 0, result.stderr
    records = json.loads((tmp_path / "exec.json").read_text())["records"]
    assert [(r["file"], r["status"]) for r in records] == [
        ("generated/test_hf_bert.py", "passed"),
        ("generated/test_hf_vit.py", "passed"),
    ]
    for record in records:
        assert record["load_seconds"] > 0 and record["inference_seconds"] > 0
        assert set(record["tests"]) == {"test_from_pretrained", "test_pipeline"}
        assert all(test["seconds"] > 0 for test in record["tests"].values())


# --- result shapes and test styles -------------------------------------------------------------


@pytest.fixture(scope="module")
def styled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One run over a file per result shape and per unittest/pytest case (exec_style_cases), with
    a conftest and a pytest.ini above the suite and PYTEST_ADDOPTS set, none of which may apply."""
    suite = write_style_cases(tmp_path_factory.mktemp("styled"))
    output = suite / "records.json"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(suite)
        patch.setenv("HF_HUB_OFFLINE", "1")
        patch.setenv("PYTEST_ADDOPTS", "--no-such-option")
        result = invoke(
            [
                *("exec", "--no-lint-gate", "--model-source", "hub", "--jobs", "2"),
                *("--timeout", "10", "--memory-cap", "256MiB"),
                *("--format", "json", "-o", str(output), "."),
            ]
        )
    document: dict[str, Any] = json.loads(output.read_text())
    document["exit_code"] = result.exit_code
    document["by_file"] = {record["file"]: record for record in document["records"]}
    return document


def outcomes_of(record: dict[str, Any]) -> dict[str, str]:
    return {name: test["status"] for name, test in record["tests"].items()}


def test_every_style_runs_and_is_one_record(styled: dict[str, Any]) -> None:
    styles = {name: record["style"] for name, record in styled["by_file"].items()}
    assert styles == {
        **dict.fromkeys(("test_hf_bart.py", "test_hf_t5.py", "test_hf_gpt2.py"), "script"),
        **dict.fromkeys(("test_hf_vit.py", "test_hf_opt.py"), "script"),
        **dict.fromkeys(("test_hf_roberta.py", "test_hf_llama.py", "test_hf_mbart.py"), "unittest"),
        **dict.fromkeys(("test_hf_albert.py", "test_hf_electra.py", "test_hf_clip.py"), "pytest"),
        **dict.fromkeys(("test_hf_deit.py", "test_hf_swin.py", "test_hf_whisper.py"), "pytest"),
        "test_hf_bloom.py": "pytest",
    }
    assert styled["exit_code"] == 1


def test_result_shapes_are_read_in_the_child(styled: dict[str, Any]) -> None:
    files = styled["by_file"]
    bart = files["test_hf_bart.py"]
    assert (bart["status"], outcomes_of(bart)) == (
        "failed",
        {"pipeline": "passed", "from_pretrained": "failed"},
    )
    assert bart["reason"] == "1 of 2 failed (from_pretrained): size mismatch"
    assert bart["load_seconds"] == 0.5
    t5 = files["test_hf_t5.py"]
    assert (t5["status"], outcomes_of(t5)) == (
        "passed",
        {"pipeline": "passed", "from_pretrained": "passed"},
    )
    gpt2 = files["test_hf_gpt2.py"]
    assert outcomes_of(gpt2) == {"pipeline_cpu": "passed", "from_pretrained_cpu": "failed"}
    assert gpt2["tests"]["from_pretrained_cpu"]["message"] == "CUDA error"
    vit = files["test_hf_vit.py"]
    assert (vit["status"], vit["reason"]) == ("passed", "1 of 3 skipped (openvino_handler)")
    opt = files["test_hf_opt.py"]
    assert (opt["status"], opt["tests"]) == ("error", {})
    assert opt["reason"] == (
        "run_tests() returned no test results hflint can read: "
        "dict {results: dict {count: int}, metadata: dict {success: bool}}"
    )


def test_unittest_files_run_through_unittest(styled: dict[str, Any]) -> None:
    roberta = styled["by_file"]["test_hf_roberta.py"]
    assert outcomes_of(roberta) == {
        "TestRoberta.test_fails": "failed",
        "TestRoberta.test_on_gpu": "skipped",
        "TestRoberta.test_passes": "passed",
        "TestRoberta.test_raises": "failed",
    }
    assert roberta["status"] == "failed"
    assert roberta["reason"].endswith("AssertionError: 2 != 3 : two is not three")
    assert "KeyError: 'missing'" in roberta["tests"]["TestRoberta.test_raises"]["message"]
    assert roberta["tests"]["TestRoberta.test_on_gpu"]["message"] == "no GPU here"
    assert "roberta passes" in roberta["output"] and "test_passes" in roberta["output"]
    assert roberta["import_seconds"] is not None and roberta["model_id"] is None
    # The suite's fallback TestCase base, and a class that cannot take model_id=...
    llama = styled["by_file"]["test_hf_llama.py"]
    assert (llama["status"], outcomes_of(llama)) == (
        "passed",
        {"TestLlamaModels.test_model_id": "passed"},
    )


def test_pytest_files_run_through_pytest(styled: dict[str, Any]) -> None:
    albert = styled["by_file"]["test_hf_albert.py"]
    assert outcomes_of(albert) == {
        "TestModelLoading::test_loads": "passed",
        # The conftest beside the file applies; the one above the suite, its pytest.ini and
        # PYTEST_ADDOPTS do not.
        "TestModelLoading::test_conftest_beside_the_file_applies": "passed",
        "TestInference::test_output_shape": "failed",
        "TestCUDA::test_cuda_inference": "skipped",
        "test_with_a_broken_fixture": "failed",
        "test_known_bug": "skipped",
    }
    assert albert["status"] == "failed"
    assert albert["reason"] == (
        "2 of 6 failed (TestInference::test_output_shape, test_with_a_broken_fixture): "
        "AssertionError: wrong output shape"
    )
    cases = albert["tests"]
    assert cases["TestCUDA::test_cuda_inference"]["message"] == "CUDA not available"
    assert cases["test_with_a_broken_fixture"]["message"].startswith("error in setup:")
    assert cases["test_known_bug"]["message"] == "expected failure: known bug"
    assert cases["TestModelLoading::test_loads"]["seconds"] is not None
    # pytest does not capture: what a test prints reaches the record as a script's does.
    assert "albert loads" in albert["output"]
    assert albert["import_seconds"] is not None


def test_skips_in_pytest_are_not_failures(styled: dict[str, Any]) -> None:
    electra = styled["by_file"]["test_hf_electra.py"]
    assert (electra["status"], electra["reason"]) == (
        "skipped",
        "every test skipped (test_generate: needs 40 GiB; test_batch: needs 40 GiB)",
    )
    clip = styled["by_file"]["test_hf_clip.py"]
    assert (clip["status"], clip["reason"]) == ("skipped", "openvino not available")


def test_unittest_and_pytest_files_are_contained_as_scripts_are(styled: dict[str, Any]) -> None:
    exiting = styled["by_file"]["test_hf_deit.py"]
    assert (exiting["status"], exiting["reason"]) == (
        "error",
        "sys.exit(3) during collection (pytest stopped)",
    )
    hang = styled["by_file"]["test_hf_swin.py"]
    assert hang["status"] == "timeout" and hang["signal"].startswith("SIGKILL")
    # Printed before the hang, and faulthandler's stack of where it hung: not lost in a capture.
    assert "before the hang" in hang["output"] and "test_hf_swin.py" in hang["output"]
    assert "in test_hangs" in hang["output"]
    left = styled["by_file"]["test_hf_whisper.py"]
    assert (left["status"], left["exit_code"]) == ("error", 4)
    crashed = styled["by_file"]["test_hf_bloom.py"]
    assert (crashed["status"], crashed["reason"]) == ("crashed", "killed by SIGABRT (signal 6)")
    # Under the memory cap a test that allocates too much fails, and the others still run.
    hog = styled["by_file"]["test_hf_mbart.py"]
    assert outcomes_of(hog) == {"TestMemory.test_hog": "failed"}
    assert hog["reason"].endswith("MemoryError")
