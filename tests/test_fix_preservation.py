"""`hflint check --fix` end to end: what it writes, what it leaves alone, and what it reports.

Every test runs the real command line (click's CliRunner, in process) on real files in tmp_path,
with the working directory there so paths print relative to it, as users see them.
"""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from hflint.cli import cli

# A file every rule accepts, for the model its file name gives (`cls` is its test class).
CLEAN = '''\
"""Checks that the model runs."""

import sys


class {cls}:
    def __init__(self, model_id=None, device=None):
        self.model_id = model_id
        self.device = device

    def test_pipeline(self):
        return {{"success": True}}

    def run_tests(self):
        return {{"results": {{"test_pipeline": self.test_pipeline()}}, "metadata": {{}}}}


def main():
    results = {cls}().run_tests()["results"]
    return 0 if all(r["success"] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
'''
PIPELINE = """\
    def test_pipeline(self):
        return {{"success": True}}

"""
# Only HF103 (safe): the skeleton's `test_pipeline()` gets inserted into the class.
MISSING_PIPELINE = CLEAN.replace(PIPELINE, "")
# Only HF105, and unsafe: `main()` returns nothing, so the fix would replace it.
SILENT_MAIN = CLEAN.replace(
    '    results = {cls}().run_tests()["results"]\n'
    '    return 0 if all(r["success"] for r in results.values()) else 1\n',
    "    {cls}().run_tests()\n",
).replace("    sys.exit(main())\n", "    main()\n")
# Only HF001, repairable (unsafe): a `try:` without a handler.
UNCLOSED_TRY = "try:\n    import torch\nHAS_TORCH = True\n"
# HF001 with no mechanical repair.
UNREPAIRABLE = "def (:\n    pass\n"
# HF103, HF104, HF105 and HF106, all with safe fixes that insert skeleton code.
BARE_CLASS = "class {cls}:\n    pass\n"

BOM = codecs.BOM_UTF8
# `--show-fixes` lists "N <multiplication sign> CODE (name)" per file.
TIMES = "\N{MULTIPLICATION SIGN}"


def hflint(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="hflint")


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: Path, text: str, *, newline: str = "\n", encoding: str = "utf-8") -> bytes:
    data = text.replace("\n", newline).encode(encoding)
    path.write_bytes(data)
    return data


def test_templates_are_what_the_tests_assume(tmp_path: Path) -> None:
    # Guards the other tests: each template has exactly the problems they rely on.
    write(tmp_path / "test_hf_bert.py", CLEAN.format(cls="TestBertModels"))
    write(tmp_path / "test_hf_gpt2.py", MISSING_PIPELINE.format(cls="TestGpt2Models"))
    write(tmp_path / "test_hf_t5.py", SILENT_MAIN.format(cls="TestT5Models"))
    write(tmp_path / "test_hf_opt.py", UNCLOSED_TRY)
    result = hflint("--no-cache", "--format", "concise", "-q")
    codes = sorted(line.split()[1] for line in result.stdout.splitlines())
    assert codes == ["HF001", "HF103", "HF105"], result.output
    assert "test_hf_bert.py" not in result.stdout


# --- what --fix writes ------------------------------------------------------------------------


def test_fix_keeps_crlf_line_endings_including_inserted_code(tmp_path: Path) -> None:
    target = tmp_path / "test_hf_bert.py"
    original = write(target, BARE_CLASS.format(cls="TestBertModels"), newline="\r\n")
    result = hflint("--no-cache", "--fix", "--show-fixes")
    assert result.exit_code == 0, result.output
    data = target.read_bytes()
    # Skeleton code (imports, methods, main, entry) was inserted...
    assert len(data.splitlines()) > 3 * len(original.splitlines())
    assert b"    def test_pipeline(self):\r\n" in data
    assert b'if __name__ == "__main__":\r\n    sys.exit(main())\r\n' in data
    # ...and every line of it ends in CRLF: no bare LF, no bare CR.
    assert data.count(b"\n") == data.count(b"\r\n") == data.count(b"\r")
    assert data.endswith(b"\r\n")
    compile(data, str(target), "exec")
    assert hflint("--no-cache", "test_hf_bert.py").exit_code == 0


