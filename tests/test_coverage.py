"""`hflint coverage`: counted by model type, name variants once, broken files covering nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import tomllib
from click.testing import CliRunner

from hflint.catalog import load_catalog
from hflint.cli import cli

SUITE = Path(__file__).parent.parent / "fixtures" / "sample_suite"


def coverage(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["coverage", *args])
    return result.exit_code, result.stdout, result.stderr


def test_sample_suite_reports_exactly_the_models_it_holds() -> None:
    code, out, _ = coverage("--format", "json", str(SUITE))
    assert code == 0
    report = json.loads(out)
    catalog = load_catalog()
    names = [
        f.name.removeprefix("test_hf_").removesuffix(".py") for f in SUITE.glob("test_hf_*.py")
    ]
    expected = {catalog.resolve(n).model_type for n in names if catalog.resolve(n)}  # type: ignore[union-attr]
    assert set(report["tested"]) == expected
    assert report["files"] == len(names)
    duplicates = {m: [Path(p).name for p in paths] for m, paths in report["duplicates"].items()}
    # `vicuna` is no model type, but the file's checkpoints (`lmsys/vicuna-7b-v1.5`) are llama's.
    assert duplicates == {
        "gptj": ["test_hf_gpt-j.py", "test_hf_gptj.py"],
        "llama": ["test_hf_llama.py", "test_hf_vicuna.py"],
    }
    assert report["unrecognised"] == []
    planted = tomllib.loads((SUITE / "planted.toml").read_text())
    syntax_errors = {
        n for n, t in planted.items() if any(p["code"] == "HF001" for p in t["problems"])
    }
    assert {Path(p).name for p in report["broken"]} == syntax_errors
    # A broken file covers nothing: bloom's only file does not parse.
    assert "bloom" in report["levels"]["critical"]["missing"]
    assert "bert" not in report["levels"]["critical"]["missing"]
    critical = report["levels"]["critical"]
    assert critical["covered"] + len(critical["missing"]) == critical["total"]
    assert report["roadmap"][0]["priority"] == "critical"


def test_fail_under_and_formats(tmp_path: Path) -> None:
    (tmp_path / "test_hf_bert.py").write_text("x = 1\n")
    (tmp_path / "test_hf_BERT-copy.py").write_text("x = 1\n")  # bert's, less the suffix
    (tmp_path / "test_hf_bertt.py").write_text("x = 1\n")
    code, out, err = coverage("--fail-under", "critical=100,all=0", str(tmp_path))
    assert code == 1
    assert "critical coverage" in err and "is under 100%" in err
    assert "priority  covered  total  percent" in out
    code, out, _ = coverage("--fail-under", "all=0", "--format", "markdown", str(tmp_path))
    assert code == 0
    assert "| priority | covered | total | percent |" in out
    assert "## Files whose name gives no known model" in out


def test_the_header_counts_what_the_table_counts() -> None:
    code, out, _ = coverage(str(SUITE))
    assert code == 0
    all_row = next(line.split() for line in out.splitlines() if line.startswith("all "))
    covered, total = all_row[1], all_row[2]
    assert out.splitlines()[0].startswith(f"Coverage: {covered} of {total} model types by 53 files")
    # The types a file is named for that the table leaves out are named, with why.
    assert out.splitlines()[1] == (
        "Not counted: beit, blip, bloom, gpt_neo, swin (their files do not parse, or the type has "
        "no pipeline task)"
    )


def test_tracked_is_the_medium_level(tmp_path: Path) -> None:
    """README and the priorities file call the medium level `tracked`."""
    (tmp_path / "test_hf_xlnet.py").write_text("x = 1\n")
    assert coverage("--fail-under", "tracked=0.1", str(tmp_path))[0] == 0
    code, _, err = coverage("--fail-under", "tracked=50", str(tmp_path))
    assert code == 1 and "medium coverage" in err


@pytest.mark.parametrize("bad", ["critical", "urgent=5", "high=lots"])
def test_bad_thresholds_exit_2(tmp_path: Path, bad: str) -> None:
    code, _, err = coverage("--fail-under", bad, str(tmp_path))
    assert code == 2
    assert "--fail-under" in err


def test_name_variants_count_once(tmp_path: Path) -> None:
    for name in ("gpt-j", "gpt_j", "gptj", "gpt_j_standardized", "GPT-J_improved"):
        (tmp_path / f"test_hf_{name}.py").write_text("x = 1\n")
    _, out, _ = coverage("--format", "json", str(tmp_path))
    report = json.loads(out)
    assert list(report["tested"]) == ["gptj"]
    assert len(report["duplicates"]["gptj"]) == 5
    assert "gptj" not in report["levels"]["critical"]["missing"]


def test_files_named_for_no_type_count_for_their_checkpoints(tmp_path: Path) -> None:
    """A kind-of-model or family name counts for the type its default checkpoint names; a removed
    type's file, or one whose code names nothing, counts for nothing."""
    (tmp_path / "test_hf_audio.py").write_text('DEFAULT_MODEL_ID = "facebook/wav2vec2-base-960h"\n')
    (tmp_path / "test_hf_data2vec.py").write_text(
        'DATA2VEC_MODELS_REGISTRY = {"facebook/data2vec-text-base": {}}\n'
    )
    (tmp_path / "test_hf_vision.py").write_text("x = 1\n")
    (tmp_path / "test_hf_transfo_xl.py").write_text('DEFAULT_MODEL_ID = "gpt2"\n')
    _, out, _ = coverage("--format", "json", str(tmp_path))
    report = json.loads(out)
    assert sorted(report["tested"]) == ["data2vec-text", "wav2vec2"]
    assert sorted(Path(p).name for p in report["unrecognised"]) == [
        "test_hf_transfo_xl.py",
        "test_hf_vision.py",
    ]
