"""Each codemod in `hflint.codemods` run on its own by LibCST's own tool, as users run codemods:

    python -m libcst.tool codemod rename_test_class.RenameTestClassCommand --old-name X FILE

The tool finds its `.libcst.codemod.yaml` from the working directory, so each test runs in a
tmp_path holding one that lists `hflint.codemods`, on a file named `test_hf_bart.py` (the codemods
take the model from the file name, as hflint's fixes do).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from hflint.cli import cli

CONFIG = """\
generated_code_marker: '@generated'
formatter: []
blacklist_patterns: []
modules:
- 'hflint.codemods'
repo_root: '.'
"""
TARGET = "test_hf_bart.py"


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / ".libcst.codemod.yaml").write_text(CONFIG, encoding="utf-8")
    return tmp_path


def codemod(workdir: Path, command: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "libcst.tool",
            "codemod",
            "--no-format",
            "--hide-progress",
            command,
            *args,
            TARGET,
        ],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def transform(workdir: Path, source: str, command: str, *args: str) -> str:
    """Run the codemod on `source` as test_hf_bart.py; the new text, checked to parse."""
    target = workdir / TARGET
    target.write_text(source, encoding="utf-8")
    result = codemod(workdir, command, *args)
    assert result.returncode == 0, result.stderr
    assert "Transformed 1 files successfully." in result.stderr, result.stderr
    assert "Failed to codemod 0 files." in result.stderr
    text = target.read_text(encoding="utf-8")
    assert text != source
    ast.parse(text, TARGET)
    return text


def lint_codes(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.chdir(workdir)
    result = CliRunner().invoke(cli, ["--no-cache", "--format", "concise", "-q", TARGET])
    return sorted(line.split()[1] for line in result.stdout.splitlines())


def test_rename_test_class(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = (
        "class TestT5Models:\n"
        "    pass\n\n\n"
        "class SlowTests(TestT5Models):\n"
        "    pass\n\n\n"
        "def main() -> int:\n"
        "    tests: TestT5Models = TestT5Models()\n"
        '    return 0 if tests.run_tests()["results"] else 1\n'
    )
    text = transform(
        workdir, source, "rename_test_class.RenameTestClassCommand", "--old-name", "TestT5Models"
    )
    assert text == source.replace("TestT5Models", "TestBartModels")
    assert "TestT5Models" not in text
    assert "HF102" not in lint_codes(workdir, monkeypatch)


def test_rename_is_skipped_when_the_new_name_is_taken(workdir: Path) -> None:
    source = "class TestT5Models:\n    pass\n\n\nclass TestBartModels:\n    pass\n"
    (workdir / TARGET).write_text(source, encoding="utf-8")
    result = codemod(
        workdir, "rename_test_class.RenameTestClassCommand", "--old-name", "TestT5Models"
    )
    assert result.returncode == 0, result.stderr
    assert "Skipped 1 files." in result.stderr
    assert "TestBartModels is already defined" in result.stderr
    assert (workdir / TARGET).read_text(encoding="utf-8") == source


def test_add_test_method(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = (
        "class TestBartModels:\n"
        "    def __init__(self, model_id=None, device=None):\n"
        "        self.model_id = model_id\n"
        "        self.device = device\n"
    )
    text = transform(
        workdir, source, "add_test_method.AddTestMethodCommand", "--method", "test_pipeline"
    )
    # Appended to the class, with the import the method needs; nothing else changed.
    assert text.startswith("import time\n" + source)
    tree = ast.parse(text)
    [test_class] = [node for node in tree.body if isinstance(node, ast.ClassDef)]
    assert [f.name for f in test_class.body if isinstance(f, ast.FunctionDef)] == [
        "__init__",
        "test_pipeline",
    ]
    # bart's default task in the catalog, fed the task's canonical input.
    assert 'pipeline("fill-mask", model=self.model_id, device=self.device)' in text
    assert 'pipe(f"Paris is the {pipe.tokenizer.mask_token} of France.")' in text
    codes = lint_codes(workdir, monkeypatch)
    assert "HF103" not in codes and "HF104" in codes


def test_add_test_method_is_skipped_without_a_test_class(workdir: Path) -> None:
    source = "def helper():\n    pass\n"
    (workdir / TARGET).write_text(source, encoding="utf-8")
    result = codemod(workdir, "add_test_method.AddTestMethodCommand", "--method", "run_tests")
    assert result.returncode == 0, result.stderr
    assert "Skipped 1 files." in result.stderr
    assert (workdir / TARGET).read_text(encoding="utf-8") == source


def test_add_test_class(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = "import unittest\n\n\nclass TestHFBart(unittest.TestCase):\n    pass\n"
    text = transform(workdir, source, "add_test_class.AddTestClassCommand")
    assert "class TestHFBart(unittest.TestCase):\n    pass\n" in text  # kept as it was
    classes = [n.name for n in ast.parse(text).body if isinstance(n, ast.ClassDef)]
    assert classes == ["TestHFBart", "TestBartModels"]
    # With the module-level helpers and imports the class uses.
    assert "def select_device():" in text
    assert "import time\n" in text
    assert "self.model_id = model_id or DEFAULT_MODEL_ID" in text
    assert 'DEFAULT_MODEL_ID = "facebook/bart-large"' in text  # the catalog's checkpoint
    assert "HF101" not in lint_codes(workdir, monkeypatch)


def test_add_main_entry(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = (
        "class TestBartModels:\n"
        "    def __init__(self, model_id=None, device=None):\n"
        "        self.model_id = model_id\n"
        "        self.device = device\n\n"
        "    def test_pipeline(self):\n"
        '        return {"success": True}\n\n'
        "    def run_tests(self):\n"
        '        return {"results": {"test_pipeline": self.test_pipeline()}, "metadata": {}}\n'
    )
    text = transform(workdir, source, "add_main_entry.AddMainEntryCommand")
    assert text.endswith('\n\nif __name__ == "__main__":\n    sys.exit(main())\n')
    assert "def main(argv=None):" in text
    assert "    tests = TestBartModels(model_id=args.model, device=args.device)\n" in text
    assert "import sys\n" in text
    assert lint_codes(workdir, monkeypatch) == []


def test_add_main_entry_replace_main(workdir: Path) -> None:
    source = (
        "import sys\n\n\n"
        "class TestBartModels:\n"
        "    pass\n\n\n"
        "def main():\n"
        '    print("old main")\n\n\n'
        'if __name__ == "__main__":\n'
        "    main()\n"
    )
    text = transform(workdir, source, "add_main_entry.AddMainEntryCommand", "--replace-main")
    assert 'print("old main")' not in text
    assert "def main(argv=None):" in text
    assert text.endswith('if __name__ == "__main__":\n    sys.exit(main())\n')
    assert text.count("def main(") == 1


def test_fix_constructor(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = (
        "class TestBartModels:\n"
        "    def __init__(self, model_id):\n"
        '        """Build it."""\n'
        '        self.model_id = model_id or "facebook/bart-base"\n\n'
        "    def test_pipeline(self):\n"
        '        return {"success": True}\n'
    )
    text = transform(workdir, source, "fix_constructor.FixConstructorCommand")
    assert text == (
        "class TestBartModels:\n"
        "    def __init__(self, model_id=None, device=None):\n"
        '        """Build it."""\n'
        "        self.device = device\n"
        '        self.model_id = model_id or "facebook/bart-base"\n\n'
        "    def test_pipeline(self):\n"
        '        return {"success": True}\n'
    )
    assert "HF106" not in lint_codes(workdir, monkeypatch)


def test_collect_results(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = (
        "class TestBartModels:\n"
        "    def __init__(self, model_id=None, device=None):\n"
        "        self.model_id, self.device = model_id, device\n\n"
        "    def test_pipeline(self):\n"
        '        return {"success": True}\n\n'
        "    def run_tests(self):\n"
        "        self.test_pipeline()  # the only test\n"
        '        print("done")\n'
    )
    text = transform(workdir, source, "collect_results.CollectResultsCommand")
    assert text == source.replace(
        "    def run_tests(self):\n        self.test_pipeline()",
        '    def run_tests(self):\n        results = {}\n        results["pipeline"] = self.test_pipeline()',
    ) + (
        '        return {"results": results, "metadata": {"model_id": self.model_id, '
        '"device": str(self.device)}}\n'
    )
    assert "HF107" not in lint_codes(workdir, monkeypatch)


def test_the_readme_example_runs_as_printed(tmp_path: Path) -> None:
    """README's shell block, run as is in a directory holding the file it names."""
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    blocks = [block.split("\n", 1)[1] for block in readme.split("```")[1::2]]
    (example,) = [block for block in blocks if "libcst.tool codemod" in block]
    (tmp_path / TARGET).write_text("class TestT5Models:\n    pass\n", encoding="utf-8")
    bin_dir = str(Path(sys.executable).parent)  # `python` is this environment's interpreter
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", example],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / TARGET).read_text(encoding="utf-8") == "class TestBartModels:\n    pass\n"
