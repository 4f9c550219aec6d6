"""`--format gitlab` (GitLab Code Quality) and SARIF's partialFingerprints, on the sample suite:
valid against GitLab's documented fields, one fingerprint per finding, the same after lines move."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from hflint.cli import cli
from hflint.output.sarif import FINGERPRINT_KEY

SUITE = Path(__file__).parent.parent / "fixtures" / "sample_suite"
SCHEMA = Path(__file__).parent / "data" / "gitlab-code-quality.schema.json"


def check(fmt: str, *paths: Path) -> Any:
    result = CliRunner().invoke(
        cli, ["check", "--no-cache", "--exit-zero", "--format", fmt, *map(str, paths)]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_gitlab_report_is_valid_with_unique_fingerprints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(SUITE, tmp_path / "suite")
    issues = check("gitlab", Path("suite"))
    jsonschema.Draft7Validator(json.loads(SCHEMA.read_text(encoding="utf-8"))).validate(issues)
    checked = check("json", Path("suite"))
    assert len(issues) == len(checked) > 40
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)
    assert {i["location"]["path"] for i in issues} == {d["filename"] for d in checked}
    assert all(i["location"]["path"].startswith("suite/") for i in issues)
    by_code = {i["check_name"]: i["severity"] for i in issues}
    assert by_code["HF001"] == "critical"  # a gate rule: the file cannot run
    assert by_code["HF404"] == "major"  # wrong, but the file still runs


def _moved(tmp_path: Path, fmt: str) -> tuple[Any, Any]:
    """The format's output for a copy of the suite, then again after three lines were inserted at
    the top of every file."""
    suite = tmp_path / "suite"
    suite.mkdir()
    for file in sorted(SUITE.glob("test_hf_*.py"))[:16]:  # LF and CRLF, HF001, HF501 among them
        shutil.copy(file, suite / file.name)
    before = check(fmt, suite)
    for file in suite.glob("test_hf_*.py"):
        data = file.read_bytes()
        bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
        newline = b"\r\n" if b"\r\n" in data else b"\n"
        file.write_bytes(bom + (b"# moved" + newline) * 3 + data[len(bom) :])
    return before, check(fmt, suite)


def test_gitlab_fingerprints_survive_moved_lines(tmp_path: Path) -> None:
    before, after = _moved(tmp_path, "gitlab")
    lines = {i["fingerprint"]: i["location"]["lines"]["begin"] for i in before}
    moved = {i["fingerprint"]: i["location"]["lines"]["begin"] for i in after}
    # HF501/HF502 findings sit on line 1 whatever is inserted; every other moved down by three.
    assert moved.keys() == lines.keys()
    assert sum(moved[f] == lines[f] + 3 for f in lines) > len(lines) * 3 // 4


def test_sarif_partial_fingerprints_survive_moved_lines(tmp_path: Path) -> None:
    before, after = _moved(tmp_path, "sarif")

    def keyed(log: Any) -> dict[str, int]:
        return {
            r["partialFingerprints"][FINGERPRINT_KEY]: r["locations"][0]["physicalLocation"][
                "region"
            ]["startLine"]
            for r in log["runs"][0]["results"]
        }

    old, new = keyed(before), keyed(after)
    assert len(old) == len(before["runs"][0]["results"])  # one per finding
    assert old.keys() == new.keys()
    assert any(new[f] == old[f] + 3 for f in old)
