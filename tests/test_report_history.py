"""`hflint report --history` and `hflint history`: runs, what got worse, flaky files; a history file
that is damaged, someone else's, newer or locked is reported and left as it was; writers at the
same time keep every run."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from hflint import __version__
from hflint.cli import cli
from hflint.report import history

SUITE = Path(__file__).parent.parent / "fixtures" / "sample_suite"


def hflint(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    folder = tmp_path / "suite"
    folder.mkdir()
    for name in ("test_hf_bert.py", "test_hf_electra.py"):
        shutil.copy(SUITE / name, folder / name)
    return folder


def test_two_runs_and_what_got_worse(suite: Path, tmp_path: Path) -> None:
    store = tmp_path / "history.sqlite"
    assert hflint("report", suite, "-o", tmp_path / "one", "--history", store).exit_code == 0
    bert = suite / "test_hf_bert.py"
    bert.write_bytes(bert.read_bytes().replace(b"class TestBertModels", b"class TestBartModels"))
    result = hflint("report", suite, "-o", tmp_path / "two", "--history", store)
    assert result.exit_code == 0, result.output
    shown = hflint("history", "--history", store)
    assert shown.exit_code == 0, shown.output
    lines = shown.stdout.splitlines()
    assert lines[0].split() == [
        "run",
        "created",
        "files",
        "diagnostics",
        "coverage",
        "pass",
        "rate",
    ]
    assert [line.split()[0] for line in lines[1:3]] == ["#1", "#2"]
    assert "Worse since run #1:" in shown.stdout
    assert "diagnostics 0 -> 2 (HF102 0 -> 1, HF401 0 -> 1)" in shown.stdout
    trends = json.loads(hflint("history", "--history", store, "--format", "json").stdout)
    assert [run["diagnostics"] for run in trends["runs"]] == [0, 2]
    assert trends["flaky"] == []
    # The second report says what got worse, and its page draws the trend.
    assert "diagnostics 0 -> 2" in (tmp_path / "two" / "summary.md").read_text(encoding="utf-8")
    assert "Trends over the last 2 runs" in (tmp_path / "two" / "report.html").read_text(
        encoding="utf-8"
    )


def _exec_result(suite: str, statuses: dict[str, str]) -> dict[str, Any]:
    """`hflint exec --format json` output, as exec writes it (the fields merge reads)."""
    return {
        "tool": "hflint",
        "version": __version__,
        "suite_id": suite,
        "device": "cpu",
        "hardware": {"cpu": {"model": "Xeon"}},
        "transformers": "5.25.0",
        "records": [
            {"file": file, "status": status, "device": "cpu"} for file, status in statuses.items()
        ],
    }


def test_flaky_files_flip_between_runs(suite: Path, tmp_path: Path) -> None:
    assert hflint("report", suite, "-o", tmp_path / "base").exit_code == 0
    base = tmp_path / "base" / "report.json"
    name = json.loads(base.read_text(encoding="utf-8"))["suite_id"]
    store = tmp_path / "history.sqlite"
    for run, (bert, electra) in enumerate(
        [("passed", "passed"), ("failed", "passed"), ("passed", "skipped"), ("passed", "failed")]
    ):
        result_file = tmp_path / f"exec-{run}.json"
        statuses = {"a/test_hf_bert.py": bert, "a/test_hf_electra.py": electra}
        result_file.write_text(json.dumps(_exec_result(name, statuses)), encoding="utf-8")
        merged = hflint(
            "report", "merge", base, result_file, "-o", tmp_path / f"r{run}", "--history", store
        )
        assert merged.exit_code == 0, merged.output
    trends = json.loads(hflint("history", "--history", store, "--format", "json").stdout)
    assert [f["file"] for f in trends["flaky"]] == ["a/test_hf_bert.py"]
    assert trends["flaky"][0]["statuses"] == ["passed", "failed", "passed", "passed"]
    # Electra was skipped in the run before the last: its failure is no "passed -> failed".
    assert trends["worse"] == ["pass rate 100% -> 50%"]
    text = hflint("history", "--history", store).stdout
    assert "Flaky" in text and "a/test_hf_bert.py on cpu: passed, failed, passed, passed" in text


def test_a_damaged_or_foreign_history_is_reported_and_left_as_it_was(
    suite: Path, tmp_path: Path
) -> None:
    good = tmp_path / "good.sqlite"
    assert hflint("report", suite, "-o", tmp_path / "out", "--history", good).exit_code == 0
    damaged = tmp_path / "damaged.sqlite"
    data = bytearray(good.read_bytes())
    data[100:4096] = bytes(len(data[100:4096]))  # the schema page, zeroed
    damaged.write_bytes(bytes(data))
    foreign = tmp_path / "foreign.sqlite"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE notes (text TEXT)")
    connection.close()
    newer = tmp_path / "newer.sqlite"
    shutil.copy(good, newer)
    with sqlite3.connect(newer) as connection:
        connection.execute("UPDATE hflint_history SET value = '99' WHERE key = 'schema_version'")
    connection.close()
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"not a database at all\n" * 50)
    cases = {
        damaged: "it was left as it is",
        foreign: "an SQLite file, but not an hflint history",
        newer: "history schema version 99 is newer than this hflint's (1)",
        garbage: "not a readable hflint history",
    }
    for path, expected in cases.items():
        before = digest(path)
        for command in (
            ["history", "--history", path],
            ["report", suite, "-o", tmp_path / "x", "--history", path],
        ):
            result = hflint(*command)
            assert result.exit_code == 2, (path, result.output)
            assert str(path) in result.stderr and expected in result.stderr, result.stderr
        assert digest(path) == before
    missing = hflint("history", "--history", tmp_path / "none.sqlite")
    assert missing.exit_code == 2 and "no history there" in missing.stderr
    assert not (tmp_path / "none.sqlite").exists()


def test_a_locked_history_is_reported(
    suite: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "history.sqlite"
    assert hflint("report", suite, "-o", tmp_path / "out", "--history", store).exit_code == 0
    monkeypatch.setattr(history, "BUSY_SECONDS", 0.2)
    holder = sqlite3.connect(store, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = hflint("report", suite, "-o", tmp_path / "out", "--history", store)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 2
    assert "locked by another process" in result.stderr and "left as it is" in result.stderr
    shown = json.loads(hflint("history", "--history", store, "--format", "json").stdout)
    assert len(shown["runs"]) == 1


def test_writers_at_the_same_time_keep_every_run(suite: Path, tmp_path: Path) -> None:
    assert hflint("report", suite, "-o", tmp_path / "base").exit_code == 0
    store = tmp_path / "history.sqlite"
    command = [Path(sys.executable).parent / "hflint", "report", "merge"]
    writers = [
        subprocess.Popen(
            [
                *command,
                tmp_path / "base" / "report.json",
                "-o",
                tmp_path / f"w{n}",
                "--history",
                store,
            ],
            stderr=subprocess.PIPE,
        )
        for n in range(4)
    ]
    for writer in writers:
        _, errors = writer.communicate(timeout=300)
        assert writer.returncode == 0, errors
    shown = json.loads(hflint("history", "--history", store, "--format", "json").stdout)
    assert sorted(run["id"] for run in shown["runs"]) == [1, 2, 3, 4]
