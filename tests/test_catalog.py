"""The catalog: derived from transformers, shipped as data, read without importing transformers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from hflint.catalog import CATALOG_FILE, load_catalog
from hflint.cli import cli

REPO = Path(__file__).parent.parent


def test_shipped_catalog_equals_a_fresh_sync() -> None:
    from hflint.catalog.sync import build_catalog, check_unambiguous, render

    fresh = build_catalog()
    assert render(fresh) == CATALOG_FILE.read_text(encoding="utf-8"), "run `hflint catalog sync`"
    assert check_unambiguous(fresh) == []


@pytest.mark.parametrize(
    ("name", "model_type", "default_task"),
    [
        ("xlm-roberta", "xlm-roberta", "fill-mask"),
        ("xlm_roberta", "xlm-roberta", "fill-mask"),
        ("gpt-j", "gptj", "text-generation"),
        ("GPT_J", "gptj", "text-generation"),
        ("flan-t5", "t5", "text-classification"),
        ("codellama", "llama", "text-generation"),
        ("llama-3", "llama", "text-generation"),
        ("hubert", "hubert", "automatic-speech-recognition"),
        ("wav2vec2-bert", "wav2vec2-bert", "automatic-speech-recognition"),
        ("vit", "vit", "image-classification"),
        ("clip", "clip", "zero-shot-image-classification"),
    ],
)
def test_names_resolve_however_spelled(name: str, model_type: str, default_task: str) -> None:
    entry = load_catalog().resolve(name)
    assert entry is not None
    assert (entry.model_type, entry.default_task) == (model_type, default_task)


def test_substrings_do_not_resolve() -> None:
    """`hubert` contains `bert`, the mistake earlier tools made; here they are two models."""
    catalog = load_catalog()
    hubert, bert = catalog.resolve("hubert"), catalog.resolve("bert")
    assert hubert is not None and bert is not None
    assert "fill-mask" not in hubert.tasks and "fill-mask" in bert.tasks
    assert catalog.resolve("bertt") is None
    assert catalog.suggestions("bertt")[0] == "bert"


def test_tasks_and_removed_tasks() -> None:
    catalog = load_catalog()
    assert "summarization" not in catalog.pipeline_tasks
    assert catalog.removed_tasks["summarization"] == "text-generation"
    assert catalog.removed_tasks["image-to-text"] == "image-text-to-text"
    assert catalog.canonical_task("ner") == "token-classification"
    assert "AutoModelForMaskedLM" in catalog.exports
    assert "ModelTypeForMaskedLM" not in catalog.exports


def test_priorities_from_the_shipped_table_and_from_an_override() -> None:
    catalog = load_catalog()
    assert catalog.resolve("gpt-j").priority == "critical"  # type: ignore[union-attr]
    assert catalog.resolve("flan-t5").priority == "critical"  # type: ignore[union-attr]
    assert catalog.resolve("gpt-neo").priority == "high"  # type: ignore[union-attr]
    assert catalog.resolve("xlnet").priority == "medium"  # type: ignore[union-attr]
    custom = load_catalog({"critical": {"mine": ["xlnet"]}})
    assert custom.resolve("xlnet").priority == "critical"  # type: ignore[union-attr]
    assert custom.resolve("bert").priority is None  # type: ignore[union-attr]


def test_catalog_show_and_unknown_names() -> None:
    runner = CliRunner()
    shown = runner.invoke(cli, ["catalog", "show", "gpt-j", "--format", "json"])
    assert shown.exit_code == 0, shown.output
    record = json.loads(shown.stdout)
    assert record["model_type"] == "gptj" and "gpt-j" in record["aliases"]
    unknown = runner.invoke(cli, ["catalog", "show", "bertt"])
    assert unknown.exit_code == 2
    assert "did you mean bert" in unknown.stderr


def test_lint_and_fix_never_import_torch_or_transformers(tmp_path: Path) -> None:
    """A whole `--fix --unsafe-fixes` run over the sample suite, in a fresh interpreter."""
    suite = tmp_path / "suite"
    subprocess.run(["cp", "-R", str(REPO / "fixtures" / "sample_suite"), str(suite)], check=True)
    probe = (
        "import sys\n"
        "from hflint.cli import cli\n"
        "try:\n"
        "    cli(['--no-cache', '--jobs', '1', '--fix', '--unsafe-fixes', '--format', 'json', sys.argv[1]])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'transformers'))\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(suite)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": ""},
        check=True,
    )
    assert "HEAVY []" in result.stderr, result.stderr[-2000:]
    assert json.loads(result.stdout) is not None  # the run really linted and fixed


def test_priorities_override_in_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.hflint.priorities.critical]\nmine = ["xlnet"]\n')
    runner = CliRunner()
    shown = runner.invoke(cli, ["catalog", "show", "xlnet", "--format", "json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["priority"] == "critical"
    pyproject.write_text('[tool.hflint.priorities.critical]\nmine = ["xlnett"]\n')
    bad = runner.invoke(cli, ["catalog", "show", "xlnet"])
    assert bad.exit_code == 2
    assert "[tool.hflint.priorities.critical] 'mine' names unknown model 'xlnett'" in bad.stderr
    assert "did you mean xlnet" in bad.stderr
    pyproject.write_text("[tool.hflint.priorities.urgent]\nmine = []\n")
    assert "unknown key 'urgent'" in runner.invoke(cli, ["catalog", "show", "xlnet"]).stderr