def test_unsafe_syntax_repair_keeps_crlf(tmp_path: Path) -> None:
    target = tmp_path / "test_hf_bert.py"
    write(target, UNCLOSED_TRY, newline="\r\n")
    result = hflint("--no-cache", "--fix", "--unsafe-fixes")
    assert result.exit_code == 0, result.output
    data = target.read_bytes()
    assert b"try:\r\n    import torch\r\nfinally:\r\n    pass\r\nHAS_TORCH = True\r\n" in data
    assert data.count(b"\n") == data.count(b"\r\n") == data.count(b"\r")


def test_fix_keeps_a_utf8_bom(tmp_path: Path) -> None:
    target = tmp_path / "test_hf_bert.py"
    target.write_bytes(BOM + MISSING_PIPELINE.format(cls="TestBertModels").encode())
    result = hflint("--no-cache", "--fix")
    assert result.exit_code == 0, result.output
    data = target.read_bytes()
    assert data.startswith(BOM)
    assert not data[len(BOM) :].startswith(BOM)
    text = data[len(BOM) :].decode("utf-8")
    assert text.startswith('"""Checks that the model runs."""\n')
    assert "    def test_pipeline(self):\n" in text


def test_fix_keeps_a_latin1_file_latin1(tmp_path: Path) -> None:
    target = tmp_path / "test_hf_bert.py"
    text = "# -*- coding: latin-1 -*-\n# Modèle testé: café crème\n" + MISSING_PIPELINE.format(
        cls="TestBertModels"
    ).replace('"""Checks that the model runs."""', '"""Vérifie le modèle à Zürich."""')
    write(target, text, encoding="latin-1")
    result = hflint("--no-cache", "--fix")
    assert result.exit_code == 0, result.output
    data = target.read_bytes()
    assert data.startswith(b"# -*- coding: latin-1 -*-\n# Mod\xe8le test\xe9: caf\xe9 cr\xe8me\n")
    assert '"""Vérifie le modèle à Zürich."""'.encode("latin-1") in data
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # still latin-1, not re-encoded as UTF-8
    fixed = data.decode("latin-1")
    assert "    def test_pipeline(self):\n" in fixed
    assert fixed.count("Modèle") == 1


@pytest.mark.parametrize("mode", [0o755, 0o600, 0o640])
def test_fix_keeps_the_file_mode(tmp_path: Path, mode: int) -> None:
    target = tmp_path / "test_hf_bert.py"
    original = write(target, MISSING_PIPELINE.format(cls="TestBertModels"))
    target.chmod(mode)
    result = hflint("--no-cache", "--fix")
    assert result.exit_code == 0, result.output
    assert target.read_bytes() != original
    assert stat.S_IMODE(target.stat().st_mode) == mode


def test_fix_replaces_the_file_atomically(tmp_path: Path) -> None:
    target = tmp_path / "test_hf_bert.py"
    write(target, MISSING_PIPELINE.format(cls="TestBertModels"))
    write(tmp_path / "test_hf_gpt2.py", BARE_CLASS.format(cls="TestGpt2Models"))
    inode = target.stat().st_ino
    result = hflint("--no-cache", "--fix")
    assert result.exit_code == 0, result.output
    # Written to a temporary file and renamed over the original, which leaves nothing behind.
    assert sorted(os.listdir(tmp_path)) == ["test_hf_bert.py", "test_hf_gpt2.py"]
    assert target.stat().st_ino != inode
    assert "def test_pipeline" in target.read_text()


