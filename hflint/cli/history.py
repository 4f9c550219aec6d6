"""`hflint history`: trends of a suite's reports over runs, what got worse, flaky files."""

from __future__ import annotations

import json
from pathlib import Path

import click

from hflint.command_support import EXIT_CLEAN, Failure, emit, format_option

DEFAULT_HISTORY = Path("hflint-history.sqlite")


@click.command(
    "history",
    epilog="""\b
Examples:
  hflint report tests/ -o report/ --history hflint-history.sqlite
  hflint history --history hflint-history.sqlite
  hflint history --format json --last 5""",
)
@click.option(
    "--history",
    "history_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_HISTORY,
    show_default=True,
    help="The history store (SQLite) that `hflint report --history` appends to.",
)
@format_option(["text", "json"])
@click.option(
    "--last", type=click.IntRange(min=2), default=20, show_default=True, help="Runs to show."
)
def history_command(history_path: Path, format_name: str, last: int) -> int:
    """Diagnostics, coverage and pass rate per run, what got worse since the previous run, and
    files whose status flips between runs.

    Exit status: 0 when shown; 2 when the history is missing, damaged, locked or newer (it is
    left as it is).
    """
    from hflint.report.history import HistoryError, open_store, render_text

    try:
        with open_store(history_path, create=False) as store:
            trends = store.trends(last)
    except HistoryError as problem:
        raise Failure(str(problem)) from None
    text = json.dumps(trends, indent=2) + "\n" if format_name == "json" else render_text(trends)
    emit(text, None)
    return EXIT_CLEAN
