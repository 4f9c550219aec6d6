"""`summary.md`: the report in Markdown, for a job summary or a pull-request comment.

GitHub refuses a step summary over 1 MiB, so tables are cut to their first rows (saying how many
were left out) and the whole text to `LIMIT` bytes at a line's end.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hflint.exec.records import STATUSES

LIMIT = 1024 * 1024 - 4096  # GitHub's step-summary limit, less room for what a workflow appends
_ROWS = 30  # rows of one table


def render(report: Mapping[str, Any], changes: Sequence[str] = ()) -> str:
    """The summary; `changes` (what got worse since the previous run, from the history) first."""
    totals = report["totals"]
    lines = [
        f"## hflint report: {report['suite']}",
        "",
        f"hflint {report['tool']['version']}, catalog of transformers {report['transformers']}, "
        f"{report['created']}"
        + (f", shards {', '.join(report['shards'])}" if report["shards"] else ""),
        "",
    ]
    header = ["files", "diagnostics", "files with diagnostics"]
    values = [totals["files"], totals["diagnostics"], totals["files_with_diagnostics"]]
    header += [f"coverage {level}" for level in totals["coverage"]]
    values += [f"{percent:g}%" for percent in totals["coverage"].values()]
    if totals["exec"] is not None:
        header += [*totals["exec"], "pass rate"]
        rate = totals["pass_rate"]
        values += [*totals["exec"].values(), "-" if rate is None else f"{rate:g}%"]
    lines += _table(header, [values])
    if changes:
        lines += ["", "### Worse since the previous run", ""] + [f"- {c}" for c in changes]
    by_rule = report["lint"]["by_rule"]
    if by_rule:
        lines += ["", "### Diagnostics by rule", ""]
        lines += _table(
            ["rule", "name", "diagnostics", "files"],
            [[r["code"], r["name"], r["count"], r["files"]] for r in by_rule],
        )
    coverage = report["coverage"]
    lines += ["", "### Coverage", ""]
    lines += _table(
        ["priority", "covered", "total", "percent"],
        [
            [n, c["covered"], c["total"], f"{c['percent']:g}%"]
            for n, c in coverage["levels"].items()
        ],
    )
    lines += [""]
    lines += _table(
        ["family", "covered", "total", "percent"],
        [
            [n, c["covered"], c["total"], f"{c['percent']:g}%"]
            for n, c in coverage["families"].items()
        ],
    )
    missing = coverage["roadmap"]
    if missing:
        lines += [
            "",
            f"Missing, most important first: {_names([m['model_type'] for m in missing])}",
        ]
    execution = report["exec"]
    if execution is not None:
        lines += ["", "### Execution per device", ""]
        lines += _table(
            ["device", "hardware", "files", *STATUSES, "pass rate", "seconds"],
            [
                [
                    r["device"],
                    r["hardware"],
                    r["files"],
                    *(r[s] for s in STATUSES),
                    "-" if r["pass_rate"] is None else f"{r['pass_rate']:g}%",
                    f"{r['seconds']:.1f}",
                ]
                for r in execution["by_device"]
            ],
        )
        if execution["failure_causes"]:
            lines += ["", "### Failure and skip causes", ""]
            lines += _table(
                ["cause", "files", "which"],
                [
                    [c["cause"], c["count"], _names(c["files"], 5)]
                    for c in execution["failure_causes"]
                ],
            )
    return _clip("\n".join(lines) + "\n")


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    shown = rows[:_ROWS]
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
        *("| " + " | ".join(_cell(v) for v in row) + " |" for row in shown),
    ]
    if len(rows) > len(shown):
        lines += ["", f"... and {len(rows) - len(shown)} more rows (report.html has them all)."]
    return lines


def _names(names: Sequence[str], shown: int = 15) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(f"`{name}`" for name in names[:shown]) + more


def _clip(text: str) -> str:
    data = text.encode("utf-8")
    if len(data) <= LIMIT:
        return text
    kept = data[:LIMIT].decode("utf-8", errors="ignore").rsplit("\n", 1)[0]
    return kept + "\n\n... cut to stay under GitHub's 1 MiB summary limit (see report.html).\n"
