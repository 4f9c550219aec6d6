"""`hflint exec`'s pieces that need no worker: options, devices, selection, records, capture.

Nothing here imports torch or transformers (the worker runs are in test_exec_run.py).
"""

from __future__ import annotations

import json
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from exec_style_cases import STYLED, write_style_cases

from hflint.catalog import load_catalog
from hflint.cli import cli
from hflint.config import ConfigError, load_settings
from hflint.exec import selection
from hflint.exec.hardware import Accelerator, Cpu, DeviceError, Hardware, resolve_device
from hflint.exec.options import (
    DEFAULT_CPU_MEMORY_CAP,
    ExecOptionError,
    device_settings,
    exec_table,
    parse_size,
)
from hflint.exec.records import Record, exit_status, render
from hflint.exec.worker import Capture
from hflint.settings import Settings

pytestmark = pytest.mark.exec

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "fixtures" / "sample_suite"
CPU = Cpu("test cpu", 8, 8, 16 * 1024**3, 8 * 1024**3)


def hardware(
    *accelerators: Accelerator, cuda: str | None = None, hip: str | None = None
) -> Hardware:
    return Hardware(
        python="3.11",
        platform="Linux-x86_64",
        torch="2.13.0",
        transformers="5.23.0",
        cuda_version=cuda,
        hip_version=hip,
        cpu=CPU,
        accelerators=accelerators,
    )


# --- options and config ------------------------------------------------------------------------


