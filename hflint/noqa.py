"""Suppression comments: `# noqa` / `# noqa: HF103, HF104` on a line, `# hflint: noqa[: codes]` for a file."""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass, field

_LINE = re.compile(
    r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?", re.IGNORECASE
)
_FILE = re.compile(
    r"#\s*hflint:\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?", re.IGNORECASE
)
_CODE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)
# None in a mapping below means "every code".
Codes = frozenset[str] | None


@dataclass(frozen=True)
class Suppressions:
    by_line: dict[int, Codes] = field(default_factory=dict)
    whole_file: Codes | frozenset[str] = frozenset()

    @classmethod
    def scan(cls, text: str) -> Suppressions:
        if "noqa" not in text.lower():  # the common case costs one substring search
            return cls()
        by_line: dict[int, Codes] = {}
        whole_file: Codes | frozenset[str] = frozenset()
        for row, comment in _comments(text):
            file_match = _FILE.search(comment)
            if file_match:
                whole_file = _merge(whole_file, _codes(file_match.group("codes")))
                continue
            line_match = _LINE.search(comment)
            if line_match:
                by_line[row] = _merge(
                    by_line.get(row, frozenset()), _codes(line_match.group("codes"))
                )
        return cls(by_line, whole_file)

    def file_suppresses(self, code: str) -> bool:
        return _covers(self.whole_file, code)

    def line_suppresses(self, row: int, code: str) -> bool:
        return row in self.by_line and _covers(self.by_line[row], code)


def _codes(text: str | None) -> Codes:
    return None if text is None else frozenset(c.upper() for c in _CODE.findall(text))


def _merge(current: Codes, new: Codes) -> Codes:
    return None if current is None or new is None else current | new


def _covers(codes: Codes, code: str) -> bool:
    return codes is None or code in codes


def _comments(text: str) -> Iterator[tuple[int, str]]:
    """Comments with their 1-based rows; a file that does not tokenize falls back to a line scan."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        for row, line in enumerate(text.splitlines(), start=1):
            if "#" in line:
                yield row, line[line.index("#") :]
        return
    for token in tokens:
        if token.type == tokenize.COMMENT:
            yield token.start[0], token.string
