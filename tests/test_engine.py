"""The engine end to end through the command line: discovery, suppression, selection, config
errors, the cache, parallel runs, unreadable files, exit codes, output options and formats, and
the `rules`, `rule` and `init` commands.

Most tests run the CLI in process with click's CliRunner (fast); the ones about the installed
`hflint` executable itself run it as a subprocess. All work on real files in tmp_path, with the
working directory there so paths print relative to it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner, Result

from hflint.cli import cli
from hflint.output.summary import summary
from hflint.rule import all_rules, gate_codes

HFLINT = Path(sys.executable).parent / "hflint"
SARIF_SCHEMA_PATH = Path(__file__).parent / "data" / "sarif-2.1.0.json"

# A file every rule accepts, for the model its file name gives (`cls` is its test class).
CLEAN = """\
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
"""
# Only HF103 (safe fix), reported on line 4.
MISSING_PIPELINE = CLEAN.replace(
    '    def test_pipeline(self):\n        return {{"success": True}}\n\n', ""
)
# HF103, HF104 and HF106 on line 1, HF105 on line 2; all safe fixes.
BARE_CLASS = "class {cls}:\n    pass\n"
BARE_CODES = ["HF103", "HF104", "HF105", "HF106"]


def hflint(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="hflint")


def run_hflint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(HFLINT), *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def bare(path: Path) -> Path:
    """A test file with four problems, for the model its name gives."""
    model = path.stem.removeprefix("test_hf_")
    return write(path, BARE_CLASS.format(cls=f"Test{model.capitalize()}Models"))


def concise(*args: str) -> list[tuple[str, str]]:
    """(path, code) of every diagnostic a quiet concise run prints."""
    result = hflint("--no-cache", "--format", "concise", "-q", *args)
    assert result.exit_code in (0, 1), result.output
    return [
        (match[1], match[2])
        for match in re.finditer(r"^(.+?):\d+:\d+: (HF\d{3}) ", result.stdout, re.M)
    ]


def checked_files(*args: str) -> set[str]:
    return {path for path, _ in concise(*args)}


def codes(*args: str) -> list[str]:
    return sorted(code for _, code in concise(*args))


# --- discovery ---------------------------------------------------------------------------------


def test_default_include_checks_only_test_hf_files(tmp_path: Path) -> None:
    for name in (
        "test_hf_bert.py",
        "models/test_hf_gpt2.py",
        "helper.py",
        "test_bert.py",
        "hf_test_t5.py",
        "test_hf_bert.txt",
        # Directories leave out by default, as in ruff.
        ".venv/test_hf_opt.py",
        "build/test_hf_opt.py",
        "__pycache__/test_hf_opt.py",
    ):
        bare(tmp_path / name)
    assert checked_files() == {"test_hf_bert.py", "models/test_hf_gpt2.py"}


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        # `exclude` replaces the default list, so build/ is checked again...
        ("exclude", {"build/test_hf_b.py", "test_hf_c.py"}),
        # ...`extend-exclude` adds to it.
        ("extend-exclude", {"test_hf_c.py"}),
    ],
)
def test_exclude_and_extend_exclude_from_pyproject(
    tmp_path: Path, key: str, expected: set[str]
) -> None:
    write(tmp_path / "pyproject.toml", f'[tool.hflint]\n{key} = ["legacy/", "test_hf_d*.py"]\n')
    for name in ("legacy/test_hf_a.py", "build/test_hf_b.py", "test_hf_c.py", "test_hf_d.py"):
        bare(tmp_path / name)
    assert checked_files() == expected


def test_gitignore_is_respected_in_a_git_repository(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True, env=env)
    write(tmp_path / ".gitignore", "generated/\n")
    write(tmp_path / "models" / ".gitignore", "test_hf_old.py\n")
    for name in (
        "test_hf_bert.py",
        "generated/test_hf_gpt2.py",
        "models/test_hf_old.py",
        "models/test_hf_t5.py",
    ):
        bare(tmp_path / name)
    assert checked_files() == {"test_hf_bert.py", "models/test_hf_t5.py"}

    write(tmp_path / "pyproject.toml", "[tool.hflint]\nrespect-gitignore = false\n")
    assert checked_files() == {
        "test_hf_bert.py",
        "generated/test_hf_gpt2.py",
        "models/test_hf_old.py",
        "models/test_hf_t5.py",
    }


def test_a_file_named_on_the_command_line_is_always_checked(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.hflint]\nextend-exclude = ["legacy/"]\n')
    bare(tmp_path / "legacy" / "test_hf_bert.py")
    bare(tmp_path / "helper.py")
    bare(tmp_path / "test_hf_gpt2.py")
    assert checked_files() == {"test_hf_gpt2.py"}
    assert checked_files("legacy/test_hf_bert.py", "helper.py") == {
        "legacy/test_hf_bert.py",
        "helper.py",
    }


def test_a_file_reached_twice_is_checked_and_fixed_once(tmp_path: Path) -> None:
    bare(tmp_path / "test_hf_bert.py")
    spellings = (str(tmp_path), "test_hf_bert.py", "./test_hf_bert.py", ".")
    assert codes(*spellings) == BARE_CODES
    result = hflint("--no-cache", "--fix", "--show-fixes", *spellings)
    assert result.exit_code == 0, result.output
    assert result.stdout.count("- test_hf_bert.py:") == 1
    assert "Fixed 4 errors; all checks passed!" in result.stdout


def test_a_missing_path_is_an_error_and_the_others_are_still_checked(tmp_path: Path) -> None:
    bare(tmp_path / "test_hf_bert.py")
    result = hflint("--no-cache", "nothere.py", "test_hf_bert.py", "missing_dir/")
    assert result.exit_code == 2
    assert "hflint: error: nothere.py: no such file or directory" in result.stderr
    assert "hflint: error: missing_dir/: no such file or directory" in result.stderr
    assert "test_hf_bert.py:1:7: HF103 " in result.stdout
    assert "Found 4 errors." in result.stdout
    assert result.stdout.endswith("Not found, so not checked: nothere.py, missing_dir/\n")


def test_a_missing_path_next_to_a_clean_file_is_not_all_passed(tmp_path: Path) -> None:
    write(tmp_path / "test_hf_bert.py", CLEAN.format(cls="TestBertModels"))
    result = hflint("--no-cache", "test_hf_bert.py", "nothere.py")
    assert result.exit_code == 2
    assert result.stdout == (
        "All checks passed for the 1 file checked.\nNot found, so not checked: nothere.py\n"
    )


def test_a_file_hflint_failed_on_is_named_in_the_summary_not_all_passed() -> None:
    text = summary(
        [], fixed=0, vanished=0, unsafe_fixes=False, files=3, missing=[], crashed=["b.py"]
    )
    assert text == (
        "All checks passed for the 2 files checked.\nNot checked, after an internal error: b.py\n"
    )


# --- suppression -------------------------------------------------------------------------------


def test_noqa_with_a_code_suppresses_only_that_code_on_that_line(tmp_path: Path) -> None:
    write(tmp_path / "test_hf_bert.py", "class TestBertModels:  # noqa: HF103\n    pass\n")
    assert codes() == ["HF104", "HF105", "HF106"]
    write(tmp_path / "test_hf_bert.py", "class TestBertModels:  # noqa: HF103, HF106\n    pass\n")
    assert codes() == ["HF104", "HF105"]
    # On another line it suppresses nothing.
    write(tmp_path / "test_hf_bert.py", "class TestBertModels:\n    pass  # noqa: HF103\n")
    assert codes() == BARE_CODES


def test_bare_noqa_suppresses_everything_on_its_line(tmp_path: Path) -> None:
    write(tmp_path / "test_hf_bert.py", "class TestBertModels:  # noqa\n    pass\n")
    assert codes() == ["HF105"]  # reported on line 2


def test_file_level_noqa(tmp_path: Path) -> None:
    write(tmp_path / "test_hf_bert.py", "# hflint: noqa\nclass TestBertModels:\n    pass\n")
    # test_hf_bart.py with the t5 class: HF102 plus HF103.
    write(
        tmp_path / "test_hf_bart.py",
        "# hflint: noqa: HF102\n" + MISSING_PIPELINE.format(cls="TestT5Models"),
    )
    assert concise() == [("test_hf_bart.py", "HF103")]
    write(tmp_path / "test_hf_bart.py", MISSING_PIPELINE.format(cls="TestT5Models"))
    assert sorted(concise()) == [("test_hf_bart.py", "HF102"), ("test_hf_bart.py", "HF103")]


def test_per_file_ignores_from_pyproject(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[tool.hflint.per-file-ignores]\n"legacy/test_hf_*.py" = ["HF103", "HF104"]\n',
    )
    bare(tmp_path / "legacy" / "test_hf_bert.py")
    bare(tmp_path / "test_hf_gpt2.py")
    found = concise()
    assert sorted(code for path, code in found if path == "legacy/test_hf_bert.py") == [
        "HF105",
        "HF106",
    ]
    assert sorted(code for path, code in found if path == "test_hf_gpt2.py") == BARE_CODES


# --- selection ---------------------------------------------------------------------------------


def test_select_ignore_and_extend_select(tmp_path: Path) -> None:
    bare(tmp_path / "test_hf_bert.py")
    write(tmp_path / "test_hf_opt.py", "try:\n    import torch\nx = 1\n")  # HF001
    assert codes() == ["HF001", *BARE_CODES]
    assert codes("--select", "HF1") == BARE_CODES
    assert codes("--select", "HF0") == ["HF001"]
    assert codes("--ignore", "HF103") == ["HF001", "HF104", "HF105", "HF106"]
    assert codes("--ignore", "HF103,HF001", "--ignore", "HF106") == ["HF104", "HF105"]
    assert codes("--select", "HF103", "--extend-select", "HF104") == ["HF103", "HF104"]
    assert codes("--select", "HF1", "--ignore", "HF10") == []


@pytest.mark.parametrize("option", ["--select", "--ignore", "--extend-select"])
def test_an_unknown_code_is_a_usage_error_with_a_suggestion(tmp_path: Path, option: str) -> None:
    bare(tmp_path / "test_hf_bert.py")
    result = hflint("--no-cache", option, "HF1O3")
    assert result.exit_code == 2
    assert (
        f"'{option}' has unknown rule code or name 'HF1O3' (did you mean 'HF103'?)" in result.stderr
    )
    assert result.stdout == ""


def test_rule_names_select_as_codes_do(tmp_path: Path) -> None:
    bare(tmp_path / "test_hf_bert.py")
    assert codes("--select", "missing-run-tests,HF105") == ["HF104", "HF105"]
    assert codes("--select", "HF10", "--ignore", "Missing-Test-Pipeline") == [
        "HF104",
        "HF105",
        "HF106",
    ]
    write(
        tmp_path / "pyproject.toml",
        '[tool.hflint]\nselect = ["missing-main-entry", "hf104"]\n'
        '[tool.hflint.per-file-ignores]\n"test_hf_bert.py" = ["missing-run-tests"]\n',
    )
    assert codes() == ["HF105"]


def test_a_misspelt_rule_name_is_quoted_as_typed(tmp_path: Path) -> None:
    bare(tmp_path / "test_hf_bert.py")
    result = hflint("--no-cache", "--select", "test-class-name-mismatc")
    assert result.exit_code == 2
    assert result.stderr == (
        "hflint: error: '--select' has unknown rule code or name 'test-class-name-mismatc' "
        "(did you mean 'test-class-name-mismatch'?)\n"
    )


# --- configuration errors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('selct = ["HF1"]', "unknown key 'selct' (did you mean 'select'?)"),
        ('select = "HF1"', "'select' must be a list of strings, got str"),
        ("respect-gitignore = 1", "'respect-gitignore' must be a boolean, got int"),
        ('ignore = ["HF1", 3]', "'ignore' must be a list of strings, item 1 is int"),
        ('select = ["HF9"]', "'select' has unknown rule code or name 'HF9'"),
        ('per-file-ignores = ["x"]', "'per-file-ignores' must be a table, got list"),
        ('cache-dir = ["x"]', "'cache-dir' must be a string, got list"),
    ],
)
def test_config_errors_exit_2_naming_the_key(tmp_path: Path, table: str, message: str) -> None:
    write(tmp_path / "pyproject.toml", f"[tool.hflint]\n{table}\n")
    bare(tmp_path / "test_hf_bert.py")
    result = hflint("--no-cache")
    assert result.exit_code == 2
    assert result.stderr == f"hflint: error: pyproject.toml: [tool.hflint] {message}\n"
    assert result.stdout == ""


# --- cache -------------------------------------------------------------------------------------


def test_cache(tmp_path: Path) -> None:
    bare(tmp_path / "test_hf_bert.py")
    target = write(tmp_path / "test_hf_gpt2.py", MISSING_PIPELINE.format(cls="TestGpt2Models"))
    first = hflint()
    cache = tmp_path / ".hflint_cache"
    assert (
        (cache / "CACHEDIR.TAG")
        .read_text()
        .startswith("Signature: 8a477f597d28d172789f06886806bc55\n")
    )
    entries = sorted(cache.rglob("*.json"))
    assert len(entries) == 2  # one per file
    snapshot = {entry: entry.read_bytes() for entry in entries}

    second = hflint()
    assert (second.exit_code, second.stdout) == (first.exit_code, first.stdout)
    assert "test_hf_gpt2.py:4:7: HF103 " in second.stdout
    assert {entry: entry.read_bytes() for entry in sorted(cache.rglob("*.json"))} == snapshot

    # Editing a file changes its result: the old entry is not used for the new content.
    write(target, CLEAN.format(cls="TestGpt2Models"))
    third = hflint()
    assert "test_hf_gpt2.py" not in third.stdout
    assert "Found 4 errors." in third.stdout
    assert len(list(cache.rglob("*.json"))) == 3


def test_cache_dir_from_pyproject(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.hflint]\ncache-dir = "build/lint-cache"\n')
    bare(tmp_path / "test_hf_bert.py")
    assert hflint().exit_code == 1
    assert (tmp_path / "build" / "lint-cache" / "CACHEDIR.TAG").is_file()
    assert len(list((tmp_path / "build" / "lint-cache").rglob("*.json"))) == 1
    assert not (tmp_path / ".hflint_cache").exists()


def test_no_cache_writes_no_cache_directory(tmp_path: Path) -> None:
    bare(tmp_path / "test_hf_bert.py")
    assert hflint("--no-cache").exit_code == 1
    assert hflint("--no-cache", "--fix").exit_code == 0
    assert not (tmp_path / ".hflint_cache").exists()


def test_jobs_1_and_jobs_2_give_identical_output(tmp_path: Path) -> None:
    for model in ("bert", "gpt2", "t5", "opt", "bart"):
        bare(tmp_path / f"test_hf_{model}.py")
    for model in ("llama", "mistral"):
        write(tmp_path / f"test_hf_{model}.py", MISSING_PIPELINE.format(cls="TestT5Models"))
    write(tmp_path / "test_hf_phi.py", CLEAN.format(cls="TestPhiModels"))
    write(tmp_path / "test_hf_gemma.py", "try:\n    import torch\nx = 1\n")
    write(tmp_path / "test_hf_qwen.py", "def (:\n")
    outputs = {}
    for jobs in ("1", "2"):
        for format_name in ("text", "json"):
            result = hflint("--no-cache", "--jobs", jobs, "--format", format_name)
            assert result.exit_code == 1, result.output
            outputs[jobs, format_name] = result.stdout
    assert outputs["1", "text"] == outputs["2", "text"]
    assert outputs["1", "json"] == outputs["2", "json"]
    found = re.search(r"^Found (\d+) errors\.$", outputs["1", "text"], re.M)
    assert found is not None
    assert int(found[1]) == len(json.loads(outputs["1", "json"])) > 20
    assert len({d["filename"] for d in json.loads(outputs["1", "json"])}) == 9


# --- files that cannot be read -----------------------------------------------------------------


def test_an_unreadable_file_is_hf000_and_the_others_are_checked(tmp_path: Path) -> None:
    # A dangling link fails to read for every user, root included (a mode-000 file would not).
    bare(tmp_path / "test_hf_gpt2.py")
    (tmp_path / "test_hf_bert.py").symlink_to(tmp_path / "gone.py")
    found = concise()
    assert sorted(code for path, code in found if path == "test_hf_bert.py") == ["HF000"]
    assert any(path == "test_hf_gpt2.py" for path, _ in found)


def test_an_undecodable_file_is_hf000_and_the_others_are_checked(tmp_path: Path) -> None:
    # Not UTF-8, and no coding cookie: Python itself refuses to read it.
    (tmp_path / "test_hf_bert.py").write_bytes(b"class TestBertModels:\n    x = '\xe9\xff'\n")
    write(tmp_path / "test_hf_gpt2.py", MISSING_PIPELINE.format(cls="TestGpt2Models"))
    result = hflint("--no-cache", "--format", "concise")
    assert result.exit_code == 1, result.output
    [line] = [line for line in result.stdout.splitlines() if line.startswith("test_hf_bert.py")]
    assert line.startswith("test_hf_bert.py:1:1: HF000 Cannot read the file: ")
    assert "test_hf_gpt2.py:4:7: HF103 [*] " in result.stdout
    # --fix leaves it as it was.
    before = (tmp_path / "test_hf_bert.py").read_bytes()
    assert hflint("--no-cache", "--fix", "--unsafe-fixes").exit_code == 1
    assert (tmp_path / "test_hf_bert.py").read_bytes() == before


# --- exit codes and output options -------------------------------------------------------------


def test_exit_codes(tmp_path: Path) -> None:
    write(tmp_path / "test_hf_bert.py", CLEAN.format(cls="TestBertModels"))
    clean = hflint("--no-cache")
    assert (clean.exit_code, clean.stdout) == (0, "All checks passed!\n")
    bare(tmp_path / "test_hf_gpt2.py")
    assert hflint("--no-cache").exit_code == 1
    for usage_error in (["--format", "nope"], ["--jobs", "0"], ["--no-such-option"]):
        assert hflint("--no-cache", *usage_error).exit_code == 2, usage_error
    write(tmp_path / "pyproject.toml", "[tool.hflint\n")
    broken_config = hflint("--no-cache")
    assert broken_config.exit_code == 2
    assert "pyproject.toml: invalid TOML" in broken_config.stderr


def test_exit_codes_of_the_installed_executable(tmp_path: Path) -> None:
    bare(tmp_path / "test_hf_bert.py")
    result = run_hflint("check", "--no-cache", ".", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "test_hf_bert.py:1:7: HF103 [*] " in result.stdout
    assert run_hflint("--no-cache", "--exit-zero", cwd=tmp_path).returncode == 0


def test_no_test_files_is_a_warning(tmp_path: Path) -> None:
    bare(tmp_path / "helper.py")
    result = hflint("--no-cache")
    assert result.exit_code == 0
    assert result.stdout == "warning: no test files found (default include: **/test_hf_*.py)\n"


def test_exit_zero(tmp_path: Path) -> None:
    bare(tmp_path / "test_hf_bert.py")
    result = hflint("--no-cache", "--exit-zero")
    assert result.exit_code == 0
    assert "test_hf_bert.py:1:7: HF103 [*] " in result.stdout
    assert "Found 4 errors." in result.stdout


def test_quiet_prints_diagnostics_only(tmp_path: Path) -> None:
    write(tmp_path / "test_hf_bert.py", CLEAN.format(cls="TestBertModels"))
    assert hflint("--no-cache", "-q").stdout == ""
    bare(tmp_path / "test_hf_gpt2.py")
    result = hflint("--no-cache", "--quiet", "--format", "concise")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 4 and all(line.startswith("test_hf_gpt2.py:") for line in lines)
    assert "Found" not in result.stdout and "fixable" not in result.stdout


def test_statistics(tmp_path: Path) -> None:
    bare(tmp_path / "test_hf_bert.py")
    bare(tmp_path / "test_hf_gpt2.py")
    write(tmp_path / "test_hf_bart.py", CLEAN.format(cls="TestT5Models"))
    result = hflint("--no-cache", "--statistics")
    assert result.exit_code == 1
    assert result.stdout == (
        "2\tHF103\t[*] missing-test-pipeline\n"
        "2\tHF104\t[*] missing-run-tests\n"
        "2\tHF105\t[*] missing-main-entry\n"
        "2\tHF106\t[*] constructor-contract\n"
        "1\tHF102\t[*] test-class-name-mismatch\n"
        "Found 9 errors.\n"
        "[*] 9 fixable with the `--fix` option.\n"
    )
    as_json = json.loads(hflint("--no-cache", "--statistics", "--format", "json").stdout)
    assert as_json[0] == {
        "code": "HF103",
        "name": "missing-test-pipeline",
        "count": 2,
        "fixable": True,
        "fixable_count": 2,
    }
    assert [row["code"] for row in as_json] == ["HF103", "HF104", "HF105", "HF106", "HF102"]


def test_output_file(tmp_path: Path) -> None:
    bare(tmp_path / "test_hf_bert.py")
    result = hflint("--no-cache", "--output-file", "report.json", "--format", "json")
    assert result.exit_code == 1
    assert result.stdout == ""
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert sorted(d["code"] for d in report) == BARE_CODES

    text = hflint("--no-cache", "-o", "report.txt")
    assert text.stdout == ""
    written = (tmp_path / "report.txt").read_text(encoding="utf-8")
    assert written.startswith("test_hf_bert.py:1:7: HF103 [*] ")
    assert written.endswith("Found 4 errors.\n[*] 4 fixable with the `--fix` option.\n")


# --- output formats ----------------------------------------------------------------------------


def _apply_json_edits(text: str, edits: list[dict[str, Any]]) -> str:
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(location: dict[str, int]) -> int:
        return starts[location["row"] - 1] + location["column"] - 1

    for edit in sorted(edits, key=lambda e: offset(e["location"]), reverse=True):
        start, end = offset(edit["location"]), offset(edit["end_location"])
        text = text[:start] + edit["content"] + text[end:]
    return text


def test_json_format_has_ruffs_keys_and_fix_edits_that_apply(tmp_path: Path) -> None:
    target = write(tmp_path / "test_hf_bert.py", MISSING_PIPELINE.format(cls="TestBertModels"))
    result = hflint("--no-cache", "--format", "json")
    assert result.exit_code == 1
    [diagnostic] = json.loads(result.stdout)
    assert set(diagnostic) >= {
        "code",
        "message",
        "filename",
        "location",
        "end_location",
        "fix",
        "noqa_row",
        "url",
    }
    assert diagnostic["code"] == "HF103"
    assert diagnostic["filename"] == "test_hf_bert.py"
    assert diagnostic["location"] == {"row": 4, "column": 7}
    assert diagnostic["end_location"] == {"row": 4, "column": 21}
    assert diagnostic["noqa_row"] == 4
    fix = diagnostic["fix"]
    assert set(fix) == {"applicability", "message", "edits"}
    assert fix["applicability"] == "safe"
    assert fix["edits"], "json output must carry the fix's edits"
    for edit in fix["edits"]:
        assert set(edit) == {"content", "location", "end_location"}
    # The edits are exactly what --fix writes.
    patched = _apply_json_edits(target.read_text(), fix["edits"])
    assert hflint("--no-cache", "--fix").exit_code == 0
    assert patched == target.read_text()
    assert "def test_pipeline(self):" in patched


def test_json_lines_format(tmp_path: Path) -> None:
    bare(tmp_path / "test_hf_bert.py")
    result = hflint("--no-cache", "--format", "json-lines")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(r["code"] for r in records) == BARE_CODES
    assert all(r["fix"]["edits"] for r in records)


def test_github_format(tmp_path: Path) -> None:
    bare(tmp_path / "test_hf_bert.py")
    result = hflint("--no-cache", "--format", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 4
    assert all(line.startswith("::error ") for line in lines)
    assert lines[0].startswith(
        "::error title=hflint (HF103),file=test_hf_bert.py,line=1,col=7,endLine=1,endColumn=21::"
    )


def test_junit_format(tmp_path: Path) -> None:
    bare(tmp_path / "test_hf_bert.py")
    write(tmp_path / "test_hf_gpt2.py", CLEAN.format(cls="TestGpt2Models"))
    result = hflint("--no-cache", "--format", "junit")
    assert result.exit_code == 1
    root = ET.fromstring(result.stdout.encode())
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures")) == ("5", "4")
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    assert set(suites) == {"test_hf_bert.py", "test_hf_gpt2.py"}
    failures = suites["test_hf_bert.py"].findall("testcase/failure")
    assert sorted(f.get("type") or "" for f in failures) == BARE_CODES
    assert suites["test_hf_gpt2.py"].findall("testcase/failure") == []


@pytest.mark.parametrize("validator", [jsonschema.Draft7Validator, jsonschema.Draft202012Validator])
def test_sarif_format_is_valid(tmp_path: Path, validator: Any) -> None:
    bare(tmp_path / "test_hf_bert.py")
    write(tmp_path / "test_hf_opt.py", "def (:\n")
    result = hflint("--no-cache", "--format", "sarif")
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    schema = json.loads(SARIF_SCHEMA_PATH.read_text(encoding="utf-8"))
    validator(schema).validate(log)
    [run] = log["runs"]
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert {"HF001", "HF101", "HF102", "HF103", "HF104", "HF105", "HF106"} <= set(rule_ids)
    assert sorted(r["ruleId"] for r in run["results"]) == ["HF001", *BARE_CODES]


# --- rules, rule, help, init -------------------------------------------------------------------


def test_rules_lists_every_rule() -> None:
    result = hflint("rules")
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.stdout.splitlines()]
    # HF000 (a file that cannot be read) is the engine's own, documented like a rule.
    assert listed == ["HF000", *all_rules()]
    assert re.search(r"^HF102 +test-class-name-mismatch +\[safe fix\] ", result.stdout, re.M)
    records = json.loads(hflint("rules", "--format", "json").stdout)
    assert [r["code"] for r in records] == listed


def test_readme_rule_table_is_the_registry() -> None:
    """README documents every rule: its table is `hflint rules --format markdown`, so a rule that
    stops being registered (or one added without a README row) fails here."""
    table = hflint("rules", "--format", "markdown").stdout
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert table.startswith("| code | name | what it finds | fix | gate |\n")
    assert table in readme, "README's rule table is stale: paste `hflint rules --format markdown`"
    codes = re.findall(r"^\| (HF\d{3}) \|", readme, re.M)
    assert codes == ["HF000", *all_rules()]


def test_rule_shows_its_documentation() -> None:
    result = hflint("rule", "HF102")
    assert result.exit_code == 0
    assert result.stdout.startswith("# test-class-name-mismatch (HF102)\n")
    headings = re.findall(r"^## (.+)$", result.stdout, re.M)
    assert headings == ["What it does", "Why it matters", "Example", "Fix safety", "Exec gate"]
    # Also by name.
    assert hflint("rule", "test-class-name-mismatch").stdout == result.stdout


def test_the_gate_is_the_rules_that_say_a_file_cannot_run() -> None:
    """`Rule.GATE` decides the exec gate, and each rule's documentation says which it is."""
    gate = gate_codes()
    # Certain failures are in it (undefined names, reads before assignment) besides the
    # structure, task and device rules; findings that may still run are not.
    assert {"HF000", "HF001", "HF101", "HF201", "HF302", "HF401", "HF402"} <= set(gate)
    assert not {"HF403", "HF404", "HF501", "HF502", "HF503"} & set(gate)
    records = {r["code"]: r for r in json.loads(hflint("rules", "--format", "json").stdout)}
    assert [code for code, record in records.items() if record["gate"]] == list(gate)
    for code, record in records.items():
        documentation = hflint("rule", code).stdout
        expected = "Yes:" if record["gate"] else "No:"
        assert f"## Exec gate\n{expected}" in documentation, code


