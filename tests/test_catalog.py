"""The catalog: derived from transformers, shipped as data, read without importing transformers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from hflint.catalog import (
    RemovedType,
    installed_transformers_version,
    load_catalog,
    shipped_snapshot,
    snapshot_name,
    snapshot_version,
)
from hflint.cli import cli

REPO = Path(__file__).parent.parent
SHIPPED = snapshot_version(shipped_snapshot())


def _locked_version(package: str) -> str:
    for line in (REPO / "requirements.lock").read_text().splitlines():
        name, _, version = line.partition("==")
        if name.strip().lower() == package:
            return version.strip()
    raise AssertionError(f"{package} is not pinned in requirements.lock")


def test_the_shipped_snapshot_is_that_of_the_pinned_transformers() -> None:
    """`scripts/lock` re-pins and re-syncs together; a hand edit of one alone fails here."""
    assert _locked_version("transformers") == SHIPPED


def test_shipped_catalog_equals_a_fresh_sync() -> None:
    """In the environment `scripts/setup` builds from the lock, sync reproduces the shipped file."""
    from hflint.catalog.sync import build_catalog, check_unambiguous, render

    assert installed_transformers_version() == SHIPPED, "the venv is not built from the lock"
    fresh = build_catalog()
    assert render(fresh) == shipped_snapshot().read_text(encoding="utf-8")
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
    suffixed = runner.invoke(cli, ["catalog", "show", "donut_improved", "--format", "json"])
    assert json.loads(suffixed.stdout)["model_type"] == "donut-swin"
    removed = runner.invoke(cli, ["catalog", "show", "transfo_xl"])
    assert removed.exit_code == 2
    assert "transfo-xl, a model type transformers removed in 5.0" in removed.stderr
    family = runner.invoke(cli, ["catalog", "show", "data2vec"])
    assert "names several model types: data2vec-audio, data2vec-text" in family.stderr


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


# --- a transformers other than the shipped snapshot's -----------------------------------------------

DRIFTED = "9.9.9"


def _pretend_installed(tmp_path: Path, version: str) -> dict[str, str]:
    """The environment of a subprocess in which package metadata says transformers `version` is
    installed (metadata is all lint reads; the real package stays importable for `sync`)."""
    site = tmp_path / "fake-site"
    info = site / f"transformers-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: transformers\nVersion: {version}\n"
    )
    return {**os.environ, "PYTHONPATH": str(site)}


def _snapshot_for(directory: Path, version: str, extra_type: str) -> Path:
    """A catalog snapshot for `version`: the shipped one plus a model type it does not know."""
    data = json.loads(shipped_snapshot().read_text(encoding="utf-8"))
    data["transformers_version"] = version
    data["models"][extra_type] = data["models"]["bert"]
    target = directory / f"transformers-{version}.json"
    target.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return target


def _hflint(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hflint", *args], capture_output=True, text=True, env=env, cwd=cwd
    )


def test_lint_uses_the_snapshot_of_the_installed_transformers(
    tmp_path: Path, isolated_catalog_dir: Path
) -> None:
    env = _pretend_installed(tmp_path, DRIFTED)
    suite = tmp_path / "suite"
    suite.mkdir()
    for name in ("test_hf_bert.py", "test_hf_gpt2.py"):
        (suite / name).write_text((REPO / "fixtures" / "sample_suite" / name).read_text())
    (suite / "test_hf_brandnew.py").write_text(
        (REPO / "fixtures" / "sample_suite" / "test_hf_bert.py")
        .read_text()
        .replace("TestBertModels", "TestBrandnewModels")
    )
    args = ["--select", "HF503", "--jobs", "2", "suite"]

    stale = _hflint(args, env, tmp_path)
    warnings = [line for line in stale.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1, stale.stderr  # once per run, not once per worker or per file
    assert SHIPPED in warnings[0] and DRIFTED in warnings[0]
    assert "hflint catalog sync" in warnings[0]
    assert "HF503" in stale.stdout and "brandnew" in stale.stdout

    # The same run once a snapshot for the installed version exists: it is used, no warning, and
    # the cached results of the previous run (same files, other catalog) are not reused.
    _snapshot_for(isolated_catalog_dir, DRIFTED, "brandnew")
    synced = _hflint(args, env, tmp_path)
    assert synced.returncode == 0, synced.stdout + synced.stderr
    assert "warning" not in synced.stderr and "All checks passed" in synced.stdout

    # And `catalog show` says which snapshot that is.
    shown = _hflint(["catalog", "show", "brandnew", "--format", "json"], env, tmp_path)
    record = json.loads(shown.stdout)
    assert record["transformers_version"] == DRIFTED
    assert record["catalog"] == str(isolated_catalog_dir / f"transformers-{DRIFTED}.json")


def test_sync_check_names_both_versions(tmp_path: Path, isolated_catalog_dir: Path) -> None:
    env = _pretend_installed(tmp_path, DRIFTED)
    _snapshot_for(isolated_catalog_dir, DRIFTED, "brandnew")
    checked = _hflint(["catalog", "sync", "--check"], env, tmp_path)
    assert checked.returncode == 1
    # Lint uses the 9.9.9 snapshot (metadata says so); the transformers that imports is the real one.
    assert f"transformers {DRIFTED}" in checked.stderr
    assert f"transformers {installed_transformers_version()} is installed" in checked.stderr
    assert "hflint catalog sync" in checked.stderr

    matching = _hflint(["catalog", "sync", "--check"], dict(os.environ), tmp_path)
    assert matching.returncode == 0, matching.stderr
    assert f"matches the installed transformers {SHIPPED}" in matching.stdout


def test_sync_writes_to_the_user_catalog_dir_never_the_package(
    tmp_path: Path, isolated_catalog_dir: Path
) -> None:
    package_data = sorted(p.name for p in shipped_snapshot().parent.iterdir())
    name = f"transformers-{installed_transformers_version()}.json"

    default = _hflint(["catalog", "sync"], dict(os.environ), tmp_path)
    assert default.returncode == 0, default.stderr
    written = isolated_catalog_dir / name
    assert str(written) in default.stdout and "(new)" in default.stdout
    assert written.read_text() == shipped_snapshot().read_text()

    # `catalog-dir` of [tool.hflint] is relative to the pyproject.toml, and wins over the variable.
    (tmp_path / "pyproject.toml").write_text('[tool.hflint]\ncatalog-dir = "catalogs"\n')
    configured = _hflint(["catalog", "sync"], dict(os.environ), tmp_path)
    assert configured.returncode == 0, configured.stderr
    assert (tmp_path / "catalogs" / name).is_file()

    # Without either, the user's cache directory.
    (tmp_path / "pyproject.toml").unlink()
    env = {k: v for k, v in os.environ.items() if k != "HFLINT_CATALOG_DIR"}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    cached = _hflint(["catalog", "sync"], env, tmp_path)
    assert (tmp_path / "cache" / "hflint" / "catalogs" / name).is_file(), cached.stderr
    again = _hflint(["catalog", "sync"], env, tmp_path)
    assert "(unchanged)" in again.stdout
    assert sorted(p.name for p in shipped_snapshot().parent.iterdir()) == package_data


def test_the_catalog_knows_modules_and_removed_types() -> None:
    catalog = load_catalog()
    assert catalog.models["donut-swin"].module == "donut"
    assert catalog.models["bert"].module == "bert"
    assert [e.model_type for e in catalog.module_models("data2vec")] == [
        "data2vec-audio",
        "data2vec-text",
        "data2vec-vision",
    ]
    # A module's own type stands for its parts: florence2, not its `florence_vision` tower.
    assert [e.model_type for e in catalog.module_models("florence")] == ["florence2"]
    assert catalog.module_models("t") == ()  # `t5` less its version keeps too little
    assert catalog.removed("Transfo_XL") == RemovedType("transfo-xl", "5.0")
    assert catalog.resolve("transfo-xl") is None and catalog.removed("bert") is None


def test_the_catalog_knows_each_tokenizers_mask_token() -> None:
    """Read from the tokenizer class of each type: what a fill-mask input must carry."""
    models = load_catalog().models
    assert models["bert"].mask_token == models["distilbert"].mask_token == "[MASK]"
    assert models["roberta"].mask_token == models["camembert"].mask_token == "<mask>"
    assert models["flaubert"].mask_token == "<special1>"
    assert models["gpt2"].mask_token is None  # its tokenizer has no mask token
    assert models["vit"].mask_token is None  # no tokenizer at all


def test_removed_types_are_those_the_release_no_longer_has() -> None:
    from hflint.catalog.sync import removed_types

    assert removed_types(["bert"], "5.25.0")["transfo-xl"] == "5.0"
    assert removed_types(["bert"], "5.0.0rc1")["open-llama"] == "5.0"
    assert removed_types(["bert"], "4.57.1") == {}
    assert "transfo-xl" not in removed_types(["transfo_xl", "bert"], "5.0.0")


def test_a_schema_1_snapshot_still_loads(tmp_path: Path) -> None:
    """Snapshots synced before modules and removed types were recorded: every type is its own
    module and nothing is known removed."""
    data = json.loads(shipped_snapshot().read_text(encoding="utf-8"))
    data["schema"] = 1
    del data["removed_types"]
    del data["mask_tokens"]
    for entry in data["models"].values():
        del entry["module"]
    old = tmp_path / snapshot_name("5.24.0")
    old.write_text(json.dumps(data), encoding="utf-8")
    catalog = load_catalog(path=old)
    assert catalog.models["donut-swin"].module == "donut_swin"
    assert catalog.removed("transfo-xl") is None
    assert catalog.resolve("gpt_j") is not None
    assert catalog.models["bert"].mask_token is None  # not recorded then
