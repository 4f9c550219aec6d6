"""The history of a suite's reports: an SQLite file that `hflint report --history PATH` appends a
run to and `hflint history` reads trends, what got worse and flaky files from.

The file is the user's: one that is not an hflint history, is damaged, locked for longer than
`BUSY_SECONDS` or written by a newer hflint (`SCHEMA_VERSION`) is reported (`HistoryError`) and
left exactly as it is, never reset. Each append is one `BEGIN IMMEDIATE` transaction, so writers
at the same time wait for each other and every run is kept.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1
BUSY_SECONDS = 30.0
# A file is flaky when its status flips between passing and failing this often in the window.
FLAKY_FLIPS = 2
WINDOW = 20  # runs shown and searched for flaky files

_CREATE = (
    "CREATE TABLE IF NOT EXISTS hflint_history (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY AUTOINCREMENT, created TEXT NOT NULL,"
    " suite TEXT NOT NULL, hflint TEXT NOT NULL, transformers TEXT NOT NULL,"
    " totals TEXT NOT NULL, rules TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS statuses (run INTEGER NOT NULL REFERENCES runs(id),"
    " file TEXT NOT NULL, device TEXT NOT NULL, status TEXT NOT NULL)",
)


class HistoryError(Exception):
    """A history file that cannot be used; the message names it and says it was left as it is."""


class Store:
    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._db = connection

    def append(self, report: Mapping[str, Any]) -> int:
        """Add the report as a new run; its id."""
        totals = report["totals"]
        rules = {r["code"]: r["count"] for r in report["lint"]["by_rule"]}
        records = (report["exec"] or {}).get("records", ())
        with self._write():
            cursor = self._db.execute(
                "INSERT INTO runs (created, suite, hflint, transformers, totals, rules)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    report["created"],
                    report["suite"],
                    report["tool"]["version"],
                    report["transformers"],
                    json.dumps(totals),
                    json.dumps(rules),
                ),
            )
            run = int(cursor.lastrowid or 0)
            self._db.executemany(
                "INSERT INTO statuses (run, file, device, status) VALUES (?, ?, ?, ?)",
                [(run, r["file"], r["device"] or "-", r["status"]) for r in records],
            )
        return run

    def trends(self, window: int = WINDOW) -> dict[str, Any]:
        """The last `window` runs (oldest first), what got worse in the last one, flaky files."""
        rows = self._read(
            "SELECT id, created, suite, totals, rules FROM runs ORDER BY id DESC LIMIT ?", (window,)
        )
        runs = []
        for run_id, created, suite, totals_text, rules_text in reversed(rows):
            totals = json.loads(totals_text)
            runs.append(
                {
                    "id": run_id,
                    "created": created,
                    "suite": suite,
                    "files": totals["files"],
                    "diagnostics": totals["diagnostics"],
                    "coverage": totals["coverage"].get("all"),
                    "pass_rate": totals["pass_rate"],
                    "exec": totals["exec"],
                    "rules": json.loads(rules_text),
                    "levels": totals["coverage"],
                }
            )
        ids = [run["id"] for run in runs]
        statuses: dict[tuple[str, str], dict[int, str]] = {}
        if ids:
            for run_id, file, device, status in self._read(
                "SELECT run, file, device, status FROM statuses WHERE run >= ? ORDER BY run",
                (ids[0],),
            ):
                statuses.setdefault((file, device), {})[run_id] = status
        return {
            "runs": [
                {k: v for k, v in run.items() if k not in ("rules", "levels")} for run in runs
            ],
            "worse": worse(runs[-2], runs[-1], statuses) if len(runs) > 1 else [],
            "flaky": flaky(ids, statuses),
        }

    @contextlib.contextmanager
    def _write(self) -> Iterator[None]:
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except sqlite3.Error as problem:
            raise _error(self.path, problem) from None

    def _read(self, query: str, arguments: Sequence[Any]) -> list[Any]:
        try:
            return self._db.execute(query, arguments).fetchall()
        except sqlite3.Error as problem:
            raise _error(self.path, problem) from None


def _error(path: Path, problem: sqlite3.Error) -> HistoryError:
    text = str(problem)
    if "locked" in text or "busy" in text:
        cause = f"locked by another process for more than {BUSY_SECONDS:g} s ({text})"
    else:
        cause = f"not a readable hflint history ({text})"
    return HistoryError(f"{path}: {cause}; it was left as it is")


@contextlib.contextmanager
def open_store(path: Path, *, create: bool = True) -> Iterator[Store]:
    """The history at `path`, made when missing and `create`; HistoryError for any other file."""
    if not path.exists() and not create:
        raise HistoryError(f"{path}: no history there (`hflint report --history {path}` makes one)")
    if path.is_dir():
        raise HistoryError(f"{path}: a directory, not a history file")
    try:
        # isolation_level None: transactions are begun and ended here, explicitly.
        connection = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None)
    except sqlite3.Error as problem:
        raise _error(path, problem) from None
    try:
        store = Store(path, connection)
        _check(store, path, create)
        yield store
    finally:
        connection.close()


def _check(store: Store, path: Path, create: bool) -> None:
    """Refuse a file that is damaged, someone else's, or newer; make the tables of a new one."""
    if store._read("PRAGMA quick_check", ())[0][0] != "ok":
        raise HistoryError(f"{path}: the history file is damaged; it was left as it is")
    tables = {row[0] for row in store._read("SELECT name FROM sqlite_master", ())}
    if not tables and create:
        with store._write():
            for statement in _CREATE:
                store._db.execute(statement)
            store._db.execute(
                "INSERT OR IGNORE INTO hflint_history VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )
        tables = {"hflint_history"}
    if "hflint_history" not in tables:
        raise HistoryError(
            f"{path}: an SQLite file, but not an hflint history; it was left as it is"
        )
    found = store._read("SELECT value FROM hflint_history WHERE key = 'schema_version'", ())
    version = int(found[0][0]) if found and str(found[0][0]).isdigit() else None
    if version is None or version > SCHEMA_VERSION:
        raise HistoryError(
            f"{path}: history schema version {version} is newer than this hflint's "
            f"({SCHEMA_VERSION}); use the hflint that wrote it. It was left as it is"
        )


def _failing(status: str) -> bool:
    return status not in ("passed", "skipped")


def worse(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    statuses: Mapping[tuple[str, str], Mapping[int, str]],
) -> list[str]:
    """What got worse from run `before` to run `after`, one line each."""
    found = []
    if after["diagnostics"] > before["diagnostics"]:
        grew = [
            f"{code} {before['rules'].get(code, 0)} -> {count}"
            for code, count in sorted(after["rules"].items())
            if count > before["rules"].get(code, 0)
        ]
        found.append(
            f"diagnostics {before['diagnostics']} -> {after['diagnostics']} ({', '.join(grew)})"
        )
    for level, percent in after["levels"].items():
        previous = before["levels"].get(level)
        if previous is not None and percent < previous:
            found.append(f"coverage {level} {previous:g}% -> {percent:g}%")
    if None not in (before["pass_rate"], after["pass_rate"]) and (
        after["pass_rate"] < before["pass_rate"]
    ):
        found.append(f"pass rate {before['pass_rate']:g}% -> {after['pass_rate']:g}%")
    for (file, device), by_run in sorted(statuses.items()):
        old, new = by_run.get(before["id"]), by_run.get(after["id"])
        if old == "passed" and new is not None and _failing(new):
            found.append(f"{file} on {device}: passed -> {new}")
    return found


def flaky(
    runs: Sequence[int], statuses: Mapping[tuple[str, str], Mapping[int, str]]
) -> list[dict[str, Any]]:
    """Files whose status flipped between passing and failing at least `FLAKY_FLIPS` times over
    `runs` (skipped runs do not count), with the statuses they had."""
    found = []
    for (file, device), by_run in sorted(statuses.items()):
        history = [by_run[run] for run in runs if by_run.get(run, "skipped") != "skipped"]
        flips = sum(_failing(a) != _failing(b) for a, b in itertools.pairwise(history))
        if flips >= FLAKY_FLIPS:
            found.append({"file": file, "device": device, "flips": flips, "statuses": history})
    return found


def render_text(trends: Mapping[str, Any]) -> str:
    """The runs as a table, then what got worse and the flaky files."""
    runs = trends["runs"]
    if not runs:
        return "No runs in the history yet.\n"
    header = ["run", "created", "files", "diagnostics", "coverage", "pass rate"]
    rows = [
        [
            f"#{run['id']}",
            run["created"],
            str(run["files"]),
            str(run["diagnostics"]),
            "-" if run["coverage"] is None else f"{run['coverage']:g}%",
            "-" if run["pass_rate"] is None else f"{run['pass_rate']:g}%",
        ]
        for run in runs
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    if len(runs) > 1:
        previous = f"#{runs[-2]['id']}"
        if trends["worse"]:
            lines += ["", f"Worse since run {previous}:"] + [f"  {w}" for w in trends["worse"]]
        else:
            lines += ["", f"Nothing got worse since run {previous}."]
    if trends["flaky"]:
        lines += ["", f"Flaky (status flipped {FLAKY_FLIPS}+ times in these runs):"]
        lines += [
            f"  {f['file']} on {f['device']}: {', '.join(f['statuses'])}" for f in trends["flaky"]
        ]
    return "\n".join(lines) + "\n"
