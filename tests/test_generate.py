"""`hflint generate` and the skeletons it fills: every catalog type, name spellings, safety, --force."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import libcst as cst
import pytest
from click.testing import CliRunner, Result
from hflint.codemods import skeletons

from hflint.analysis.testclass import class_methods
from hflint.catalog import load_catalog
from hflint.cli import cli
from hflint.naming import canonical_file_name

REPO = Path(__file__).parent.parent
CODEMOD_CONFIG = """\
generated_code_marker: '@generated'
formatter: []
blacklist_patterns: []
modules:
- 'hflint.codemods'
repo_root: '.'
"""


def hflint(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def pipeline_types() -> set[str]:
    return {entry.model_type for entry in load_catalog().models.values() if entry.tasks}


# --- the acceptance test -------------------------------------------------------------------


def test_generate_all_writes_a_passing_file_for_every_model_type(tmp_path: Path) -> None:
    out = tmp_path / "suite"
    generated = hflint("generate", "--all", "-o", str(out), "-q")
    assert generated.exit_code == 0, generated.stderr
    files = sorted(out.iterdir())
    assert {f.name for f in files} == {canonical_file_name(t) for t in pipeline_types()}
    for file in files:
        data = file.read_bytes()
        assert b"\r" not in data, f"{file.name} is not LF-only"
        ast.parse(data, filename=file.name)  # 100% parse
    checked = hflint("--no-cache", "--jobs", "2", str(out))
    assert checked.exit_code == 0, checked.stdout[-3000:]
    assert "All checks passed!" in checked.stdout
    coverage = hflint("coverage", "--format", "json", str(out))
    assert coverage.exit_code == 0, coverage.stderr
    report = json.loads(coverage.stdout)
    assert {level: data["percent"] for level, data in report["levels"].items()} == {
        "critical": 100.0,
        "high": 100.0,
        "medium": 100.0,
        "all": 100.0,
    }
    assert not report["duplicates"] and not report["broken"] and not report["unrecognised"]


# --- names -------------------------------------------------------------------------------------------


def test_spellings_of_one_model_give_one_importable_file(tmp_path: Path) -> None:
    result = hflint(
        "generate", "gpt-j", "GPT_J", "gpt_j", "xlm-roberta", "kosmos-2.5", "-o", str(tmp_path)
    )
    assert result.exit_code == 0, result.stderr
    names = sorted(f.name for f in tmp_path.iterdir())
    assert names == ["test_hf_gptj.py", "test_hf_kosmos_2_5.py", "test_hf_xlm_roberta.py"]
    assert all(name.removesuffix(".py").isidentifier() for name in names)
    classes = {
        name: [
            n.name
            for n in ast.parse((tmp_path / name).read_text()).body
            if isinstance(n, ast.ClassDef)
        ]
        for name in names
    }
    assert classes == {
        "test_hf_gptj.py": ["TestGptjModels"],
        "test_hf_kosmos_2_5.py": ["TestKosmos25Models"],
        "test_hf_xlm_roberta.py": ["TestXlmRobertaModels"],
    }
    assert "XLM_ROBERTA_MODELS_REGISTRY = {" in (tmp_path / "test_hf_xlm_roberta.py").read_text()
    tested = json.loads(hflint("coverage", "--format", "json", str(tmp_path)).stdout)["tested"]
    assert sorted(tested) == ["gptj", "kosmos-2.5", "xlm-roberta"]


@pytest.mark.parametrize(
    "name", ["../evil", "/etc/passwd", "a/b", "..", "x\\..\\y", "bert\0", "~root", ""]
)
def test_names_that_are_paths_are_refused_even_with_force(tmp_path: Path, name: str) -> None:
    out = tmp_path / "out"
    result = hflint("generate", name, "bert", "--force", "-o", str(out))
    assert result.exit_code == 2
    assert f"refusing {name!r}" in result.stderr
    assert not out.exists()  # nothing at all is written, not even the valid name's file


def test_a_link_out_of_the_directory_is_not_written_through(tmp_path: Path) -> None:
    outside = tmp_path / "outside.py"
    outside.write_text("keep = 1\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "test_hf_bert.py").symlink_to(outside)
    result = hflint("generate", "bert", "--force", "-o", str(out))
    assert result.exit_code == 2
    assert "leads outside" in result.stderr
    assert outside.read_text() == "keep = 1\n"


def test_unknown_names_exit_2_with_suggestions(tmp_path: Path) -> None:
    result = hflint("generate", "bert", "bertt", "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "unknown model 'bertt' (did you mean bert" in result.stderr
    assert not (tmp_path / "out").exists()
    nothing = hflint("generate", "-o", str(tmp_path / "out"))
    assert nothing.exit_code == 2 and "nothing to generate" in nothing.stderr


def test_model_types_without_a_pipeline_task_are_refused(tmp_path: Path) -> None:
    no_task = next(t for t, e in load_catalog().models.items() if not e.tasks)
    result = hflint("generate", no_task, "-o", str(tmp_path))
    assert result.exit_code == 2
    assert "has no pipeline task" in result.stderr


# --- selection, dry run, existing files ------------------------------------------------------------


def test_missing_counts_name_variants_and_skips_existing_files(tmp_path: Path) -> None:
    gptj = skeletons.filled_skeleton("gptj", load_catalog()).code
    (tmp_path / "test_hf_gpt-j.py").write_text(gptj)  # a name variant covers gptj
    (tmp_path / "test_hf_bert.py").write_text("x = (\n")  # does not parse: covers nothing
    critical = {e.model_type for e in load_catalog().by_priority("critical") if e.tasks}
    dry = hflint(
        "generate", "--missing", "--priority", "critical", "--dry-run", "-o", str(tmp_path)
    )
    assert dry.exit_code == 0, dry.stderr
    assert "Would write" in dry.stdout and "gptj" not in dry.stdout
    assert "Skipped bert: tested by" in dry.stderr
    assert sorted(f.name for f in tmp_path.iterdir()) == ["test_hf_bert.py", "test_hf_gpt-j.py"]
    wrote = hflint("generate", "--missing", "--priority", "critical", "-o", str(tmp_path))
    assert wrote.exit_code == 0, wrote.stderr
    expected = {canonical_file_name(t) for t in critical - {"gptj"}} | {"test_hf_gpt-j.py"}
    assert {f.name for f in tmp_path.iterdir()} == expected
    assert (tmp_path / "test_hf_bert.py").read_text() == "x = (\n"
    forced = hflint("generate", "bert", "--force", "-o", str(tmp_path))
    assert forced.exit_code == 0, forced.stderr
    assert "nothing kept of" in forced.stderr and "does not parse" in forced.stderr
    ast.parse((tmp_path / "test_hf_bert.py").read_text())


def test_force_keeps_the_model_id_and_extra_test_methods(tmp_path: Path) -> None:
    target = tmp_path / "test_hf_bert.py"
    assert hflint("generate", "bert", "-o", str(tmp_path)).exit_code == 0
    text = target.read_text()
    assert 'DEFAULT_MODEL_ID = "google-bert/bert-base-uncased"' in text  # the catalog's
    custom = text.replace("google-bert/bert-base-uncased", "google-bert/bert-large-cased")
    custom = custom.replace(
        "    def run_tests(self):",
        '    def test_roundtrip(self):\n        """Mine."""\n        return {"success": plus_one(1) == 2}\n\n'
        "    def run_tests(self):",
    ).replace(
        "def select_device():",
        "def plus_one(value):\n    return value + 1\n\n\ndef select_device():",
    )
    custom = custom.replace('"""Run the model through', '"""Edited: run the model through')
    target.write_text(custom)
    skipped = hflint("generate", "bert", "-o", str(tmp_path))
    assert skipped.exit_code == 0 and "Skipped bert" in skipped.stderr
    assert target.read_text() == custom
    forced = hflint("generate", "bert", "--force", "-o", str(tmp_path))
    assert forced.exit_code == 0, forced.stderr
    assert "kept from" in forced.stdout and "test_roundtrip()" in forced.stdout
    regenerated = target.read_text()
    assert "Edited:" not in regenerated  # the skeleton's own methods are regenerated
    assert 'DEFAULT_MODEL_ID = "google-bert/bert-large-cased"' in regenerated
    assert '    "google-bert/bert-large-cased": {' in regenerated
    assert "def test_roundtrip(self):" in regenerated and "def plus_one(value):" in regenerated
    assert hflint("--no-cache", str(target)).exit_code == 0


def test_a_file_that_would_not_pass_is_not_written(tmp_path: Path) -> None:
    target = tmp_path / "test_hf_bert.py"
    assert hflint("generate", "bert", "-o", str(tmp_path)).exit_code == 0
    broken = target.read_text().replace(
        "    def run_tests(self):",
        '    def test_unset(self):\n        return {"success": self.tokenizer_name is not None}\n\n'
        "    def run_tests(self):",
    )
    target.write_text(broken)
    result = hflint("generate", "bert", "gpt2", "--force", "-o", str(tmp_path))
    assert result.exit_code == 1
    assert "would not pass lint; nothing was written" in result.stderr
    assert "test_hf_bert.py:" in result.stderr and "HF303" in result.stderr
    assert target.read_text() == broken
    assert not (tmp_path / "test_hf_gpt2.py").exists()


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = hflint("generate", "vit", "whisper", "--dry-run", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert "Would write" in result.stdout and "test_hf_whisper.py (whisper:" in result.stdout
    assert "Would generate 2 files." in result.stdout
    assert not out.exists()


def test_priorities_come_from_the_configuration(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.hflint.priorities.critical]\nmine = ["xlnet"]\n')
    result = hflint(
        "generate",
        "--priority",
        "critical",
        "--dry-run",
        "--config",
        str(pyproject),
        "-o",
        str(tmp_path),
    )
    assert result.exit_code == 0, result.stderr
    assert "test_hf_xlnet.py" in result.stdout and "Would generate 1 file." in result.stdout


# --- what generated files are ----------------------------------------------------------------------


def test_a_generated_file_imports_and_runs_its_contract_without_torch(tmp_path: Path) -> None:
    """Imports of torch, transformers, PIL and numpy are inside the methods: the module imports,
    the class builds with a selected device, and `main()` reports failure with a non-zero exit."""
    assert hflint("generate", "clip", "-o", str(tmp_path)).exit_code == 0
    probe = (
        "import sys\n"
        "for name in ('torch', 'transformers', 'PIL', 'numpy'):\n"
        "    sys.modules[name] = None  # importing them raises ImportError\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "import test_hf_clip as module\n"
        "tests = module.TestClipModels()\n"
        "assert tests.device == 'cpu' and tests.model_id == module.DEFAULT_MODEL_ID\n"
        "report = tests.run_tests()\n"
        "assert set(report) == {'results', 'metadata'}, report\n"
        "assert set(report['results']) == {'test_pipeline', 'test_from_pretrained'}\n"
        "assert not any(r['success'] for r in report['results'].values())\n"
        "sys.exit(module.main(['--json']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["metadata"]["device"] == "cpu"


def test_generate_never_imports_torch_or_transformers(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from hflint.cli import cli\n"
        "try:\n"
        "    cli(['generate', 'bert', 'vit', 'whisper', 'clip', 'videomae', '-o', sys.argv[1]])\n"
        "except SystemExit as exit:\n"
        "    assert exit.code == 0, exit.code\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'transformers'))\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": ""},
        check=True,
    )
    assert "HEAVY []" in result.stderr, result.stderr[-2000:]
    assert len(list(tmp_path.glob("test_hf_*.py"))) == 5


def test_generated_files_are_ruff_format_clean(tmp_path: Path) -> None:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed")
    # One model per skeleton family, and the longest names and inputs.
    names = [
        "bert",
        "vit",
        "clip",
        "whisper",
        "videomae",
        "llava",
        "fastspeech2_conformer_with_hifigan",
    ]
    assert hflint("generate", *names, "-o", str(tmp_path)).exit_code == 0
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 100\n")
    result = subprocess.run(
        [ruff, "format", "--check", "--no-cache", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_fill_codemod_runs_under_libcst_tool(tmp_path: Path) -> None:
    (tmp_path / ".libcst.codemod.yaml").write_text(CODEMOD_CONFIG)
    target = tmp_path / "test_hf_vit.py"
    shutil.copy(REPO / "codemods" / "skeletons" / "pipeline.py", target)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "libcst.tool",
            "codemod",
            "--no-format",
            "--hide-progress",
            "fill_skeleton.FillSkeletonCommand",
            target.name,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Transformed 1 files successfully." in result.stderr
    assert target.read_text() == skeletons.filled_skeleton("vit", load_catalog()).code


# --- the skeletons ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("task", "family"),
    [
        ("fill-mask", "text"),
        ("text-generation", "text"),
        ("zero-shot-classification", "text"),
        ("table-question-answering", "text"),
        ("text-to-audio", "text"),
        ("image-classification", "vision"),
        ("object-detection", "vision"),
        ("mask-generation", "vision"),
        ("keypoint-matching", "vision"),
        ("zero-shot-image-classification", "multimodal"),
        ("zero-shot-object-detection", "multimodal"),
        ("document-question-answering", "multimodal"),
        ("image-text-to-text", "multimodal"),
        ("any-to-any", "multimodal"),
        ("automatic-speech-recognition", "audio"),
        ("zero-shot-audio-classification", "audio"),
        ("video-classification", "direct"),
        ("decision", "direct"),
    ],
)
def test_family_of_each_task(task: str, family: str) -> None:
    model = load_catalog().resolve("bert")
    assert skeletons.family_for(model, task) == family


def test_generic_feature_extraction_only_models_are_tested_directly() -> None:
    catalog = load_catalog()
    assert skeletons.family_for(catalog.resolve("dpr"), "feature-extraction") == "direct"
    assert skeletons.family_for(catalog.resolve("bert"), "feature-extraction") == "text"
    # A model the catalog does not know gets the generic text skeleton.
    unknown = skeletons.filled_skeleton("vicuna", load_catalog()).code
    assert 'pipeline("feature-extraction", model=self.model_id' in unknown
    assert "transformers.AutoModel.from_pretrained" in unknown


def test_the_direct_skeleton_is_the_pipeline_one_with_its_own_tests() -> None:
    """direct.py holds only what differs (its docstring and two tests); the rest is pipeline.py's,
    so the two cannot drift apart."""
    parts = cst.parse_module((REPO / "codemods" / "skeletons" / "direct.py").read_text())
    classes = [s for s in parts.body if isinstance(s, cst.ClassDef)]
    assert len(parts.body) == 2 and len(classes) == 1, "direct.py: a docstring and one class"
    own = class_methods(classes[0])
    assert set(own) == {"test_pipeline", "test_from_pretrained"}
    pipeline, direct = (cst.parse_module(skeletons.skeleton_source(f)) for f in ("text", "direct"))
    assert direct.body[0].deep_equals(parts.body[0])
    for name, method in own.items():
        assert skeletons.method(direct, name).deep_equals(method)
    for name in ("__init__", "run_tests"):
        assert skeletons.method(direct, name).deep_equals(skeletons.method(pipeline, name))
    for mine, theirs in zip(direct.body[1:], pipeline.body[1:], strict=True):
        assert isinstance(mine, cst.ClassDef) or mine.deep_equals(theirs)


def test_each_family_loads_its_own_preprocessor() -> None:
    expected = {
        "bert": "tokenizer = transformers.AutoTokenizer.from_pretrained",
        "vit": "image_processor = transformers.AutoImageProcessor.from_pretrained",
        "clip": "processor = transformers.AutoProcessor.from_pretrained",
        "whisper": "feature_extractor = transformers.AutoFeatureExtractor.from_pretrained",
    }
    for model_name, line in expected.items():
        code = skeletons.filled_skeleton(model_name, load_catalog()).code
        assert line in code and "skeleton" not in code.lower().replace("pipeline` skeleton", "")
