"""The device codemods (HF301-HF303) run on their own by LibCST's tool, as users run codemods:

    python -m libcst.tool codemod use_selected_device.UseSelectedDeviceCommand test_hf_bart.py

Each test runs in a tmp_path holding a `.libcst.codemod.yaml` that lists `hflint.codemods`, on a
file named `test_hf_bart.py`, and checks the result parses and settles the rule.
"""

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
TARGET = "test_hf_bart.py"
TOOL = (sys.executable, "-m", "libcst.tool", "codemod", "--no-format", "--hide-progress")
PROBES = "import torch\n\nHAS_CUDA = torch.cuda.is_available()\n\n\n"


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / ".libcst.codemod.yaml").write_text(CONFIG, encoding="utf-8")
    return tmp_path


def codemod(workdir: Path, source: str, command: str, *args: str) -> tuple[str, str]:
    """(the file after the codemod, the tool's stderr)."""
    target = workdir / TARGET
    target.write_text(source, encoding="utf-8")
    result = subprocess.run(
        [*TOOL, command, *args, TARGET],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    text = target.read_text(encoding="utf-8")
    ast.parse(text, TARGET)
    return text, result.stderr


def remaining(code: str, text: str) -> list[str]:
    return [f.report.message for f in lint_text(TARGET, text, [all_rules()[code]]).findings]


def test_add_device_selection(workdir: Path) -> None:
    source = (
        f"{PROBES}class TestBartModels:\n"
        "    def __init__(self, model_id=None, device=None):\n"
        "        self.device = device\n\n"
        "    def test_pipeline(self):\n"
        "        return pipeline('fill-mask', device=self.device)\n"
    )
    text, _ = codemod(workdir, source, "add_device_selection.AddDeviceSelectionCommand")
    assert "        self.device = device or select_device()\n" in text
    assert text.count("def select_device():") == 1
    assert remaining("HF301", text) == []
    # A second run has nothing left to do.
    again, stderr = codemod(workdir, text, "add_device_selection.AddDeviceSelectionCommand")
    assert again == text and "Skipped 1 files." in stderr


def test_add_device_selection_replaces_a_fixed_choice_only_when_unsafe(workdir: Path) -> None:
    source = (
        f"{PROBES}class TestBartModels:\n"
        "    def __init__(self, model_id=None, device=None):\n"
        "        self.device = device or 'cpu'\n\n"
        "    def run_tests(self):\n"
        "        return self.device\n"
    )
    text, stderr = codemod(workdir, source, "add_device_selection.AddDeviceSelectionCommand")
    assert text == source and "Skipped 1 files." in stderr
    text, _ = codemod(workdir, source, "add_device_selection.AddDeviceSelectionCommand", "--unsafe")
    assert "        self.device = device or select_device()\n" in text


def test_use_selected_device(workdir: Path) -> None:
    source = (
        "import torch\n\n\n"
        "def select_device(preferred=None):\n"
        "    return preferred or ('cuda' if torch.cuda.is_available() else 'cpu')\n\n\n"
        "def warm_up(model_id):\n"
        "    return pipeline('fill-mask', model=model_id, device=0)\n\n\n"
        "class TestBartModels:\n"
        "    def __init__(self, model_id=None, device=None):\n"
        "        self.model_id = model_id\n"
        "        self.device = select_device(device)\n\n"
        "    def test_pipeline(self):\n"
        "        return pipeline('fill-mask', model=self.model_id, device='cuda')\n\n"
        "    def test_from_pretrained(self, device=None):\n"
        "        device = device or self.device\n"
        "        model = load(self.model_id).cuda(non_blocking=True)\n"
        "        if torch.cuda.is_available():\n"
        "            model = model.cuda()\n"
        "        return model.to(torch.device('cuda', 1))\n"
    )
    text, _ = codemod(workdir, source, "use_selected_device.UseSelectedDeviceCommand")
    assert "device=select_device())\n" in text
    assert "device=self.device)\n" in text
    assert "load(self.model_id).to(device, non_blocking=True)\n" in text
    assert "            model = model.cuda()\n" in text  # checked first: left alone
    assert "torch.device('cuda', 1)" in text  # another GPU: only with --unsafe
    assert len(remaining("HF302", text)) == 1
    text, _ = codemod(workdir, text, "use_selected_device.UseSelectedDeviceCommand", "--unsafe")
    assert "return model.to(torch.device(device))\n" in text
    assert remaining("HF302", text) == []


def test_use_selected_device_adds_select_device_when_missing(workdir: Path) -> None:
    source = (
        "def warm_up(model_id):\n    return pipeline('fill-mask', model=model_id, device='cuda')\n"
    )
    text, _ = codemod(workdir, source, "use_selected_device.UseSelectedDeviceCommand")
    assert text.startswith("def select_device():\n")
    assert "    return pipeline('fill-mask', model=model_id, device=select_device())\n" in text


@pytest.mark.parametrize(
    ("attribute", "assignment"),
    [
        ("device", "self.device = device or select_device()"),
        ("model_id", "self.model_id = model_id"),
    ],
)
def test_assign_attribute(workdir: Path, attribute: str, assignment: str) -> None:
    source = (
        "class TestBartModels:\n"
        "    def __init__(self, *args):\n"
        '        """Build it."""\n'
        "        self.args = args\n\n"
        "    def run_tests(self):\n"
        "        return self.model_id, self.device\n"
    )
    text, _ = codemod(
        workdir, source, "assign_attribute.AssignAttributeCommand", "--attribute", attribute
    )
    # The parameter is keyword-only after *args, so positional calls keep their meaning.
    assert f"    def __init__(self, *args, {attribute}=None):\n" in text
    assert f'        """Build it."""\n        {assignment}\n        self.args = args\n' in text
    assert [m for m in remaining("HF303", text) if f"self.{attribute}`" in m] == []
