"""Move a statement off a block header's line when the rest of the block is indented under it.

A fixer that joins lines leaves the first statement of a body on its header's line (`try:     import
torch`) and the rest of the body indented below, often with the clause that closes the block
(`except ImportError:`) indented to match. The parser stops at the first indented line ("unexpected
indent"). The candidate moves the header's statement to a line of its own, at the column of the
indented line, so that the header opens the block the indented lines are; an `except` among them
then goes back to its `try` with `align-clause`::

    try:     import torch                 try:
                  HAS_TORCH = True                      import torch
                  except ImportError: ->                HAS_TORCH = True
                      HAS_TORCH = False             except ImportError:
                                                        HAS_TORCH = False

Only compound statements that end their header with `:` outside brackets and strings are split.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from hflint.codemods.syntax_repairs._lines import (
    LineKind,
    classify_lines,
    code_mask,
    indentation,
    insert_after,
    line_ending,
    opens_block,
    previous_statement,
)

from hflint.syntax import SyntaxProblem, split_lines, syntax_repair

_LAMBDA = re.compile(r"\blambda\b")


@syntax_repair(
    name="split-header-line",
    description="Move a statement on a block header's line under it, where its block is indented.",
    matches=(r"unexpected indent|unindent does not match|invalid syntax",),
)
def split_header_line(source: str, problem: SyntaxProblem) -> Iterator[str]:
    lines = split_lines(source)
    kinds = classify_lines(lines)
    index = problem.line - 1
    header = previous_statement(kinds, index)
    if kinds[index] is not LineKind.STATEMENT or header is None or not opens_block(lines[header]):
        return
    colon = _header_colon(lines, header)
    text = lines[header]
    if colon is None or not text[colon + 1 :].strip():
        return
    body = text[colon + 1 :].rstrip("\r\n").strip()
    repaired = list(lines)
    repaired[header] = text[: colon + 1] + line_ending(text)
    yield "".join(insert_after(repaired, header, [indentation(lines[index]) + body]))


def _header_colon(lines: Sequence[str], index: int) -> int | None:
    """The index of the `:` that ends the header on `lines[index]` (the first one outside
    brackets, strings and comments, not of a lambda or `:=`), or None."""
    text = lines[index]
    mask = code_mask(lines, index)
    depth = 0
    for position, char in enumerate(text.rstrip("\r\n")):
        if not mask[position]:
            continue
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(depth - 1, 0)
        elif char == ":" and depth == 0 and text[position + 1 : position + 2] != "=":
            return None if _LAMBDA.search(text[:position]) else position
    return None
