"""Repair a `try:` block that has no `except` or `finally` clause.

CPython: "expected 'except' or 'finally' block". Three causes are seen in generated suites,
with one repair each, tried in the order they are defined here.

`align-try-handler`: the handler is there, at the column of an outer block. It moves to the
`try`'s column; only that line changes (its body keeps its place, deeper)::

    def setup():                       def setup():
        try:                               try:
            import torch                       import torch
    except ImportError:       ->           except ImportError:
            torch = None                       torch = None

`rejoin-try-body`: statements of the body lost their indentation (a fixer script inserted them
at the wrong column), so the body seems to end early. When the code after them goes on inside
the body, or is the `try`'s handler, they are moved back to the body's indentation. Nothing
else changes; it is unsafe because the statements now run under the `try`::

    try:                               try:
        import torch                       import torch
    HAS_TORCH = True          ->           HAS_TORCH = True
    except ImportError:                except ImportError:
        HAS_TORCH = False                  HAS_TORCH = False

`close-try-block`: the handler was never written. `finally:` and an indented `pass` are added at
the `try`'s own indentation right after the last line of its body (before blank or comment
lines that follow it). `finally: pass` does nothing, so the code runs as if the `try` were not
there: an exception still propagates, as with a handler that re-raises. That is safe for what
the code does but maybe not what was meant (an `except ImportError:` fallback was probably
intended), so review the result::

    try:                               try:
        import torch                       import torch
    HAS_TORCH = True          ->       finally:
                                           pass
                                       HAS_TORCH = True

A `try` followed by `else:` without a handler is left alone: `finally` cannot go before `else`,
and the missing handler cannot be guessed.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from hflint.syntax import (
    LineKind,
    SyntaxProblem,
    classify_lines,
    indent_width,
    indentation,
    insert_after,
    opens_block,
    split_lines,
    syntax_repair,
)

_MESSAGE = r"expected 'except' or 'finally' block"
_TRY = re.compile(r"try\s*:")
_HANDLER = re.compile(r"(except|finally)\b")
_FOLLOWER = re.compile(r"(except|finally|else)\b")


@syntax_repair(
    name="align-try-handler",
    description="Move an `except` or `finally` clause to the column of its `try`.",
    matches=(_MESSAGE,),
)
def align_try_handler(source: str, problem: SyntaxProblem) -> str | None:
    lines = split_lines(source)
    kinds = classify_lines(lines)
    statements = [index for index, kind in enumerate(kinds) if kind is LineKind.STATEMENT]
    found = _unclosed_try(lines, statements, problem)
    if found is None or found[1] == len(lines) or not _HANDLER.match(_code(lines[found[1]])):
        return None
    header, end = found
    repaired = list(lines)
    repaired[end] = indentation(lines[header]) + _code(lines[end])
    return "".join(repaired)


@syntax_repair(
    name="rejoin-try-body",
    description="Indent statements that fell out of a `try:` body back into it.",
    matches=(_MESSAGE,),
)
def rejoin_try_body(source: str, problem: SyntaxProblem) -> str | None:
    lines = split_lines(source)
    kinds = classify_lines(lines)
    statements = [index for index, kind in enumerate(kinds) if kind is LineKind.STATEMENT]
    found = _unclosed_try(lines, statements, problem)
    if found is None:
        return None
    header, end = found
    body = [index for index in statements if header < index < end]
    if not body or end == len(lines):
        return None
    # The statements at the column where the body ended (up to a handler), and the code after.
    width = _width(lines[end])
    following = [index for index in statements if index >= end]
    moved = list(
        itertools.takewhile(
            lambda index: _width(lines[index]) == width and not _HANDLER.match(_code(lines[index])),
            following,
        )
    )
    if not moved or len(moved) == len(following):
        return None
    after = following[len(moved)]
    try_width = _width(lines[header])
    if _width(lines[after]) == try_width:
        continues = _HANDLER.match(_code(lines[after])) is not None
    else:
        # Deeper code goes on with the body, unless it is the body of the last moved statement.
        continues = _width(lines[after]) > try_width and not opens_block(lines[moved[-1]])
    if not continues:
        return None
    repaired = list(lines)
    for index in moved:
        repaired[index] = indentation(lines[body[0]]) + _code(lines[index])
    return "".join(repaired)


@syntax_repair(
    name="close-try-block",
    description="Add `finally: pass` after a `try:` body that has no `except` or `finally`.",
    matches=(_MESSAGE,),
)
def close_try_block(source: str, problem: SyntaxProblem) -> str | None:
    lines = split_lines(source)
    kinds = classify_lines(lines)
    statements = [index for index, kind in enumerate(kinds) if kind is LineKind.STATEMENT]
    found = _unclosed_try(lines, statements, problem)
    if found is None:
        return None
    header, end = found
    last = max(index for index in range(header, end) if kinds[index] is not LineKind.BLANK)
    indent = indentation(lines[header])
    body = [index for index in statements if header < index < end]
    body_indent = indentation(lines[body[0]]) if body else indent + "    "
    return "".join(insert_after(lines, last, [f"{indent}finally:", f"{body_indent}pass"]))


def _unclosed_try(
    lines: Sequence[str], statements: Sequence[int], problem: SyntaxProblem
) -> tuple[int, int] | None:
    """The `try` the parser stopped at: its header line and where its body ends.

    The parser stops at the first body that ends without a handler, the innermost one when
    several end on the same line. Headers after the reported line cannot be the one.
    """
    found: list[tuple[int, int]] = []
    for position, header in enumerate(statements):
        if header < problem.line and _TRY.match(_code(lines[header])):
            end = _unclosed_end(lines, statements, position)
            if end is not None:
                found.append((header, end))
    return min(found, key=lambda item: (item[1], -item[0]), default=None)


def _unclosed_end(lines: Sequence[str], statements: Sequence[int], position: int) -> int | None:
    """Where the body of the `try` at `statements[position]` ends, if no handler follows it.

    The end is the index of the first statement not indented deeper than the `try`, or the
    number of lines when the body runs to the end of the file.
    """
    width = _width(lines[statements[position]])
    for index in statements[position + 1 :]:
        line_width = _width(lines[index])
        if line_width <= width:
            closed = line_width == width and _FOLLOWER.match(_code(lines[index]))
            return None if closed else index
    return len(lines)


def _width(line: str) -> int:
    return indent_width(indentation(line))


def _code(line: str) -> str:
    return line[len(indentation(line)) :]
