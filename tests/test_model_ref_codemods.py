"""The HF403/HF404 codemods run on their own by LibCST's tool, deriving what they need from the file
name as they do under `python -m libcst.tool codemod` (see test_codemods_standalone.py)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from hflint.linter import lint_text
from hflint.rule import all_rules

CONFIG = """\
generated_code_marker: '@generated'
formatter: []
blacklist_patterns: []
modules:
- 'hflint.codemods'
repo_root: '.'
"""


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / ".libcst.codemod.yaml").write_text(CONFIG, encoding="utf-8")
    return tmp_path


def run_codemod(workdir: Path, target: str, source: str, *args: str) -> tuple[str, str]:
    path = workdir / target
    path.write_text(source, encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "libcst.tool",
            "codemod",
            "--no-format",
            "--hide-progress",
            *args,
            target,
        ],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    text = path.read_text(encoding="utf-8")
    ast.parse(text)
    return text, result.stderr


def codes(path: str, text: str, code: str) -> list[str]:
    return [f.code for f in lint_text(path, text, [all_rules()[code]]).findings]


REGISTRY_SOURCE = (
    '"""Checkpoints listed in BERT_MODELS_REGISTRY."""\n\n'
    'BERT_MODELS_REGISTRY = {"roberta-base": {"task": "fill-mask"}}\n\n\n'
    "def info(model_id):\n"
    "    # look the id up in BERT_MODELS_REGISTRY\n"
    '    return BERT_MODELS_REGISTRY.get(model_id) or globals()["BERT_MODELS_REGISTRY"]\n'
)


def test_rename_registry(workdir: Path) -> None:
    text, log = run_codemod(
        workdir,
        "test_hf_roberta.py",
        REGISTRY_SOURCE,
        "rename_registry.RenameRegistryCommand",
        "--old-name",
        "BERT_MODELS_REGISTRY",
    )
    assert "Transformed 1 files successfully." in log
    assert text == REGISTRY_SOURCE.replace("BERT_MODELS_REGISTRY", "ROBERTA_MODELS_REGISTRY")
    assert codes("test_hf_roberta.py", text, "HF404") == []


def test_rename_registry_is_skipped_when_the_name_is_taken(workdir: Path) -> None:
    source = "BERT_MODELS_REGISTRY = {}\nROBERTA_MODELS_REGISTRY = {}\n"
    text, log = run_codemod(
        workdir,
        "test_hf_roberta.py",
        source,
        "rename_registry.RenameRegistryCommand",
        "--old-name",
        "BERT_MODELS_REGISTRY",
    )
    assert "Skipped 1 files." in log
    assert text == source


def test_fix_transformers_name(workdir: Path) -> None:
    source = (
        "import transformers\n"
        "from transformers import ModelTypeForMaskedLM\n\n"
        "a = transformers.ModelTypeForMaskedLM.from_pretrained('google/rembert')\n"
        "b = ModelTypeForMaskedLM.from_pretrained('google/rembert')\n"
    )
    text, log = run_codemod(
        workdir,
        "test_hf_rembert.py",
        source,
        "fix_transformers_name.FixTransformersNameCommand",
        "--old-name",
        "ModelTypeForMaskedLM",
    )
    assert "Transformed 1 files successfully." in log
    assert text == source.replace("ModelTypeForMaskedLM", "AutoModelForMaskedLM")
    assert codes("test_hf_rembert.py", text, "HF403") == []


def test_fix_transformers_name_keeps_an_alias(workdir: Path) -> None:
    source = (
        "from transformers import RembertForMaskedLM as Head\n\nm = Head.from_pretrained('x')\n"
    )
    text, _ = run_codemod(
        workdir,
        "test_hf_rembert.py",
        source,
        "fix_transformers_name.FixTransformersNameCommand",
        "--old-name",
        "RembertForMaskedLM",
    )
    assert text == source.replace("RembertForMaskedLM", "RemBertForMaskedLM")


def test_fix_transformers_name_is_skipped_when_unsure(workdir: Path) -> None:
    # gpt2 has no masked-LM head: no auto class certainly replaces the placeholder.
    source = "import transformers\n\nm = transformers.ModelTypeForMaskedLM\n"
    text, log = run_codemod(
        workdir,
        "test_hf_gpt2.py",
        source,
        "fix_transformers_name.FixTransformersNameCommand",
        "--old-name",
        "ModelTypeForMaskedLM",
    )
    assert "Skipped 1 files." in log
    assert text == source
