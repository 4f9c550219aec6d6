"""Unified diffs of whole files, as `--diff` prints them and patch(1) applies them."""

from __future__ import annotations

import difflib
import re

# A line as patch(1) sees one: up to and including "\n" (a CRLF line keeps its "\r"), or the last,
# unterminated one. `str.splitlines` would also split at form feeds and lone "\r"s.
_LINE = re.compile(r"[^\n]*\n|[^\n]+\Z")
NO_NEWLINE = "\\ No newline at end of file\n"


def diff_lines(text: str) -> list[str]:
    return _LINE.findall(text)


def unified_diff(path: str, old: str, new: str, *, to: str | None = None) -> str:
    """The diff from `old` to `new`, the texts of the file at `path` (`to` names the new file when
    it is another: /dev/null for a deletion). A last line without "\n" is followed by diff's
    marker, so that the next file's header starts a line of its own."""
    return "".join(
        line if line.endswith("\n") else f"{line}\n{NO_NEWLINE}"
        for line in difflib.unified_diff(
            diff_lines(old), diff_lines(new), fromfile=path, tofile=to or path
        )
    )
