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
        "test_hf_gpt-j.py:1:1: HF502 Tests the same model type `gptj` as `test_hf_gptj.py`",
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
    refused = hflint("--no-cache", "--select", "HF501", "--fix", "--unsafe-fixes")
    assert "not renamed to test_hf_gpt_j.py: that file exists" in refused.stderr
    assert (suite / "test_hf_gpt_j.py").read_text() == "# someone else's file\n"

    (suite / "test_hf_gpt_j.py").unlink()
    renamed = hflint("--no-cache", "--select", "HF501", "--fix", "--unsafe-fixes", "--show-fixes")
    assert renamed.exit_code == 0, renamed.output
    assert "1 × HF501" in renamed.stdout
    assert not (suite / "test_hf_gpt-j.py").exists()
    assert (suite / "test_hf_gpt_j.py").read_text() == CLASS.format(cls="TestGptJModels")
