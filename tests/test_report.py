"""`hflint report` and `hflint report merge` on the sample suite (lint and coverage; the exec part is
in test_report_exec.py): the three files, the schema, shards merged equal to the unsharded report,
what merge refuses, the summary's size limit, the progress bar on a terminal."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from browser import assert_page_works
from click.testing import CliRunner, Result

from hflint.cli import cli
from hflint.report import markdown
from hflint.report.document import SCHEMA, SCHEMA_VERSION

SUITE = Path(__file__).parent.parent / "fixtures" / "sample_suite"


def hflint(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def report_of(directory: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((directory / "report.json").read_text(encoding="utf-8"))
    return data


def comparable(report: dict[str, Any]) -> dict[str, Any]:
    """What two reports of the same files must agree on: all but when and from which shards."""
    return {k: v for k, v in report.items() if k not in ("created", "shards")}


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("whole")
    result = hflint("report", SUITE, "-o", out)
    assert result.exit_code == 0, result.output
    return out


def test_report_writes_the_three_files_agreeing_with_check_and_coverage(whole: Path) -> None:
    assert sorted(p.name for p in whole.iterdir()) == ["report.html", "report.json", "summary.md"]
    report = report_of(whole)
    assert (report["schema"], report["schema_version"]) == (SCHEMA, SCHEMA_VERSION)
    checked = json.loads(hflint("check", "--format", "json", "--exit-zero", SUITE).stdout)
    assert report["totals"]["diagnostics"] == len(checked) == len(report["lint"]["diagnostics"])
    assert sorted(
        (d["path"], d["line"], d["code"]) for d in report["lint"]["diagnostics"]
    ) == sorted((d["filename"], d["location"]["row"], d["code"]) for d in checked)
    assert sum(r["count"] for r in report["lint"]["by_rule"]) == len(checked)
    fingerprints = [d["fingerprint"] for d in report["lint"]["diagnostics"]]
    assert len(set(fingerprints)) == len(fingerprints)
    coverage = json.loads(hflint("coverage", "--format", "json", SUITE).stdout)
    for key in ("tested", "broken", "roadmap", "duplicates"):
        assert report["coverage"][key] == coverage[key]
    for level, data in coverage["levels"].items():
        assert report["totals"]["coverage"][level] == data["percent"]
        assert len(report["coverage"]["levels"][level]["covered_types"]) == data["covered"]
    assert report["totals"]["files"] == len(list(SUITE.glob("test_hf_*.py")))
    assert report["exec"] is None and report["totals"]["pass_rate"] is None
    broken = {f["path"] for f in report["files"] if not f["parses"]}
    assert broken == set(coverage["broken"])
    summary = (whole / "summary.md").read_text(encoding="utf-8")
    assert f"| {report['totals']['files']} | {len(checked)} |" in summary
    assert "### Diagnostics by rule" in summary and "| HF001 | syntax-error |" in summary


def test_merging_the_shards_equals_the_unsharded_report(whole: Path, tmp_path: Path) -> None:
    shards = []
    for k in (1, 2, 3):
        out = tmp_path / f"shard-{k}"
        result = hflint("report", SUITE, "--shard", f"{k}/3", "-o", out)
        assert result.exit_code == 0, result.output
        shards.append(out / "report.json")
    sizes = [report_of(s.parent)["totals"]["files"] for s in shards]
    assert all(sizes) and sum(sizes) == report_of(whole)["totals"]["files"]
    # A shard given twice (a retried CI job) is counted once, and said so.
    result = hflint("report", "merge", *shards, shards[0], "-o", tmp_path / "merged")
    assert result.exit_code == 0, result.output
    assert "counted once" in result.stderr
    merged = report_of(tmp_path / "merged")
    assert merged["shards"] == ["1/3", "2/3", "3/3"]
    assert comparable(merged) == comparable(report_of(whole))


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_merge_refuses_what_cannot_be_combined(whole: Path, tmp_path: Path) -> None:
    report = report_of(whole)
    good = whole / "report.json"
    cases = {
        "newer.json": ({**report, "tool": {"name": "hflint", "version": "9.9"}}, "hflint version"),
        "other.json": ({**report, "suite_id": "0123456789abcdef"}, "different suites"),
        "catalog.json": ({**report, "transformers": "4.0.0"}, "transformers catalog"),
        "future.json": ({**report, "schema_version": SCHEMA_VERSION + 1}, "newer than"),
        "stranger.json": ({"hello": 1}, "neither a report.json nor"),
    }
    for name, (data, expected) in cases.items():
        result = hflint(
            "report", "merge", good, _write(tmp_path / name, data), "-o", tmp_path / "x"
        )
        assert result.exit_code == 2, name
        assert expected in result.stderr and name in result.stderr, result.stderr
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    result = hflint("report", "merge", good, tmp_path / "broken.json", "-o", tmp_path / "x")
    assert result.exit_code == 2 and "broken.json: not JSON" in result.stderr
    assert not (tmp_path / "x").exists()


def _exec_result(device: str, hardware: str, records: list[tuple[str, str]]) -> dict[str, Any]:
    """`hflint exec --format json` output, as exec writes it (the fields merge reads)."""
    accelerators = [{"kind": "cuda", "index": 0, "name": hardware}] if device != "cpu" else []
    return {
        "tool": "hflint",
        "version": report_version(),
        "suite_id": "sample",
        "node": f"node-{device}",
        "selection": {"shard": None},
        "device": device,
        "device_kind": device.split(":")[0],
        "backend": "local",
        "transformers": "5.25.0",
        "hardware": {"cpu": {"model": hardware}, "accelerators": accelerators},
        "seconds": 1.0,
        "records": [
            {"file": file, "status": status, "device": device, "seconds": 0.5, "model_type": "bert"}
            for file, status in records
        ],
    }


def report_version() -> str:
    from hflint import __version__

    return __version__


def test_merge_counts_a_file_once_per_device(whole: Path, tmp_path: Path) -> None:
    report = {**report_of(whole), "suite_id": "sample"}
    base = _write(tmp_path / "report.json", report)
    cpu = _exec_result("cpu", "Xeon", [("a.py", "passed"), ("b.py", "failed")])
    rerun = _exec_result("cpu", "Xeon", [("b.py", "passed")])  # b.py again on the CPU
    gpu = _exec_result("cuda:0", "NVIDIA H100", [("a.py", "passed"), ("b.py", "passed")])
    inputs = [_write(tmp_path / f"{n}.json", d) for n, d in (("c", cpu), ("r", rerun), ("g", gpu))]
    result = hflint("report", "merge", base, *inputs, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "1 file(s) run in" in result.stderr and "r.json: counted once" in result.stderr
    execution = report_of(tmp_path / "out")["exec"]
    devices = {row["device"]: row for row in execution["by_device"]}
    assert devices["cpu"]["files"] == 2 and devices["cpu"]["passed"] == 2  # the rerun counts
    assert devices["cuda:0"]["hardware"] == "NVIDIA H100" and devices["cuda:0"]["files"] == 2
    assert execution["summary"]["passed"] == 4 and len(execution["records"]) == 4
    assert {r["node"] for r in execution["records"]} == {"node-cpu", "node-cuda:0"}
    assert len(execution["runs"]) == 3
    other = _write(tmp_path / "t.json", {**gpu, "transformers": "4.57.0"})
    result = hflint("report", "merge", base, inputs[0], other, "-o", tmp_path / "no")
    assert result.exit_code == 2 and "different transformers versions" in result.stderr


def test_summary_is_cut_under_githubs_limit(whole: Path) -> None:
    report = report_of(whole)
    huge = [{"cause": "x" * 100, "count": 1, "files": ["f" * 400_000] * 5}] * 30
    report["exec"] = {"by_device": [], "failure_causes": huge}
    report["totals"]["exec"] = None
    text = markdown.render(report)
    assert len(text.encode("utf-8")) <= 1024 * 1024
    assert text.endswith("cut to stay under GitHub's 1 MiB summary limit (see report.html).\n")
    assert len(markdown.render(report_of(whole)).encode("utf-8")) < 20_000


def test_exec_options_need_exec(tmp_path: Path) -> None:
    result = hflint("report", SUITE, "--device", "cpu", "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "--device is an option of --exec" in result.stderr


def test_a_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    """On a terminal (a pseudo-terminal here) the report shows its stages as it goes."""
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_hf_bert.py").write_bytes((SUITE / "test_hf_bert.py").read_bytes())
    leader, follower = pty.openpty()
    hflint_bin = Path(sys.executable).parent / "hflint"
    process = subprocess.Popen(
        [hflint_bin, "report", suite, "-o", tmp_path / "out"],
        stderr=follower,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "COLUMNS": "100"},
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed: the process is done
            break
        if not chunk:
            break
        shown += chunk
    assert process.wait(timeout=120) == 0
    os.close(leader)
    text = shown.decode("utf-8", errors="replace")
    assert "hflint report: lint" in text and "hflint report: write" in text
    assert (tmp_path / "out" / "report.html").is_file()


def test_the_page_renders_in_chromium(whole: Path, tmp_path: Path) -> None:
    dom = assert_page_works(whole / "report.html", tmp_path / "report.png")
    assert "<h2>Execution</h2>" not in dom  # no --exec: no exec section
    assert dom.count('<svg class="chart"') == 3  # by rule, by priority, by family


def test_readme_documents_every_field(whole: Path) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("### report.json", 1)[1].split("### Merging", 1)[0]
    report = report_of(whole)
    assert not [key for key in report if f"`{key}`" not in section]
    assert not [key for key in report["totals"] if f"`{key}`" not in section]
    assert not [key for key in report["files"][0] if f"`{key}`" not in section]
    assert not [key for key in report["lint"]["diagnostics"][0] if f"`{key}`" not in section]
    assert not [key for key in report["lint"]["by_rule"][0] if f"`{key}`" not in section]
    exec_part = section.split("| `exec` |", 1)[1]
    from hflint.report.document import RECORD_FIELDS, RUN_FIELDS

    for key in (*RECORD_FIELDS, *RUN_FIELDS, "node", "hardware", "cause", "suite_id", "shard"):
        assert f"`{key}`" in exec_part, key
