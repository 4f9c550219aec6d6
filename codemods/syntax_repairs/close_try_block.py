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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from hflint.codemods.syntax_repairs._lines import (
    LineKind,
    classify_lines,
    indent_column,
    indentation,
    insert_after,
    opens_block,
    statement_lines,
    with_indentation,
    without_indentation,
)

from hflint.syntax import SyntaxProblem, split_lines, syntax_repair

_MESSAGE = r"expected 'except' or 'finally' block"
_TRY = re.compile(r"try\s*:")
_HANDLER = re.compile(r"(except|finally)\b")
_FOLLOWER = re.compile(r"(except|finally|else)\b")


@dataclass(frozen=True)
class _UnclosedTry:
    """The `try` the parser stopped at, in the file's lines: no handler follows its body."""

    lines: list[str]
    kinds: list[LineKind]
    statements: list[int]
    header: int
    # The first statement after the body, or the number of lines when it runs to the end of file.
    end: int

    @property
    def body(self) -> list[int]:
        return [index for index in self.statements if self.header < index < self.end]

    @property
    def runs_to_end(self) -> bool:
        return self.end == len(self.lines)


@syntax_repair(
    name="align-try-handler",
    description="Move an `except` or `finally` clause to the column of its `try`.",
    matches=(_MESSAGE,),
)
def align_try_handler(source: str, problem: SyntaxProblem) -> Iterator[str]:
    found = _unclosed_try(source, problem)
    if found is None or found.runs_to_end:
        return
    lines, header, end = found.lines, found.header, found.end
    if not _HANDLER.match(without_indentation(lines[end])):
        return
    repaired = list(lines)
    repaired[end] = with_indentation(lines[end], indentation(lines[header]))
    yield "".join(repaired)


@syntax_repair(
    name="rejoin-try-body",
    description="Indent statements that fell out of a `try:` body back into it.",
    matches=(_MESSAGE,),
)
def rejoin_try_body(source: str, problem: SyntaxProblem) -> Iterator[str]:
    found = _unclosed_try(source, problem)
    if found is None or not found.body or found.runs_to_end:
        return
    lines, header, end = found.lines, found.header, found.end
    # The statements at the column where the body ended (up to a handler), and the code after.
    width = indent_column(lines[end])
    following = [index for index in found.statements if index >= end]
    moved = list(
        itertools.takewhile(
            lambda index: (
                indent_column(lines[index]) == width
                and not _HANDLER.match(without_indentation(lines[index]))
            ),
            following,
        )
    )
    if not moved or len(moved) == len(following):
        return
    after = following[len(moved)]
    try_width = indent_column(lines[header])
    if indent_column(lines[after]) == try_width:
        continues = _HANDLER.match(without_indentation(lines[after])) is not None
    else:
        # Deeper code goes on with the body, unless it is the body of the last moved statement.
        continues = indent_column(lines[after]) > try_width and not opens_block(lines[moved[-1]])
    if not continues:
        return
    repaired = list(lines)
    body_indent = indentation(lines[found.body[0]])
    for index in moved:
        repaired[index] = with_indentation(lines[index], body_indent)
    yield "".join(repaired)


@syntax_repair(
    name="close-try-block",
    description="Add `finally: pass` after a `try:` body that has no `except` or `finally`.",
    matches=(_MESSAGE,),
)
def close_try_block(source: str, problem: SyntaxProblem) -> Iterator[str]:
    found = _unclosed_try(source, problem)
    if found is None:
        return
    kinds, header = found.kinds, found.header
    last = max(index for index in range(header, found.end) if kinds[index] is not LineKind.BLANK)
    indent = indentation(found.lines[header])
    body_indent = indentation(found.lines[found.body[0]]) if found.body else indent + "    "
    yield "".join(insert_after(found.lines, last, [f"{indent}finally:", f"{body_indent}pass"]))
    if found.runs_to_end:
        # Nested bodies that all run to the end of the file: the parser reports the next one at
        # the same place once one is closed, so they are closed together, the innermost first.
        closers: list[str] = []
        for header in _unclosed_to_end(found.lines, found.statements):
            indent = indentation(found.lines[header])
            following = [index for index in found.statements if index > header]
            body = indentation(found.lines[following[0]]) if following else indent + "    "
            closers += [f"{indent}finally:", f"{body}pass"]
        if len(closers) > 2:
            yield "".join(insert_after(found.lines, last, closers))


def _unclosed_try(source: str, problem: SyntaxProblem) -> _UnclosedTry | None:
    """The `try` the parser stopped at, if it can be found.

    The parser stops at the first body that ends without a handler, the innermost one when
    several end on the same line. Headers after the reported line cannot be the one.
    """
    lines = split_lines(source)
    kinds = classify_lines(lines)
    statements = statement_lines(kinds)
    found: list[tuple[int, int]] = []
    for position, header in enumerate(statements):
        if header < problem.line and _TRY.match(without_indentation(lines[header])):
            end = _unclosed_end(lines, statements, position)
            if end is not None:
                found.append((header, end))
    if not found:
        return None
    header, end = min(found, key=lambda item: (item[1], -item[0]))
    return _UnclosedTry(lines, kinds, statements, header, end)


def _unclosed_to_end(lines: Sequence[str], statements: Sequence[int]) -> list[int]:
    """The `try` headers whose bodies run to the end of the file, the innermost (last) first."""
    return [
        header
        for position, header in reversed(list(enumerate(statements)))
        if _TRY.match(without_indentation(lines[header]))
        and _unclosed_end(lines, statements, position) == len(lines)
    ]


def _unclosed_end(lines: Sequence[str], statements: Sequence[int], position: int) -> int | None:
    """Where the body of the `try` at `statements[position]` ends, if no handler follows it.

    The end is the index of the first statement not indented deeper than the `try`, or the
    number of lines when the body runs to the end of the file.
    """
    width = indent_column(lines[statements[position]])
    for index in statements[position + 1 :]:
        line_width = indent_column(lines[index])
        if line_width <= width:
            closed = line_width == width and _FOLLOWER.match(without_indentation(lines[index]))
            return None if closed else index
    return len(lines)
