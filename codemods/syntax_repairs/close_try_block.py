"""Close a `try:` block that has no `except` or `finally` clause.

CPython: "expected 'except' or 'finally' block". Generators and fixer scripts emit a `try:` around
an import or a setup step and forget its handler. The repair adds `finally:` and an indented `pass`
at the `try`'s own indentation, right after the last line of its body (before any blank or
comment lines that follow it). `finally: pass` does nothing, so the code runs as if the `try`
were not there: an exception still propagates, as it would have with a handler that re-raises.
That is safe for what the code does, but maybe not what was meant (an `except ImportError:`
fallback was probably intended), so review the result.

A `try` followed by `else:` without a handler is left alone: `finally` cannot go before `else`,
and the missing handler cannot be guessed.

Before::

    try:
        import torch
    HAS_TORCH = True

After::

    try:
        import torch
    finally:
        pass
    HAS_TORCH = True
"""

from __future__ import annotations

import re

from hflint.syntax import (
    LineKind,
    SyntaxProblem,
    classify_lines,
    indent_width,
    indentation,
    insert_after,
    split_lines,
    syntax_repair,
)

_TRY = re.compile(r"try\s*:")
_FOLLOWER = re.compile(r"(except|finally|else)\b")


@syntax_repair(
    name="close-try-block",
    description="Add `finally: pass` after a `try:` body that has no `except` or `finally`.",
    matches=(r"expected 'except' or 'finally' block",),
)
def close_try_block(source: str, problem: SyntaxProblem) -> str | None:
    lines = split_lines(source)
    kinds = classify_lines(lines)
    statements = [index for index, kind in enumerate(kinds) if kind is LineKind.STATEMENT]
    # The parser stops at the first body that ends without a handler, the innermost one when
    # several end on the same line. Headers after the reported line cannot be the one.
    candidates: list[tuple[int, int]] = []
    for position, header in enumerate(statements):
        if header < problem.line and _TRY.match(_code(lines[header])):
            end = _unclosed_end(lines, statements, position)
            if end is not None:
                candidates.append((end, header))
    if not candidates:
        return None
    end, header = min(candidates, key=lambda found: (found[0], -found[1]))
    last = max(index for index in range(header, end) if kinds[index] is not LineKind.BLANK)
    indent = indentation(lines[header])
    body = [index for index in statements if header < index < end]
    body_indent = indentation(lines[body[0]]) if body else indent + "    "
    return "".join(insert_after(lines, last, [f"{indent}finally:", f"{body_indent}pass"]))


def _unclosed_end(lines: list[str], statements: list[int], position: int) -> int | None:
    """Where the body of the `try` at `statements[position]` ends, if no handler follows it.

    The end is the index of the first statement not indented deeper than the `try`, or the
    number of lines when the body runs to the end of the file.
    """
    width = indent_width(indentation(lines[statements[position]]))
    for index in statements[position + 1 :]:
        line_width = indent_width(indentation(lines[index]))
        if line_width <= width:
            closed = line_width == width and _FOLLOWER.match(_code(lines[index]))
            return None if closed else index
    return len(lines)


def _code(line: str) -> str:
    return line.lstrip(" \t\f")
