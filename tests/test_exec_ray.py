"""`hflint exec --backend ray` on a real local Ray instance: the same records as the local backend.

One run (Ray's start-up and each actor's torch imports cost 15 to 30 s here) over a passing, a
hanging, a crashing, an exiting and a failing file from the local backend's cases, a unittest and
a pytest file, plus the sample suite's bert file on a tiny synthesised model.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from exec_cases import CASES, TEMPLATE
from exec_style_cases import PYTEST_ALL_SKIPPED_FILE, UNITTEST_FILE

from hflint.cli import cli

# Every test is an exec test; those that start Ray are also `ray` and `slow` (Ray's start-up alone
# takes seconds) and skip where ray is not installed. The others check what happens without Ray.
pytestmark = pytest.mark.exec

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "sample_suite"

RAY_CASES = (
    "test_hf_gpt-j.py",
    "test_hf_gpt2.py",
    "test_hf_t5.py",
    "test_hf_vit.py",
    "test_hf_opt.py",
)


@pytest.fixture(scope="module")
def ray_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    pytest.importorskip("ray")
    suite = tmp_path_factory.mktemp("ray")
    for name in RAY_CASES:
        stem, prelude, body = CASES[name]
        (suite / name).write_text(TEMPLATE.format(stem=stem, prelude=prelude, body=body))
    shutil.copy(SAMPLE / "test_hf_bert.py", suite / "test_hf_bert.py")
    (suite / "test_hf_roberta.py").write_text(UNITTEST_FILE)
    (suite / "test_hf_electra.py").write_text(PYTEST_ALL_SKIPPED_FILE)
    # Every file gets a tiny synthesised model; the hand-written cases ignore theirs.
    (suite / "pyproject.toml").write_text("[tool.hflint]\n")
    output = suite / "records.json"
    previous = Path.cwd()
    os.chdir(suite)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("HF_HUB_OFFLINE", "1")
            patch.setenv("HFLINT_TINY_CACHE", str(tmp_path_factory.getbasetemp() / "tiny"))
            patch.delenv("RAY_ADDRESS", raising=False)
            result = CliRunner().invoke(
                cli,
                [
                    *(
                        "exec",
                        "--backend",
                        "ray",
                        "--device",
                        "cpu",
                        "--timeout",
                        "60",
                        "--no-lint-gate",
                    ),
                    *("--format", "json", "-o", str(output), "."),
                ],
                catch_exceptions=False,
            )
    finally:
        os.chdir(previous)
    document: dict[str, Any] = json.loads(output.read_text())
    document["exit_code"] = result.exit_code
    document["stderr"] = result.stderr
    document["by_file"] = {record["file"]: record for record in document["records"]}
    document["suite"] = suite
    return document


@pytest.mark.ray
@pytest.mark.slow
def test_ray_runs_every_file_and_exits_1(ray_run: dict[str, Any]) -> None:
    assert ray_run["exit_code"] == 1, ray_run["stderr"]
    assert ray_run["backend"] == "ray" and ray_run["device"] == "cpu"
    statuses = {name: record["status"] for name, record in ray_run["by_file"].items()}
    assert statuses == {
        "test_hf_bert.py": "passed",
        "test_hf_gpt-j.py": "passed",
        "test_hf_gpt2.py": "timeout",
        "test_hf_t5.py": "crashed",
        "test_hf_vit.py": "error",
        "test_hf_opt.py": "failed",
        "test_hf_roberta.py": "failed",
        "test_hf_electra.py": "skipped",
    }
    assert all(record["node"] for record in ray_run["records"])


@pytest.mark.ray
@pytest.mark.slow
def test_unittest_and_pytest_outcomes_travel_through_ray(ray_run: dict[str, Any]) -> None:
    roberta = ray_run["by_file"]["test_hf_roberta.py"]
    assert roberta["style"] == "unittest" and len(roberta["tests"]) == 4
    assert roberta["tests"]["TestRoberta.test_passes"]["status"] == "passed"
    electra = ray_run["by_file"]["test_hf_electra.py"]
    assert electra["style"] == "pytest"
    assert electra["reason"].startswith("every test skipped (test_generate: needs 40 GiB")


@pytest.mark.ray
@pytest.mark.slow
def test_a_tiny_model_runs_on_ray(ray_run: dict[str, Any]) -> None:
    bert = ray_run["by_file"]["test_hf_bert.py"]
    assert (bert["model_type"], bert["task"], bert["model_source"]) == (
        "bert",
        "fill-mask",
        "synth",
    )
    assert bert["tests"] and all(test["status"] == "passed" for test in bert["tests"].values())
    assert bert["build_seconds"] is not None and bert["peak_memory_mb"] > 0


@pytest.mark.ray
@pytest.mark.slow
def test_containment_is_the_local_backend_s(ray_run: dict[str, Any]) -> None:
    hang = ray_run["by_file"]["test_hf_gpt2.py"]
    assert hang["signal"].startswith("SIGKILL")
    # Stacks name the user's file, not the actor's copy of it.
    assert str(ray_run["suite"] / "test_hf_gpt2.py") in hang["output"]
    assert "hflint-ray-" not in hang["output"]
    assert ray_run["by_file"]["test_hf_t5.py"]["reason"] == "killed by SIGABRT (signal 6)"
    exited = ray_run["by_file"]["test_hf_vit.py"]
    assert exited["exit_code"] == 3 and "before reporting" in exited["reason"]


@pytest.mark.ray
@pytest.mark.slow
def test_a_gpu_device_needs_gpus_in_the_cluster(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("ray")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    stem, prelude, body = CASES["test_hf_gpt-j.py"]
    (tmp_path / "test_hf_gpt-j.py").write_text(
        TEMPLATE.format(stem=stem, prelude=prelude, body=body)
    )
    result = CliRunner().invoke(cli, ["exec", "--backend", "ray", "--device", "cuda", "."])
    assert result.exit_code == 2
    assert "the Ray cluster has no GPU" in result.stderr and "CPU" in result.stderr


def write_one(directory: Path) -> None:
    stem, prelude, body = CASES["test_hf_gpt-j.py"]
    (directory / "test_hf_gpt-j.py").write_text(
        TEMPLATE.format(stem=stem, prelude=prelude, body=body)
    )


def test_without_ray_installed_the_message_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_one(tmp_path)
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError
    monkeypatch.delitem(sys.modules, "hflint.exec.ray_backend", raising=False)
    result = CliRunner().invoke(cli, ["exec", "--backend", "ray", "."])
    assert result.exit_code == 2
    assert "--backend ray needs Ray (pip install 'hflint[ray]')" in result.stderr


def test_an_address_needs_the_ray_backend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_one(tmp_path)
    result = CliRunner().invoke(cli, ["exec", "--address", "ray://head:10001", "."])
    assert result.exit_code == 2 and "--address needs --backend ray" in result.stderr


@pytest.mark.ray
@pytest.mark.slow
def test_an_unreachable_cluster_is_a_usage_error_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("ray")
    monkeypatch.chdir(tmp_path)
    write_one(tmp_path)
    result = CliRunner().invoke(cli, ["exec", "--backend", "ray", "--address", "127.0.0.1:1", "."])
    assert result.exit_code == 2
    assert "cannot reach the Ray cluster at 127.0.0.1:1" in result.stderr
