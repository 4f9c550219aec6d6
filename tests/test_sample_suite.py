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
from hflint.diagnostics import Diagnostic
from hflint.fixer import fix_text
from hflint.project import check_texts
from hflint.rule import RenameFix, all_rules
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


@pytest.fixture(scope="module")
def whole_suite() -> dict[str, list[Diagnostic]]:
    """One run over the whole suite, as `hflint fixtures/sample_suite` does."""
    texts = {file.name: read_source(file).text for file in FILES}
    return check_texts(texts, list(all_rules().values()))


@pytest.mark.parametrize("file", FILES, ids=lambda f: f.name)
def test_every_planted_problem_is_reported(
    file: Path, whole_suite: dict[str, list[Diagnostic]]
) -> None:
    found = {(d.code, d.start.row) for d in whole_suite[file.name]}
    found = {(code, row) for code, row in found if code not in _incidental(file.name)}
    assert found == _planted(file.name)


@pytest.mark.parametrize("file", FILES, ids=lambda f: f.name)
def test_fix_leaves_only_what_has_no_fix(file: Path) -> None:
    source = read_source(file)
    rules = list(all_rules().values())
    result = fix_text(file.name, source.text, rules, unsafe=True)
    ast.parse(result.text)
    # Renames are the runner's to apply (test_cli_fix_on_a_copy); every text fix is done.
    assert all(
        f.report.fix is None or isinstance(f.report.fix, RenameFix) for f in result.linted.findings
    )
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
    # Unimportable names were renamed (and the copy that would clash with `test_hf_gptj.py` too).
    assert "test_hf_gpt_j.py" in snapshot and "test_hf_gpt-j.py" not in snapshot
    assert "test_hf_xlm_roberta.py" in snapshot and "test_hf_data2vec_audio.py" in snapshot
    assert (copy / "test_hf_mistral.py").read_bytes().startswith(codecs.BOM_UTF8)
    second = runner.invoke(
        cli, ["--no-cache", "--fix", "--unsafe-fixes", "--show-fixes", "fixed_tests"]
    )
    assert "No errors fixed." in second.output
    assert {f.name: f.read_bytes() for f in copy.glob("*.py")} == snapshot


@pytest.mark.parametrize("flags", [["--fix"], ["--fix", "--unsafe-fixes"]])
def test_the_fix_summary_adds_up_to_what_was_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flags: list[str]
) -> None:
    """`Found N errors (F fixed, R remaining; V went away ...)`: N is what a plain run found."""
    shutil.copytree(SUITE, tmp_path / "suite")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    found = runner.invoke(cli, ["--no-cache", "suite"]).stdout.splitlines()
    before = int(next(line for line in found if line.startswith("Found ")).split()[1])
    fixing = runner.invoke(cli, ["--no-cache", *flags, "suite"]).stdout.splitlines()
    summary = next(line for line in fixing if line.startswith("Found "))
    words = summary.replace("(", " ").replace(";", " ").split()
    fixed, remaining = int(words[3]), int(words[5])
    vanished = int(words[7]) if "went away" in summary else 0
    assert int(words[1]) == before == fixed + remaining + vanished, summary
    after = runner.invoke(cli, ["--no-cache", "suite"]).stdout.splitlines()
    assert f"Found {remaining} errors." in after
