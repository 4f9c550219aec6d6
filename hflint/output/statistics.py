"""`--statistics`: how often each rule fired, in place of the diagnostics themselves.

Mirrors ruff: a flake8-style table for text output, a JSON array for `--output-format json`.
Not an output format itself, so it registers nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from hflint.diagnostics import Diagnostic, fix_is_applicable

# Output formats whose statistics are the table; ruff, too, rejects statistics for the others.
_TABLE_FORMATS = frozenset({"text", "concise"})


@dataclass(frozen=True)
class _Statistic:
    code: str
    name: str
    count: int
    # How many of them have a fix this run's `--fix` would apply (with `--unsafe-fixes`, the
    # unsafe ones too). Many rules fix some cases only: their marker is `[-]`, with the count.
    fixable_count: int

    @property
    def fixable(self) -> bool:
        """Every diagnostic of the code is fixable (ruff's `[*]`)."""
        return self.fixable_count == self.count


def _statistics(diagnostics: Iterable[Diagnostic], unsafe_fixes: bool) -> list[_Statistic]:
    names: dict[str, str] = {}
    counts: dict[str, int] = {}
    fixable: dict[str, int] = {}
    for diagnostic in diagnostics:
        code = diagnostic.code
        names.setdefault(code, diagnostic.name)
        counts[code] = counts.get(code, 0) + 1
        applicable = fix_is_applicable(diagnostic.fix, unsafe=unsafe_fixes)
        fixable[code] = fixable.get(code, 0) + applicable
    statistics = [_Statistic(code, names[code], counts[code], fixable[code]) for code in counts]
    return sorted(statistics, key=lambda s: (-s.count, s.code))


def _table(statistics: list[_Statistic]) -> str:
    count_width = max(len(str(s.count)) for s in statistics)
    code_width = max(len(s.code) for s in statistics)
    # The fix column only appears when something is fixable, as in ruff.
    any_fixable = any(s.fixable_count for s in statistics)
    lines = []
    for s in statistics:
        marker, some = "", ""
        if any_fixable:
            marker = "[*] " if s.fixable else ("[-] " if s.fixable_count else "[ ] ")
            if s.fixable_count and not s.fixable:
                some = f" ({s.fixable_count} of {s.count} fixable)"
        line = f"{s.count:>{count_width}}\t{s.code:<{code_width}}\t{marker}{s.name}{some}\n"
        lines.append(line)
    return "".join(lines)


def render_statistics(
    diagnostics: Iterable[Diagnostic], fmt: str, *, unsafe_fixes: bool = False
) -> str:
    """Render per-code counts of `diagnostics` for the output format `fmt`.

    `unsafe_fixes` decides whether unsafe fixes count as fixable, as it does for `[*]` in text.
    Raises ValueError for formats with no statistics form.
    """
    statistics = _statistics(diagnostics, unsafe_fixes)
    if fmt == "json":
        rows = [
            {
                "code": s.code,
                "name": s.name,
                "count": s.count,
                "fixable": s.fixable,
                "fixable_count": s.fixable_count,
            }
            for s in statistics
        ]
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    if fmt not in _TABLE_FORMATS:
        raise ValueError(f"--statistics is not supported with output format {fmt!r}")
    # Nothing to count prints nothing (JSON above still prints `[]`, which parses).
    return _table(statistics) if statistics else ""