def test_exec_table_is_checked_and_kept_frozen(tmp_path: Path) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text(
        '[tool.hflint.exec]\ndevice = "cuda:1"\ntimeout = 60\nmemory-cap = "2GiB"\n'
        '[tool.hflint.exec.devices.cuda]\ndtype = "float16"\nmemory-cap = "none"\n'
    )
    table = exec_table(load_settings(config))
    assert table == {
        "device": "cuda:1",
        "timeout": 60.0,
        "memory-cap": 2 * 1024**3,
        "devices": {"cuda": {"dtype": "float16", "memory-cap": None}},
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("timout = 5", "[tool.hflint.exec] unknown key 'timout' (did you mean 'timeout'?)"),
        ("timeout = -1", "'timeout' must be a positive number of seconds"),
        ('memory-cap = "lots"', "'memory-cap' must be a size such as"),
        ('device = "tpu"', "'device' must be auto, cpu, cuda"),
        ("[tool.hflint.exec.devices.cuda]\ndtype = 'int4'", "[tool.hflint.exec.devices.cuda]"),
        ("[tool.hflint.exec.devices.gpu]\njobs = 1", "unknown device 'gpu'"),
    ],
)
def test_exec_table_errors_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "pyproject.toml"
    header = "" if text.startswith("[") else "[tool.hflint.exec]\n"
    config.write_text(f"[tool.hflint]\n{header}{text}\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(config)
    assert message in str(caught.value)


def test_sizes() -> None:
    assert parse_size("8GiB") == 8 * 1024**3
    assert parse_size("512 MB") == 512 * 1000**2
    assert parse_size("none") is None
    with pytest.raises(ExecOptionError):
        parse_size("-1GiB")


def test_device_settings_layers() -> None:
    table = {
        "timeout": 100.0,
        "devices": {"cuda": {"dtype": "float16", "timeout": 600.0}, "cuda:1": {"jobs": 3}},
    }
    cpu = device_settings(table, "cpu", "cpu", 4, {})
    assert (cpu.timeout, cpu.dtype, cpu.jobs, cpu.memory_cap) == (
        100.0,
        None,
        4,
        DEFAULT_CPU_MEMORY_CAP,
    )
    gpu = device_settings(table, "cuda:1", "cuda", 4, {"timeout": 5.0})
    # The flag beats the device table; the exact device beats its kind; GPUs get no RLIMIT_AS cap.
    assert (gpu.timeout, gpu.dtype, gpu.jobs, gpu.memory_cap) == (5.0, "float16", 3, None)


# --- devices -----------------------------------------------------------------------------------


def test_auto_prefers_a_gpu_and_falls_back_to_the_cpu() -> None:
    gpu = Accelerator("cuda", 0, "NVIDIA H100", 80 * 1024**3, "9.0")
    assert resolve_device("auto", hardware(gpu, cuda="12.4")) == ("cuda", "cuda")
    assert resolve_device("auto", hardware()) == ("cpu", "cpu")
    assert resolve_device("cuda:0", hardware(gpu, cuda="12.4")) == ("cuda:0", "cuda")


@pytest.mark.parametrize(
    ("requested", "machine", "message"),
    [
        ("cuda", hardware(), "CUDA is not available: torch 2.13.0 is a CPU-only build"),
        ("cuda", hardware(cuda="12.4"), "sees no GPU"),
        (
            "cuda:1",
            hardware(Accelerator("cuda", 0, "A100", 1, "8.0"), cuda="12.4"),
            "cuda:1 does not exist: this machine has 1 CUDA device (cuda:0)",
        ),
        ("rocm", hardware(cuda="12.4"), "is a CUDA build (use --device cuda)"),
        ("mps", hardware(), "MPS is not available"),
        ("xpu:0", hardware(), "XPU is not available"),
        ("tpu", hardware(), "unknown device 'tpu'"),
    ],
)
def test_missing_devices_are_explained(requested: str, machine: Hardware, message: str) -> None:
    with pytest.raises(DeviceError) as caught:
        resolve_device(requested, machine)
    assert message in str(caught.value)


def test_rocm_gpus_are_cuda_devices_to_torch() -> None:
    machine = hardware(Accelerator("rocm", 0, "MI300X", 1, "gfx942"), hip="6.2")
    assert resolve_device("rocm", machine) == ("cuda", "rocm")
    assert resolve_device("cuda:0", machine) == ("cuda:0", "rocm")
    assert Hardware.from_dict(machine.to_dict()) == machine


# --- selection -----------------------------------------------------------------------------------


def names(count: int) -> list[Path]:
    return [Path(f"/suite/test_hf_model{index}.py") for index in range(count)]


def test_shards_partition_the_files_by_relative_path() -> None:
    files = names(40)
    shards = [
        [f for f in files if selection.in_shard(f, Path("/suite"), (k, 4))] for k in range(1, 5)
    ]
    assert sorted(f for shard in shards for f in shard) == sorted(files)
    assert all(shard for shard in shards)
    # The same relative paths under another root land in the same shards (CI machines differ).
    moved = [Path("/elsewhere") / f.name for f in files]
    again = [
        [f for f in moved if selection.in_shard(f, Path("/elsewhere"), (k, 4))] for k in (1, 2)
    ]
    assert [[f.name for f in s] for s in again] == [[f.name for f in s] for s in shards[:2]]
    # Pinned: changing the hash would silently reshuffle every CI matrix.
    assert [f.name for f in shards[0]][:3] == [
        "test_hf_model1.py",
        "test_hf_model5.py",
        "test_hf_model12.py",
    ]


def test_sample_is_stable_whatever_the_order() -> None:
    files = names(30)
    first = selection.sample(files, 5, seed=7, root=Path("/suite"))
    assert first == selection.sample(list(reversed(files)), 5, seed=7, root=Path("/suite"))
    # Pinned, as the shards are: `--sample 5 --seed 7` must mean the same files next release.
    assert [f.name for f in first] == [
        "test_hf_model1.py",
        "test_hf_model12.py",
        "test_hf_model18.py",
        "test_hf_model2.py",
        "test_hf_model27.py",
    ]
    assert selection.sample(files, 5, seed=8, root=Path("/suite")) != first
    assert len(selection.sample(files, 100, seed=1, root=Path("/suite"))) == 30


def test_shard_flag_is_checked_before_anything_runs() -> None:
    result = CliRunner().invoke(cli, ["exec", "--shard", "5/4", "."])
    assert result.exit_code == 2
    assert "K must be between 1 and N" in result.stderr
    result = CliRunner().invoke(cli, ["exec", "--memory-cap", "lots", "."])
    assert result.exit_code == 2


def test_changed_since_lists_committed_staged_and_untracked_changes(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    git("config", "user.email", "t@example.com")
    git("config", "user.name", "t")
    for name in ("test_hf_bert.py", "test_hf_gpt2.py", "test_hf_vit.py"):
        (tmp_path / name).write_text("x = 1\n")
    git("add", ".")
    git("commit", "-qm", "one")
    (tmp_path / "test_hf_gpt2.py").write_text("x = 2\n")
    (tmp_path / "test_hf_t5.py").write_text("x = 1\n")
    files = sorted(tmp_path.glob("test_hf_*.py"))
    changed = selection.changed_since("HEAD", files)
    assert [f.name for f in changed] == ["test_hf_gpt2.py", "test_hf_t5.py"]
    with pytest.raises(selection.SelectionError, match="unknown git ref"):
        selection.changed_since("no-such-ref", files)


def test_lint_gate_gives_the_reason(tmp_path: Path) -> None:
    files = [
        SAMPLE / "test_hf_bert.py",
        SAMPLE / "test_hf_mobilebert.py",
        SAMPLE / "test_hf_swin.py",
    ]
    dirty = selection.lint_gate(files, Settings(root=tmp_path), 1, use_cache=False)
    assert set(dirty) == set(files[1:])
    assert dirty[files[1]].startswith("not lint-clean: HF101 missing-test-class")
    assert "HF001 syntax-error" in dirty[files[2]]


def test_plan_reads_type_task_class_and_checkpoint() -> None:
    catalog = load_catalog()
    bert = selection.plan(SAMPLE / "test_hf_bert.py", catalog)
    assert (bert.model_type, bert.task, bert.task_origin) == ("bert", "fill-mask", "pipeline call")
    assert (bert.class_name, bert.hub_id) == ("TestBertModels", "bert-base-uncased")
    gptj = selection.plan(SAMPLE / "test_hf_gpt-j.py", catalog)
    assert gptj.model_type == "gptj"
    assert (bert.style, gptj.style) == ("script", "script")


def test_unittest_and_pytest_files_pass_the_gate_and_are_planned_by_style(tmp_path: Path) -> None:
    """The structure rules ask no Test<Model>Models class or __main__ entry of them."""
    suite = write_style_cases(tmp_path)
    files = [suite / name for name in STYLED]
    assert selection.lint_gate(files, Settings(root=tmp_path), 1, use_cache=False) == {}
    styles = {file.name: selection.plan(file, load_catalog()).style for file in files}
    assert styles["test_hf_roberta.py"] == styles["test_hf_llama.py"] == "unittest"
    assert styles["test_hf_albert.py"] == styles["test_hf_clip.py"] == "pytest"


def test_plan_decides_the_type_from_the_name_else_the_checkpoints(tmp_path: Path) -> None:
    """A variant suffix is dropped; a kind of model or a family goes by the file's checkpoint; a
    removed type is skipped whatever the model source; no type at all, only with synthesis."""
    catalog = load_catalog()
    files = {
        "test_hf_gpt_j_standardized.py": "class TestGptJModels:\n    pass\n",
        "test_hf_audio.py": 'DEFAULT_MODEL_ID = "facebook/wav2vec2-base-960h"\n',
        "test_hf_data2vec.py": 'DATA2VEC_MODELS_REGISTRY = {"facebook/data2vec-audio-base": {}}\n',
        "test_hf_transfo-xl.py": 'DEFAULT_MODEL_ID = "transfo-xl/transfo-xl-wt103"\n',
        "test_hf_vision.py": "x = (\n",
        "test_hf_bertt.py": "x = 1\n",
    }
    plans = {}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
        plans[name] = selection.plan(tmp_path / name, catalog)
    gptj = plans["test_hf_gpt_j_standardized.py"]
    assert (gptj.model_type, gptj.class_name) == ("gptj", "TestGptJModels")
    assert gptj.model_type_from == "the file name, less its variant suffix `_standardized`"
    assert gptj.skip_reason("synth") is None
    audio = plans["test_hf_audio.py"]
    assert audio.model_type == "wav2vec2"
    assert audio.model_type_from == "its default checkpoint `facebook/wav2vec2-base-960h`"
    data2vec = plans["test_hf_data2vec.py"]
    assert data2vec.model_type == "data2vec-audio"
    assert data2vec.model_type_from == "its registry's checkpoint `facebook/data2vec-audio-base`"
    removed = plans["test_hf_transfo-xl.py"]
    assert removed.model_type is None
    for source in ("synth", "hub", "auto"):
        reason = removed.skip_reason(source)
        assert reason is not None
        assert reason.startswith("transfo-xl was removed in transformers 5.0")
    vision = plans["test_hf_vision.py"]
    assert vision.skip_reason("hub") is None
    assert vision.skip_reason("synth") == (
        "no tiny model: `vision` names a kind of model, not a model type, and the file's "
        "checkpoints name none"
    )
    unknown = plans["test_hf_bertt.py"].skip_reason("synth")
    assert unknown is not None and "`bertt` is not a model type transformers" in unknown


# --- records -------------------------------------------------------------------------------------


def test_capture_keeps_head_and_tail() -> None:
    capture = Capture(100)
    for index in range(1000):
        capture.add(f"{index:04d}\n".encode())
    text = capture.text()
    assert capture.truncated and capture.total == 5000
    assert text.startswith("0000\n") and text.endswith("0999\n")
    assert "bytes of output not kept" in text and len(text) < 200


def sample_records() -> list[Record]:
    return [
        Record("test_hf_bert.py", "passed", "bert", "fill-mask", "cpu", seconds=0.5),
        Record(
            "test_hf_gpt2.py", "timeout", "gpt2", reason="no result after 3 s", output="\x00hung"
        ),
        Record("test_hf_t5.py", "failed", "t5", reason="1 of 1 failed", error="pipeline: bad"),
        Record("test_hf_vit.py", "skipped", "vit", reason="not lint-clean: HF101"),
    ]


def test_junit_parses_and_counts() -> None:
    root = ET.fromstring(render("junit", sample_records(), {"device": "cpu"}))
    suite = root.find("testsuite")
    assert suite is not None
    assert (
        suite.get("tests"),
        suite.get("failures"),
        suite.get("errors"),
        suite.get("skipped"),
    ) == (
        "4",
        "1",
        "1",
        "1",
    )
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    timeout = cases["test_hf_gpt2.py"].find("error")
    assert timeout is not None and timeout.get("type") == "timeout"
    assert cases["test_hf_vit.py"].find("skipped") is not None


def test_text_json_lines_and_exit_status() -> None:
    records = sample_records()
    text = render("text", records, {"device": "cpu", "seconds": 1.0})
    assert "TIMEOUT test_hf_gpt2.py" in text
    assert text.rstrip().endswith(
        "4 files: 1 passed, 1 failed, 1 timeout, 1 skipped on cpu in 1.0s\n"
        "skipped: 1 not lint-clean"
    )
    lines = render("json-lines", records, {}).splitlines()
    assert [json.loads(line)["status"] for line in lines] == [
        "passed",
        "timeout",
        "failed",
        "skipped",
    ]
    assert exit_status(records) == 1
    assert exit_status([records[0], records[3]]) == 0


def test_the_text_names_each_stand_in() -> None:
    standins = {
        "bert-base-uncased": {"model_type": "bert", "task": "fill-mask", "path": "/tiny/bert"},
        "acme/x": {"reason": "no model type known for 'acme/x'"},
        "foo-base": {"model_type": "foo", "reason": "no tiny foo model (fill-mask: broken)"},
    }
    record = Record("test_hf_bert.py", "passed", "bert", "fill-mask", standins=standins)
    assert render("text", [record], {}).splitlines()[:2] == [
        "PASS    test_hf_bert.py  (bert fill-mask)",
        "        stand-ins: bert-base-uncased -> bert (fill-mask); acme/x: no stand-in (no model "
        "type known for 'acme/x'); foo-base: no stand-in (no tiny foo model (fill-mask: broken))",
    ]
    assert json.loads(render("json-lines", [record], {}))["standins"] == standins


def test_what_a_sample_left_out_is_one_line() -> None:
    meta = {"device": "cpu", "selection": {"left_out_by_lint_gate": 33}}
    text = render("text", sample_records()[:1], meta)
    assert text.rstrip().splitlines()[-2:] == [
        "1 file: 1 passed on cpu",
        "not sampled: 33 files the lint gate left out (`hflint exec` without --sample lists why)",
    ]


def test_the_text_summary_groups_skips_by_cause() -> None:
    reasons = [
        "not lint-clean: HF101 missing-test-class",
        "no tiny dinov3_vit model for image-feature-extraction: image processor: RuntimeError: "
        "DINOv3ViTImageProcessor needs torchvision, which is not installed (pipeline load: ...)",
        "no tiny edgetam model for mask-generation: model: ImportError: TimmWrapperModel "
        "requires the timm library but it was not found in your environment.",
        "no tiny sam2 model for mask-generation: pipeline run: ImportError: "
        "post_process_for_mask_generation requires the Torchvision library but it was not found",
        "no tiny smolvlm model for image-text-to-text: pipeline load: ImportError: Package "
        "`num2words` is required to run SmolVLM processor.",
        "no tiny blt model for text-generation: pipeline run: AttributeError: 'BltConfig' ...",
        "transfo-xl was removed in transformers 5.0 (the file name is `transfo_xl`)",
    ]
    records = [Record(f"test_hf_{n}.py", "skipped", reason=r) for n, r in enumerate(reasons)]
    text = render("text", records, {"device": "cpu", "seconds": 1.0})
    assert text.rstrip().splitlines()[-1] == (
        "skipped: 2 needs torchvision, 1 not lint-clean, 1 needs timm, 1 needs num2words, "
        "1 no tiny model, 1 removed model type"
    )
