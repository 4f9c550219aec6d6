"""Rules that see the whole run (HF502) and fixes that rename files (HF501), through the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from hflint.cli import cli

CLASS = "class {cls}:\n    pass\n"


def hflint(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def suite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "test_hf_gpt-j.py").write_text(CLASS.format(cls="TestGptJModels"))
    (tmp_path / "test_hf_gptj.py").write_text(CLASS.format(cls="TestGptjModels"))
    return tmp_path


def _lines(result: Result) -> list[str]:
    return [line for line in result.stdout.splitlines() if ": HF50" in line]


def test_duplicates_are_reported_and_cached(suite: Path) -> None:
    args = ("--select", "HF5", "--format", "concise")
    first = hflint(*args)
    assert _lines(first) == [
        "test_hf_gpt-j.py:1:1: HF501 `test_hf_gpt-j.py` cannot be imported as a module; "
        "rename it to `test_hf_gpt_j.py`",
        "test_hf_gpt-j.py:1:1: HF502 Tests the same model type `gptj` as `test_hf_gptj.py`; "
        "differs outside its functions",
    ]
    assert (suite / ".hflint_cache").is_dir()
    assert hflint(*args).stdout == first.stdout  # summaries come back from the cache


def test_noqa_on_line_one_suppresses_a_project_diagnostic(suite: Path) -> None:
    (suite / "test_hf_gpt-j.py").write_text("# noqa: HF502\n" + CLASS.format(cls="TestGptJModels"))
    result = hflint("--no-cache", "--select", "HF502", "--format", "concise")
    assert result.exit_code == 0, result.output


def test_rename_fix_diff_apply_and_refusal(suite: Path) -> None:
    diff = hflint("--no-cache", "--select", "HF501", "--unsafe-fixes", "--diff")
    assert diff.exit_code == 1
    assert "rename from test_hf_gpt-j.py\nrename to test_hf_gpt_j.py\n" in diff.stdout
    assert (suite / "test_hf_gpt-j.py").exists()

    safe_only = hflint("--no-cache", "--select", "HF501", "--fix")
    assert (suite / "test_hf_gpt-j.py").exists(), safe_only.output

    (suite / "test_hf_gpt_j.py").write_text("# someone else's file\n")
    # A rename onto a file with other content is no fix at all: no [*], and the message says why.
    listed = hflint("--no-cache", "--select", "HF501", "--unsafe-fixes", "--format", "concise")
    assert _lines(listed) == [
        "test_hf_gpt-j.py:1:1: HF501 `test_hf_gpt-j.py` cannot be imported as a module; rename "
        "it to `test_hf_gpt_j.py` (no fix: `test_hf_gpt_j.py` exists, with other content)"
    ]
    assert "fixable" not in listed.stdout
    nothing = hflint("--no-cache", "--select", "HF501", "--unsafe-fixes", "--diff")
    assert (nothing.exit_code, nothing.stdout) == (0, ""), nothing.output
    assert "Would fix 0 errors." in nothing.stderr
    refused = hflint("--no-cache", "--select", "HF501", "--fix", "--unsafe-fixes")
    assert "Found 1 error." in refused.stdout
    assert (suite / "test_hf_gpt_j.py").read_text() == "# someone else's file\n"
    assert (suite / "test_hf_gpt-j.py").exists()

    (suite / "test_hf_gpt_j.py").unlink()
    renamed = hflint("--no-cache", "--select", "HF501", "--fix", "--unsafe-fixes", "--show-fixes")
    assert renamed.exit_code == 0, renamed.output
    assert "1 × HF501" in renamed.stdout
    assert not (suite / "test_hf_gpt-j.py").exists()
    assert (suite / "test_hf_gpt_j.py").read_text() == CLASS.format(cls="TestGptJModels")


def test_a_rename_onto_the_same_bytes_deletes_the_copy(suite: Path) -> None:
    (suite / "test_hf_gpt_j.py").write_bytes((suite / "test_hf_gpt-j.py").read_bytes())
    # Pre-commit passes the files it has: the identical target need not be one of them.
    args = ("--no-cache", "--select", "HF501", "--unsafe-fixes", "test_hf_gpt-j.py")
    listed = hflint(*args, "--format", "concise")
    assert "HF501 [*]" in listed.stdout and "with the same bytes" in listed.stdout
    diff = hflint(*args, "--diff")
    assert diff.stdout.startswith("--- test_hf_gpt-j.py\n+++ /dev/null\n@@ -1,2 +0,0 @@\n")
    fixed = hflint(*args[:-1], "--fix", "--show-fixes", "test_hf_gpt-j.py")
    assert "1 × HF501" in fixed.stdout and "all checks passed" in fixed.stdout
    assert not (suite / "test_hf_gpt-j.py").exists()
    assert (suite / "test_hf_gpt_j.py").read_text() == CLASS.format(cls="TestGptJModels")


def test_duplicate_byte_copies_are_deleted_and_differing_ones_kept(suite: Path) -> None:
    canonical = CLASS.format(cls="TestGptjModels")
    (suite / "test_hf_gpt_j_standardized.py").write_text(canonical)
    (suite / "test_hf_gpt_j_improved.py").write_text(
        canonical + "\n    def test_pipeline(self):\n        pass\n"
    )
    (suite / "other").mkdir()
    (suite / "other" / "test_hf_gptj_copy.py").write_text(canonical)
    args = ("--no-cache", "--select", "HF502", "--unsafe-fixes", "--format", "concise")
    assert _lines(hflint(*args)) == [
        "other/test_hf_gptj_copy.py:1:1: HF502 Tests the same model type `gptj` as "
        "`test_hf_gptj.py`; the same bytes, in another folder (only a copy in one folder is "
        "deleted)",
        "test_hf_gpt-j.py:1:1: HF502 Tests the same model type `gptj` as `test_hf_gptj.py`; "
        "differs outside its functions",
        "test_hf_gpt_j_improved.py:1:1: HF502 Tests the same model type `gptj` as "
        "`test_hf_gptj.py`; differs in 1 function and outside them: test_pipeline",
        "test_hf_gpt_j_standardized.py:1:1: HF502 [*] Tests the same model type `gptj` as "
        "`test_hf_gptj.py`, a byte-for-byte copy",
    ]
    # A subset of the files, as pre-commit passes them: the copy alone has nothing to compare
    # with, and the file it copies alone deletes nothing.
    for subset in ("test_hf_gpt_j_standardized.py", "test_hf_gptj.py"):
        alone = hflint(*args[:-2], "--fix", subset)
        assert alone.exit_code == 0, alone.output
        assert (suite / "test_hf_gpt_j_standardized.py").exists()
    pair = hflint(*args[:-2], "--fix", "test_hf_gpt_j_standardized.py", "test_hf_gptj.py")
    assert "Fixed 1 error; all checks passed!" in pair.stdout, pair.output
    assert not (suite / "test_hf_gpt_j_standardized.py").exists()
    assert {f.name for f in suite.rglob("*.py")} == {
        "test_hf_gpt-j.py",
        "test_hf_gptj.py",
        "test_hf_gpt_j_improved.py",
        "test_hf_gptj_copy.py",
    }
    again = hflint(*args[:-2], "--fix", "--show-fixes")
    assert "No errors fixed." in again.stdout