def test_a_second_fix_changes_nothing(tmp_path: Path) -> None:
    write(tmp_path / "test_hf_bert.py", BARE_CLASS.format(cls="TestBertModels"), newline="\r\n")
    write(tmp_path / "test_hf_gpt2.py", MISSING_PIPELINE.format(cls="TestGpt2Models"))
    write(tmp_path / "test_hf_bart.py", CLEAN.format(cls="TestT5Models"))
    write(tmp_path / "test_hf_t5.py", SILENT_MAIN.format(cls="TestT5Models"))
    first = hflint("--no-cache", "--fix")
    assert first.exit_code == 1, first.output  # HF105 (unsafe) remains in test_hf_t5.py
    after_first = {p.name: p.read_bytes() for p in tmp_path.glob("*.py")}

    second = hflint("--no-cache", "--fix", "--show-fixes")
    assert {p.name: p.read_bytes() for p in tmp_path.glob("*.py")} == after_first
    assert second.exit_code == 1, second.output
    assert "No errors fixed." in second.stdout
    assert "[*]" not in second.stdout  # nothing marked fixable
    assert "fixable with the" not in second.stdout
    assert second.stdout.endswith(
        "Found 1 error.\n"
        "No fixes available (1 hidden fixes can be enabled with the `--unsafe-fixes` option).\n"
    )

    # With the unsafe fix applied too, a further run has nothing at all to do.
    assert hflint("--no-cache", "--fix", "--unsafe-fixes").exit_code == 0
    fixed = {p.name: p.read_bytes() for p in tmp_path.glob("*.py")}
    third = hflint("--no-cache", "--fix", "--unsafe-fixes", "--show-fixes")
    assert third.exit_code == 0, third.output
    assert third.stdout == "No errors fixed.\nAll checks passed!\n"
    assert {p.name: p.read_bytes() for p in tmp_path.glob("*.py")} == fixed


# --- --diff ------------------------------------------------------------------------------------


def test_diff_writes_nothing_and_exits_1_when_there_is_a_diff(tmp_path: Path) -> None:
    target = tmp_path / "test_hf_bert.py"
    original = write(target, MISSING_PIPELINE.format(cls="TestBertModels"))
    result = hflint("--no-cache", "--diff")
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith("--- test_hf_bert.py\n+++ test_hf_bert.py\n@@ ")
    assert "+    def test_pipeline(self):\n" in result.stdout
    assert "Would fix 1 error." in result.stderr
    assert target.read_bytes() == original
    assert sorted(os.listdir(tmp_path)) == ["test_hf_bert.py"]


def test_diff_exits_0_when_there_is_none(tmp_path: Path) -> None:
    write(tmp_path / "test_hf_bert.py", CLEAN.format(cls="TestBertModels"))
    # An unsafe fix is no diff unless --unsafe-fixes asks for it.
    write(tmp_path / "test_hf_gpt2.py", SILENT_MAIN.format(cls="TestGpt2Models"))
    result = hflint("--no-cache", "--diff")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "Would fix 0 errors." in result.stderr

    unsafe = hflint("--no-cache", "--diff", "--unsafe-fixes")
    assert unsafe.exit_code == 1, unsafe.output
    assert unsafe.stdout.startswith("--- test_hf_gpt2.py\n")
    assert "+    sys.exit(main())\n" in unsafe.stdout
    assert (tmp_path / "test_hf_gpt2.py").read_text() == SILENT_MAIN.format(cls="TestGpt2Models")


# --- unsafe fixes ------------------------------------------------------------------------------


def test_fix_without_unsafe_fixes_leaves_unsafe_problems_and_lists_them_as_hidden(
    tmp_path: Path,
) -> None:
    broken = write(tmp_path / "test_hf_opt.py", UNCLOSED_TRY)
    silent = write(tmp_path / "test_hf_t5.py", SILENT_MAIN.format(cls="TestT5Models"))
    result = hflint("--no-cache", "--fix")
    assert result.exit_code == 1, result.output
    assert (tmp_path / "test_hf_opt.py").read_bytes() == broken
    assert (tmp_path / "test_hf_t5.py").read_bytes() == silent
    assert "test_hf_opt.py:3:1: HF001 Syntax error: expected 'except' or 'finally' block" in (
        result.stdout
    )
    assert "test_hf_t5.py:" in result.stdout and " HF105 " in result.stdout
    assert result.stdout.endswith(
        "Found 2 errors.\n"
        "No fixes available (2 hidden fixes can be enabled with the `--unsafe-fixes` option).\n"
    )

    unsafe = hflint("--no-cache", "--fix", "--unsafe-fixes", "--show-fixes")
    assert unsafe.exit_code == 0, unsafe.output
    repaired = (tmp_path / "test_hf_opt.py").read_text()
    assert "try:\n    import torch\nfinally:\n    pass\nHAS_TORCH = True\n" in repaired
    compile(repaired, "test_hf_opt.py", "exec")
    assert "sys.exit(main())" in (tmp_path / "test_hf_t5.py").read_text()
    assert f"    1 {TIMES} HF001 (syntax-error)\n" in unsafe.stdout
    assert f"    1 {TIMES} HF105 (missing-main-entry)\n" in unsafe.stdout


