"""Move a clause (`except`, `finally`, `else`, `elif`) to the column of the statement it belongs to.

Regex fixers that re-indent a file leave clauses inside the body they should close: `except` at
the column of the `try`'s body, then the handler's body, and everything after it, one level
deeper each time. The parser stops at the clause ("invalid syntax", or an indentation error). The
candidates move the clause line, and only it, to the column of each enclosing statement that can
take it, the nearest first: a `try` (or one of its handlers) for `except`, `finally` and `else`;
an `if` or `elif` for `elif` and `else`; a `for` or `while` for `else`. The clause's body stays
where it is, deeper than the clause, so nothing else changes. A clause a fixer dedented below the
column of its statement (an `elif` at the column of the block that holds the `if`) moves the
other way, to the column of a deeper statement still open before it; its body then follows::

    try:                                   try:
        import torch                           import torch
        HAS_TORCH = True                       HAS_TORCH = True
        except ImportError:       ->       except ImportError:
            HAS_TORCH = False                      HAS_TORCH = False

The code after the handler's body that the fixer indented with it stays in the handler (it is
indented so): the repair makes the file parse without guessing where that block was meant to end.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from hflint.codemods.syntax_repairs._lines import (
    LineKind,
    ancestors,
    classify_lines,
    indent_column,
    indentation,
    with_indentation,
    without_indentation,
)

from hflint.syntax import SyntaxProblem, split_lines, syntax_repair

_CLAUSE = re.compile(r"(except|finally|else|elif)\b")
# The statements each clause may follow, by the keyword that starts them.
_OWNERS = {
    "except": ("try", "except"),
    "finally": ("try", "except", "else"),
    "else": ("if", "elif", "for", "while", "try", "except", "async"),
    "elif": ("if", "elif"),
}
_DEDENTED_CLAUSES = ("elif", "else")
_KEYWORD = re.compile(r"(\w+)")


@syntax_repair(
    name="align-clause",
    description="Move an `except`, `finally`, `else` or `elif` line to the column of its statement.",
    matches=(r"invalid syntax|unindent does not match|unexpected indent|expected",),
)
def align_clause(source: str, problem: SyntaxProblem) -> Iterator[str]:
    lines = split_lines(source)
    kinds = classify_lines(lines)
    index = problem.line - 1
    clause = _CLAUSE.match(without_indentation(lines[index]))
    if clause is None or kinds[index] is not LineKind.STATEMENT:
        return
    for owner in _owners(lines, kinds, index, clause[1]):
        repaired = list(lines)
        repaired[index] = with_indentation(lines[index], indentation(lines[owner]))
        yield "".join(repaired)


def _owners(lines: list[str], kinds: list[LineKind], index: int, clause: str) -> Iterator[int]:
    """The enclosing statements of `lines[index]` that can take `clause`, nearest first; a
    statement before the line at its own column counts too (the clause may close it)."""
    before = next((i for i in range(index - 1, -1, -1) if kinds[i] is LineKind.STATEMENT), None)
    candidates = ancestors(lines, kinds, index)
    if before is not None and before not in candidates:
        candidates.insert(0, before)
    if clause in _DEDENTED_CLAUSES:  # `except` and `finally`: `align-try-handler` moves those
        candidates.extend(_deeper_openers(lines, kinds, index))
    for owner in candidates:
        keyword = _KEYWORD.match(without_indentation(lines[owner]))
        if keyword is not None and keyword[1] in _OWNERS[clause]:
            yield owner


def _deeper_openers(lines: list[str], kinds: list[LineKind], index: int) -> Iterator[int]:
    """The statements before `lines[index]` and deeper than it whose blocks are still open there
    (no statement between is shallower than them), nearest first: a clause that a fixer
    dedented belongs to one of them."""
    width = indent_column(lines[index])
    shallowest = None
    for before in range(index - 1, -1, -1):
        if kinds[before] is not LineKind.STATEMENT:
            continue
        column = indent_column(lines[before])
        if column <= width:
            return
        if shallowest is None or column < shallowest:
            shallowest = column
            yield before
