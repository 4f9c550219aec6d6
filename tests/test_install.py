"""hflint as a user installs it: `pip install .` into a fresh virtual environment, without the
`exec` extra (so without torch or transformers), with the versions of requirements.lock."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).parent.parent
LOCK = REPO / "requirements.lock"


@pytest.fixture(scope="module")
def plain_install(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The new environment's bin directory, and pip's verbose output of installing hflint."""
    venv = tmp_path_factory.mktemp("plain") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    pip = [python, "-m", "pip", "install", "--disable-pip-version-check", "-c", str(LOCK)]
    subprocess.run([*pip, "--quiet", "pip"], check=True)
    # A copy of the tree as a fresh clone has it: none of the dev install's build folders.
    source = tmp_path_factory.mktemp("source")
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    for name in filter(None, listed.stdout.split("\0")):
        if (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    installed = subprocess.run(
        [*pip, "-v", "--build-constraint", str(LOCK), str(source)],
        capture_output=True,
        text=True,
        check=True,
    )
    return venv / "bin", installed.stdout + installed.stderr


def test_installing_prints_no_setuptools_warning(plain_install: tuple[Path, str]) -> None:
    _, log = plain_install
    assert "Successfully installed" in log and "hflint" in log
    # setuptools' warnings about packaging: data folders not listed as packages, deprecated options.
    for sign in ("SetuptoolsDeprecationWarning", "would be ignored", "is absent"):
        assert sign not in log, log[log.find(sign) - 2000 : log.find(sign) + 500]


@pytest.mark.parametrize(
    ("command", "missing"),
    [
        (["exec", "fixtures/sample_suite/test_hf_bert.py"], "torch and transformers"),
        (["hardware"], "torch"),
    ],
)
def test_exec_without_torch_says_what_to_install(
    plain_install: tuple[Path, str], command: list[str], missing: str
) -> None:
    bin_dir, _ = plain_install
    result = subprocess.run(
        [str(bin_dir / "hflint"), *command], capture_output=True, text=True, cwd=REPO, check=False
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"hflint {command[0]} needs {missing}, not installed" in result.stderr
    assert "pip install 'hflint[exec]'" in result.stderr and "Installing torch" in result.stderr
