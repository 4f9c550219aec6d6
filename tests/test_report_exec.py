"""`hflint report --exec` for real on three files of the sample suite (two run on tiny models, one is
left out by the lint gate): the exec tables, shards merged equal to the unsharded run, and the
page in headless Chromium (no console message, every chart drawn, tables that sort and filter, a
screenshot with the charts' colours in it)."""

from __future__ import annotations

import json
import platform
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from browser import assert_page_works, open_page
from click.testing import CliRunner, Result
from PIL import Image

from hflint.cli import cli
from hflint.report import svg

SUITE = Path(__file__).parent.parent / "fixtures" / "sample_suite"
FILES = ("test_hf_bert.py", "test_hf_electra.py", "test_hf_beit.py")  # beit: a syntax error

pytestmark = [pytest.mark.slow, pytest.mark.exec]


def hflint(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def report_of(directory: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((directory / "report.json").read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The suite's report unsharded and in two shards, each run for real on the CPU."""
    root = tmp_path_factory.mktemp("exec-report")
    suite = root / "suite"
    suite.mkdir()
    for name in FILES:
        shutil.copy(SUITE / name, suite / name)
    for name, shard in (
        ("whole", []),
        ("shard-1", ["--shard", "1/2"]),
        ("shard-2", ["--shard", "2/2"]),
    ):
        result = hflint("report", suite, "--exec", "--device", "cpu", *shard, "-o", root / name)
        assert result.exit_code == 0, result.output
    return root


def test_the_report_shows_what_ran_where(runs: Path) -> None:
    report = report_of(runs / "whole")
    execution = report["exec"]
    statuses = {Path(r["file"]).name: r["status"] for r in execution["records"]}
    assert statuses == {
        "test_hf_bert.py": "passed",
        "test_hf_electra.py": "passed",
        "test_hf_beit.py": "skipped",
    }
    assert report["totals"]["pass_rate"] == 100.0 and execution["summary"]["skipped"] == 1
    (device,) = execution["by_device"]
    assert (device["device"], device["files"], device["passed"]) == ("cpu", 3, 2)
    assert device["hardware"] == execution["runs"][0]["hardware"] != "unknown"
    assert {r["node"] for r in execution["records"]} == {platform.node()}
    types = {row["model_type"]: row for row in execution["by_model_type"]}
    assert types["bert"]["passed"] == 1 and types["bert"]["seconds"] > 0
    (cause,) = execution["failure_causes"]
    assert cause["cause"] == "skipped: not lint-clean" and cause["count"] == 1
    summary = (runs / "whole" / "summary.md").read_text(encoding="utf-8")
    assert "### Execution per device" in summary and "| skipped: not lint-clean | 1 |" in summary


def test_merged_shards_equal_the_unsharded_run(runs: Path) -> None:
    result = hflint(
        "report", "merge", runs / "shard-1" / "report.json", runs / "shard-2" / "report.json",
        "-o", runs / "merged",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    merged, whole = report_of(runs / "merged"), report_of(runs / "whole")

    def same_run(report: dict[str, Any]) -> dict[str, Any]:
        """All but when, the shards, times and memory, which two runs of the same files differ in."""
        kept = {k: v for k, v in report.items() if k not in ("created", "shards", "exec", "totals")}
        execution = report["exec"]
        kept["exec"] = {
            "records": [
                {**r, "seconds": None, "peak_memory_mb": None} for r in execution["records"]
            ],
            "summary": execution["summary"],
            "failure_causes": execution["failure_causes"],
            "by_device": [{**r, "seconds": None} for r in execution["by_device"]],
        }
        kept["totals"] = report["totals"]
        return kept

    assert same_run(merged) == same_run(whole)
    assert len(merged["exec"]["runs"]) == 2


def test_the_page_renders_in_chromium_with_its_charts(runs: Path) -> None:
    shot = runs / "report.png"
    dom = assert_page_works(runs / "whole" / "report.html", shot)
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", dom)
    assert captions == [
        "Diagnostics by rule",
        "By priority",
        "By modality family",
        "Status per device",
        "Time per device",
        "Status per model type (failing first)",
        "Time per model type",
    ]
    image = Image.open(shot).convert("RGB")
    colours = {colour for _, colour in image.getcolors(maxcolors=1 << 20) or []}
    bar = tuple(int(svg.PALETTE[0][i : i + 2], 16) for i in (1, 3, 5))
    passed = tuple(int(svg.STATUS_COLOURS["passed"][i : i + 2], 16) for i in (1, 3, 5))
    assert bar in colours and passed in colours  # the charts are in the picture
    print(f"screenshot: {shot}")


def test_the_tables_sort_and_filter_in_chromium(runs: Path) -> None:
    """The page's own script, driven by a few lines appended to a copy: sort the records by
    status, then filter them by a word; the DOM says what the user would see."""
    page = runs / "driven.html"
    driver = """<script>
    var table = document.getElementById("records");
    table.tHead.rows[0].cells[2].click();
    table.tHead.rows[0].cells[2].click();
    var order = Array.prototype.map.call(table.tBodies[0].rows, function (r) {
      return r.cells[2].textContent; }).join(",");
    var filter = document.getElementById("records-filter");
    filter.value = "electra";
    filter.dispatchEvent(new Event("input"));
    var visible = Array.prototype.filter.call(table.tBodies[0].rows, function (r) {
      return !r.hidden; }).length;
    document.body.setAttribute("data-driven", order + "|" + visible + "|"
      + document.getElementById("records-shown").textContent);
    </script></body>"""
    html = (runs / "whole" / "report.html").read_text(encoding="utf-8")
    page.write_text(html.replace("</body>", driver), encoding="utf-8")
    opened = open_page(page, runs / "driven.png")
    assert opened.console == []
    assert 'data-driven="skipped,passed,passed|1|1 of 3"' in opened.dom
