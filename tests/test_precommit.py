"""The hooks of .pre-commit-hooks.yaml, run for real by `pre-commit try-repo` on a scratch repo.

try-repo clones this repository at HEAD plus the uncommitted changes of tracked files (untracked
files are not seen) and builds the hooks' environment there with pip: hflint from the clone, its
dependencies from the package index at the versions of requirements.lock. It builds that
environment in a temporary store of its own each time, whatever PRE_COMMIT_HOME says, so each call
below pays a pip install; what the session-scoped settings keep between calls and between runs is
pip's and virtualenv's caches.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PRE_COMMIT = Path(sys.executable).parent / "pre-commit"
BROKEN = "test_hf_bert.py"
CLEAN = "test_hf_roberta.py"

# One file that every rule accepts, written for `model`; the broken file is the bert one with the
# class named for another model (HF102), so after `--fix` it must equal the clean bert file.
TEST_FILE = '''\
"""Checks that {model} loads and runs through the transformers pipeline API."""

import argparse
import json
import sys

try:
    import torch

    HAS_TORCH = True
except ImportError:
    torch = None
    HAS_TORCH = False

try:
    import transformers

    HAS_TRANSFORMERS = True
except ImportError:
    transformers = None
    HAS_TRANSFORMERS = False

DEFAULT_MODEL_ID = "{model_id}"


def select_device(preferred=None):
    """The caller's device if given, else the best one available."""
    if preferred:
        return preferred
    if HAS_TORCH:
        if torch.cuda.is_available():  # ROCm builds of torch answer here too
            return "cuda"
        if torch.backends.mps.is_available():
            return "mps"
        if hasattr(torch, "xpu") and torch.xpu.is_available():
            return "xpu"
    return "cpu"


class {class_name}:
    def __init__(self, model_id=None, device=None):
        self.model_id = model_id or DEFAULT_MODEL_ID
        self.device = select_device(device)

    def test_pipeline(self):
        if not HAS_TRANSFORMERS:
            return {{"success": False, "error": "transformers is not installed"}}
        try:
            pipe = transformers.pipeline("fill-mask", model=self.model_id, device=self.device)
            output = pipe(f"Paris is the {{pipe.tokenizer.mask_token}} of France.")
        except Exception as error:
            return {{"success": False, "error": str(error)}}
        return {{"success": bool(output)}}

    def run_tests(self):
        results = {{"test_pipeline": self.test_pipeline()}}
        metadata = {{"model_id": self.model_id, "device": self.device}}
        return {{"results": results, "metadata": metadata}}


def main():
    parser = argparse.ArgumentParser(description="Test {model} with the transformers pipeline API.")
    parser.add_argument("--model", default=None, help="hub model id")
    parser.add_argument("--device", default=None, help="cuda, rocm, mps, xpu or cpu")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    results = {class_name}(model_id=args.model, device=args.device).run_tests()
    if args.json:
        print(json.dumps(results, indent=2))
    success = all(entry["success"] for entry in results["results"].values())
    return 0 if success else 1


if __name__ == "__main__":
    sys.exit(main())
'''
MODEL_IDS = {"bert": "google-bert/bert-base-uncased", "roberta": "FacebookAI/roberta-base"}


def render(model: str, class_name: str) -> str:
    return TEST_FILE.format(model=model, model_id=MODEL_IDS[model], class_name=class_name)


@pytest.fixture(scope="session")
def pre_commit_env(
    pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """The environment for pre-commit: caches under .pytest_cache (kept between runs), not ~."""
    cache = getattr(pytestconfig, "cache", None)  # None under `-p no:cacheprovider`
    root = (
        cache.mkdir("hflint-pre-commit")
        if cache is not None
        else tmp_path_factory.mktemp("hflint-pre-commit")
    )
    # GIT_DIR and friends are set when pytest itself runs inside a git hook; they would point the
    # scratch repository's git commands at the outer repository.
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env.update(
        PRE_COMMIT_HOME=str(root / "pre-commit"),
        PRE_COMMIT_COLOR="never",
        PIP_CACHE_DIR=str(root / "pip"),
        # The hook's environment gets the pinned versions too: the index's newest may differ.
        PIP_CONSTRAINT=str(REPO / "requirements.lock"),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_INPUT="1",
        VIRTUALENV_OVERRIDE_APP_DATA=str(root / "virtualenv"),
        VIRTUALENV_NO_PERIODIC_UPDATE="1",
    )
    return env


@pytest.fixture
def project(tmp_path: Path, pre_commit_env: dict[str, str]) -> Path:
    """A git repository with a broken and a clean test file, and a non-test file hflint ignores."""
    files = {
        BROKEN: render("bert", "TestT5Models"),
        CLEAN: render("roberta", "TestRobertaModels"),
        # Broken the same way, but not a test file: the hooks' `files` pattern keeps it out.
        "helpers.py": render("bert", "TestT5Models"),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    for command in (["init", "--quiet"], ["add", "--all"]):
        subprocess.run(["git", *command], cwd=tmp_path, env=pre_commit_env, check=True)
    return tmp_path


def try_repo(project: Path, env: dict[str, str], hook: str, *files: str) -> tuple[int, str]:
    """Run one hook of this repository on `files` (all files when none), as pre-commit users do."""
    selection = ["--files", *files] if files else ["--all-files"]
    result = subprocess.run(
        [str(PRE_COMMIT), "try-repo", str(REPO), hook, "--verbose", *selection],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
    )
    return result.returncode, result.stdout


def test_hflint_hook_reports_the_broken_file(project: Path, pre_commit_env: dict[str, str]) -> None:
    before = {path.name: path.read_text() for path in project.glob("*.py")}
    returncode, output = try_repo(project, pre_commit_env, "hflint")
    assert returncode == 1, output
    assert re.search(r"^hflint \(lint HF model test files\)\.+Failed$", output, re.M), output
    assert BROKEN in output and "HF102" in output, output
    assert CLEAN not in output and "helpers.py" not in output, output
    assert {path.name: path.read_text() for path in project.glob("*.py")} == before


def test_hflint_hook_passes_the_clean_file(project: Path, pre_commit_env: dict[str, str]) -> None:
    returncode, output = try_repo(project, pre_commit_env, "hflint", CLEAN)
    assert returncode == 0, output
    assert re.search(r"^hflint \(lint HF model test files\)\.+Passed$", output, re.M), output


def test_hflint_fix_hook_fixes_the_broken_file(
    project: Path, pre_commit_env: dict[str, str]
) -> None:
    returncode, output = try_repo(project, pre_commit_env, "hflint-fix")
    assert returncode == 1, output
    assert re.search(r"^hflint-fix \(lint and fix HF model test files\)\.+Failed$", output, re.M)
    assert "- files were modified by this hook" in output, output
    # Nothing is left to report once the class is renamed, so `hflint check --fix` itself exits 0.
    assert "- exit code:" not in output, output
    assert (project / BROKEN).read_text() == render("bert", "TestBertModels")
    assert (project / CLEAN).read_text() == render("roberta", "TestRobertaModels")
    assert (project / "helpers.py").read_text() == render("bert", "TestT5Models")
