"""The bundled sample suite: every planted problem is reported, and `--fix --unsafe-fixes` leaves
only what has no fix, with every file parsing, line endings and BOMs kept, and a stable result."""

from __future__ import annotations

import ast
import codecs
import shutil
from pathlib import Path

import pytest
import tomllib
from click.testing import CliRunner

from hflint.cli import cli
from hflint.fixer import fix_text
from hflint.linter import lint_text
from hflint.rule import all_rules
from hflint.source import read_source

SUITE = Path(__file__).parent.parent / "fixtures" / "sample_suite"
PLANTED = tomllib.loads((SUITE / "planted.toml").read_text(encoding="utf-8"))
FILES = sorted(SUITE.glob("test_hf_*.py"))


def _planted(name: str) -> set[tuple[str, int]]:
    """Planted problems of the rules that exist so far (later rules tighten this automatically)."""
    return {(p["code"], p["line"]) for p in PLANTED[name]["problems"] if p["code"] in all_rules()}


def _incidental(name: str) -> set[str]:
    return {p["code"] for p in PLANTED[name].get("incidental", [])}


def test_manifest_names_every_file() -> None:
    assert set(PLANTED) == {f.name for f in FILES}
    assert len(FILES) >= 30


@pytest.mark.parametrize("file", FILES, ids=lambda f: f.name)
def test_every_planted_problem_is_reported(file: Path) -> None:
    source = read_source(file)
    found = {
        (f.code, f.start.row)
        for f in lint_text(file.name, source.text, list(all_rules().values())).findings
    }
    found = {(code, row) for code, row in found if code not in _incidental(file.name)}
    assert found == _planted(file.name)


@pytest.mark.parametrize("file", FILES, ids=lambda f: f.name)
def test_fix_leaves_only_what_has_no_fix(file: Path) -> None:
    source = read_source(file)
    rules = list(all_rules().values())
    result = fix_text(file.name, source.text, rules, unsafe=True)
    ast.parse(result.text)
    assert all(f.report.fix is None for f in result.linted.findings)
    expected_newline = "\r\n" if PLANTED[file.name]["line_endings"] == "crlf" else "\n"
    lines = result.text.splitlines(keepends=True)
    assert all(line.endswith(expected_newline) for line in lines)
    assert fix_text(file.name, result.text, rules, unsafe=True).text == result.text


def test_cli_fix_on_a_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "fixed_tests"
    shutil.copytree(SUITE, copy)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    first = runner.invoke(cli, ["--no-cache", "--fix", "--unsafe-fixes", "fixed_tests"])
    assert first.exit_code in (0, 1), first.output
    snapshot = {f.name: f.read_bytes() for f in copy.glob("*.py")}
    assert (copy / "test_hf_mistral.py").read_bytes().startswith(codecs.BOM_UTF8)
    second = runner.invoke(
        cli, ["--no-cache", "--fix", "--unsafe-fixes", "--show-fixes", "fixed_tests"]
    )
    assert "No errors fixed." in second.output
    assert {f.name: f.read_bytes() for f in copy.glob("*.py")} == snapshot
