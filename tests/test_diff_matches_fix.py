"""`--diff` shows exactly what `--fix` writes, and the summaries of a plain run, `--diff` and `--fix`
add up: on copies of the sample suite and of the fixture folders that rename and delete files.

The diff is applied to one copy by the small patch reader below (hunks, `rename from`/`rename to`,
deletions to /dev/null) and `--fix` is run on another; the two folders must hold the same files
with the same bytes.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from hflint.cli import cli
from hflint.diffs import NO_NEWLINE, diff_lines
from hflint.source import read_source

FIXTURES = Path(__file__).parent.parent / "fixtures"
FOLDERS = [FIXTURES / "sample_suite", FIXTURES / "rules" / "HF501", FIXTURES / "rules" / "HF502"]
HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@\n$")


def apply_diff(diff: str) -> None:
    """Apply hflint's `--diff` output to the files it names (relative to the working directory)."""
    lines = diff_lines(diff)
    at = 0
    while at < len(lines):
        if lines[at].startswith("rename from "):
            source = Path(lines[at].removeprefix("rename from ").rstrip("\n"))
            target = Path(lines[at + 1].removeprefix("rename to ").rstrip("\n"))
            assert not target.exists()
            source.rename(target)
            at += 2
            continue
        assert lines[at].startswith("--- ") and lines[at + 1].startswith("+++ "), lines[at]
        path = Path(lines[at][4:].rstrip("\n"))
        to = lines[at + 1][4:].rstrip("\n")
        at += 2
        source = read_source(path)
        old = diff_lines(source.text)
        new: list[str] = []
        cursor = 0
        while at < len(lines) and (hunk := HUNK.match(lines[at])):
            start, count = int(hunk[1]), int(hunk[2] or 1)
            added = int(hunk[4] or 1)
            start = start - 1 if count else start
            new += old[cursor:start]
            cursor = start
            at += 1
            while count or added:
                kind, line = lines[at][0], lines[at][1:]
                if at + 1 < len(lines) and lines[at + 1] == NO_NEWLINE:
                    line = line.removesuffix("\n")  # the file's last line, unterminated
                    at += 1
                if kind in " -":
                    assert old[cursor] == line, (path, cursor)
                    cursor += 1
                    count -= 1
                if kind in " +":
                    new.append(line)
                    added -= 1
                at += 1
        new += old[cursor:]
        if to == "/dev/null":
            assert not new, path
            path.unlink()
        else:
            path.write_bytes(source.encode("".join(new)))


def hflint(*args: str) -> Result:
    return CliRunner().invoke(cli, ["--no-cache", *args])


def _files(folder: Path) -> dict[str, bytes]:
    return {f.name: f.read_bytes() for f in sorted(folder.glob("*.py"))}


def _found(result: Result) -> int:
    """N of `Found N errors...`, or 0 after `All checks passed!` / `Fixed ...; all checks passed!`."""
    closing = [line for line in result.stdout.splitlines() if line.startswith(("Found ", "All "))]
    return int(closing[-1].split()[1]) if closing[-1].startswith("Found ") else 0


def _fix_summary(result: Result) -> tuple[int, int, int, int]:
    """(found, fixed, remaining, went away) from `--fix`'s closing line."""
    line = next(
        line for line in result.stdout.splitlines() if line.startswith(("Found ", "Fixed "))
    )
    numbers = [int(word) for word in re.findall(r"-?\d+", line)]
    if line.startswith("Fixed "):  # Fixed F errors (and V that went away with them); all passed
        fixed, vanished = numbers[0], numbers[1] if len(numbers) > 1 else 0
        return fixed + vanished, fixed, 0, vanished
    if "fixed" not in line:  # Found N errors.
        return numbers[0], 0, numbers[0], 0
    vanished = numbers[3] if "went away" in line else (-numbers[3] if "new" in line else 0)
    return numbers[0], numbers[1], numbers[2], vanished


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_diff_shows_what_fix_writes_and_the_counts_add_up(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flags = ("--unsafe-fixes",)  # every fix: renames and deletions are unsafe
    monkeypatch.chdir(tmp_path)
    shutil.copytree(folder, "diffed")
    shutil.copytree(folder, "fixed")
    found = _found(hflint("diffed"))

    diff = hflint("--diff", *flags, "diffed")
    assert diff.exit_code in (0, 1), diff.output
    would_fix = int(re.findall(r"Would fix (\d+) error", diff.stderr)[0])
    assert _files(Path("diffed")) == _files(Path(folder))  # --diff wrote nothing
    apply_diff(diff.stdout_bytes.decode())  # `stdout` would turn CRLF line endings into LF

    fix = hflint("--fix", *flags, "fixed")
    assert fix.exit_code in (0, 1), fix.output
    assert _files(Path("diffed")) == _files(Path("fixed"))
    total, fixed, remaining, vanished = _fix_summary(fix)
    assert (total, fixed) == (found, would_fix), fix.stdout
    assert total == fixed + remaining + vanished
    # Once fixed, there is nothing left to fix, and what remains is what `--fix` said.
    again = hflint("--fix", "--show-fixes", *flags, "fixed")
    assert "No errors fixed." in again.stdout
    assert _found(again) == remaining
    assert _files(Path("fixed")) == _files(Path("diffed"))


def test_a_last_line_without_newline_keeps_the_diff_readable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A deleted copy and a fixed file, both ending without "\n": diff's marker follows each."""
    monkeypatch.chdir(tmp_path)
    for folder in ("diffed", "fixed"):
        Path(folder).mkdir()
        for name in ("test_hf_gpt-j.py", "test_hf_gpt_j.py"):
            (Path(folder) / name).write_text("class TestGptJModels:\n    pass")
        (Path(folder) / "test_hf_bert.py").write_text("class TestBartModels:\n    pass")
    diff = hflint("--diff", "--unsafe-fixes", "--select", "HF102,HF501", "diffed")
    assert diff.stdout.count(NO_NEWLINE) == 2, diff.stdout  # the fixed file, the deleted one
    apply_diff(diff.stdout_bytes.decode())
    hflint("--fix", "--unsafe-fixes", "--select", "HF102,HF501", "fixed")
    assert _files(Path("diffed")) == _files(Path("fixed"))
    assert sorted(_files(Path("fixed"))) == ["test_hf_bert.py", "test_hf_gpt_j.py"]