def test_an_unknown_rule_exits_2_with_a_suggestion() -> None:
    unknown = hflint("rule", "HF999")
    assert unknown.exit_code == 2
    assert unknown.stderr == "hflint: error: unknown rule 'HF999'; `hflint rules` lists them\n"
    close = hflint("rule", "HF1022")
    assert close.exit_code == 2
    assert "unknown rule 'HF1022' (did you mean HF102?)" in close.stderr


def test_help_shows_examples(tmp_path: Path) -> None:
    top = run_hflint("--help", cwd=tmp_path)
    assert top.returncode == 0
    assert "Examples:" in top.stdout
    assert "hflint --fix fixed_tests/" in top.stdout
    check = hflint("check", "--help")
    assert check.exit_code == 0
    assert "Examples:" in check.stdout
    assert "hflint check --fix --show-fixes" in check.stdout


def test_init_says_it_created_the_file(tmp_path: Path) -> None:
    result = hflint("init")
    assert result.exit_code == 0
    assert result.stdout == "Created pyproject.toml with a [tool.hflint] section\n"
    assert (tmp_path / "pyproject.toml").read_text().startswith("[tool.hflint]\n")


def test_init_adds_the_section_once(tmp_path: Path) -> None:
    original = '[project]\nname = "demo"\n'
    pyproject = write(tmp_path / "pyproject.toml", original)
    first = hflint("init")
    assert first.exit_code == 0
    assert first.stdout == "Added [tool.hflint] to pyproject.toml\n"
    text = pyproject.read_text()
    assert text.startswith(original + "\n[tool.hflint]\n")
    assert 'include = ["**/test_hf_*.py"]' in text
    second = hflint("init")
    assert second.exit_code == 0
    assert second.stdout == "pyproject.toml already has [tool.hflint]\n"
    assert pyproject.read_text() == text
    # The section it wrote is a valid configuration.
    write(tmp_path / "test_hf_bert.py", CLEAN.format(cls="TestBertModels"))
    assert hflint("--no-cache").stdout == "All checks passed!\n"