def test_show_fixes_counts_are_exact(tmp_path: Path) -> None:
    write(tmp_path / "test_hf_bert.py", BARE_CLASS.format(cls="TestBertModels"))
    write(tmp_path / "test_hf_bart.py", CLEAN.format(cls="TestT5Models"))  # HF102 only
    write(tmp_path / "test_hf_gpt2.py", CLEAN.format(cls="TestGpt2Models"))  # clean
    result = hflint("--no-cache", "--fix", "--show-fixes")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Fixed 5 errors:\n"
        "- test_hf_bart.py:\n"
        f"    1 {TIMES} HF102 (test-class-name-mismatch)\n"
        "- test_hf_bert.py:\n"
        f"    1 {TIMES} HF103 (missing-test-pipeline)\n"
        f"    1 {TIMES} HF104 (missing-run-tests)\n"
        f"    1 {TIMES} HF105 (missing-main-entry)\n"
        f"    1 {TIMES} HF106 (constructor-contract)\n"
        "\n"
        "Fixed 5 errors; all checks passed!\n"
    )
    assert (tmp_path / "test_hf_bart.py").read_text() == CLEAN.format(cls="TestBartModels")


# --- files no repair can fix -------------------------------------------------------------------


def test_unrepairable_syntax_error_is_reported_left_alone_and_others_fixed(
    tmp_path: Path,
) -> None:
    # No model of the catalog is named `notamodel`: there is no skeleton to regenerate it from.
    broken = write(tmp_path / "test_hf_notamodel.py", UNREPAIRABLE)
    write(tmp_path / "test_hf_bert.py", MISSING_PIPELINE.format(cls="TestBertModels"))
    result = hflint("--no-cache", "--fix", "--unsafe-fixes", "--show-fixes")
    assert result.exit_code == 1, result.output
    assert (tmp_path / "test_hf_notamodel.py").read_bytes() == broken
    [line] = [
        line
        for line in result.stdout.splitlines()
        if line.startswith("test_hf_notamodel.py") and " HF001 " in line
    ]
    assert line.startswith("test_hf_notamodel.py:1:5: HF001 Syntax error: invalid syntax")
    # The message says how to get out of it.
    assert "no mechanical repair applies, correct line 1 by hand" in line
    assert "python -m py_compile" in line
    assert "[*]" not in line
    # The other file of the same run was still fixed.
    assert "def test_pipeline" in (tmp_path / "test_hf_bert.py").read_text()
    assert f"- test_hf_bert.py:\n    1 {TIMES} HF103 (missing-test-pipeline)\n" in result.stdout
    assert "Found 3 errors (1 fixed, 2 remaining)." in result.stdout  # HF001 and HF503 remain


def test_unrepairable_file_of_a_catalog_model_is_regenerated_keeping_what_parses(
    tmp_path: Path,
) -> None:
    registry = (
        "OPT_MODELS_REGISTRY = {\n"
        '    "facebook/opt-350m": {"task": "text-generation", "class": "OPTForCausalLM"},\n'
        "}\n"
    )
    source = (
        "import os\n"
        f"{registry}"
        "class TestOptModels:\n"
        "    def __init__(self, model_id=None):\n"
        '        self.model_id = model_id or "facebook/opt-350m"\n'
        "    def test_environment(self):\n"
        '        return {"success": bool(os.sep)}\n'
        "    def test_broken(self:\n"
        "        pass\n"
        "def (:\n"
        "    pass\n"
    )
    write(tmp_path / "test_hf_opt.py", source)
    result = hflint("--no-cache", "--fix", "--unsafe-fixes", "--show-fixes")
    assert "HF001 (syntax-error)" in result.stdout, result.output
    fixed = (tmp_path / "test_hf_opt.py").read_text()
    compile(fixed, "test_hf_opt.py", "exec")
    assert registry in fixed
    assert 'DEFAULT_MODEL_ID = "facebook/opt-350m"' in fixed
    assert "    def test_environment(self):\n" in fixed and "test_broken" not in fixed
    assert "def test_pipeline(self):" in fixed  # the skeleton's own tests
    second = hflint("--no-cache", "--fix", "--unsafe-fixes")
    assert (tmp_path / "test_hf_opt.py").read_text() == fixed, second.output
