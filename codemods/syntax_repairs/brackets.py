"""Balance brackets where the tokenizer or the parser finds them unbalanced.

CPython: "unmatched ')'" (or `]`, `}`), "closing parenthesis ')' does not match opening parenthesis
'['", "'(' was never closed". Template substitution that replaces a call by a call leaves one
parenthesis too many, the commonest syntax error of older generated suites; regex fixers close a
bracket on the line that opens it (`= {}` where `= {` was, the entries on the lines below). The
candidates, which the search keeps when the parser then gets further:

- a closer that closes nothing: deleted, alone or with the run of punctuation it is in
  (`undo-repeated-punctuation` proposes those);
- a closer that does not match: deleted, or replaced by the closer of the open bracket;
- a bracket never closed: deleted, or closed at the end of its line (before a trailing `:`);
- an empty pair at the end of one of the lines just before the problem (`= {}` then `"cuda":
  HAS_CUDA,`): its closer, and the punctuation after it, deleted, so that the pair opens again and
  the lines below are its contents, up to the closer the tokenizer found unmatched.

Each is unsafe: the result parses, but a bracket that was really missing elsewhere groups the
expression differently.

Before::

    capabilities = {}
        "cuda": HAS_CUDA,
    }

After::

    capabilities = {
        "cuda": HAS_CUDA,
    }
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from hflint.codemods.syntax_repairs._lines import (
    OPENERS,
    PUNCTUATION,
    LineKind,
    classify_lines,
    code_mask,
    indent_column,
    without_indentation,
    without_span,
)

from hflint.syntax import SyntaxProblem, split_lines, syntax_repair

_MISMATCH = re.compile(r"closing parenthesis '(.)' does not match opening parenthesis '(.)'")
_NEVER_CLOSED = re.compile(r"'(.)' was never closed")
# How many statement lines before the problem may hold the pair to open again.
_REOPEN_REACH = 2


@syntax_repair(
    name="balance-brackets",
    description="Delete, replace, close or reopen a bracket so that brackets balance.",
    matches=(r"",),
)
def balance_brackets(source: str, problem: SyntaxProblem) -> Iterator[str]:
    lines = split_lines(source)
    index, column = problem.line - 1, problem.column - 1
    text = lines[index]
    mismatch = _MISMATCH.match(problem.message)
    never_closed = _NEVER_CLOSED.match(problem.message)
    if mismatch and text[column : column + 1] == mismatch[1]:
        closer = OPENERS[mismatch[2]]
        yield without_span(lines, index, (column, column + 1))
        yield _spliced(lines, index, (column, column + 1), closer)
    elif never_closed and text[column : column + 1] == never_closed[1]:
        yield without_span(lines, index, (column, column + 1))
        yield _closed_at_line_end(lines, index, OPENERS[never_closed[1]])
    yield from _reopened(lines, index)


def _spliced(lines: Sequence[str], index: int, span: tuple[int, int], text: str) -> str:
    """The whole text with `span` of `lines[index]` replaced by `text`."""
    line = lines[index]
    spliced = line[: span[0]] + text + line[span[1] :]
    return "".join([*lines[:index], spliced, *lines[index + 1 :]])


def _closed_at_line_end(lines: Sequence[str], index: int, closer: str) -> str:
    """`closer` added at the end of the code of `lines[index]`, before a trailing `:`."""
    mask = code_mask(lines, index)
    code = [position for position, is_code in enumerate(mask) if is_code]
    text = lines[index]
    end = code[-1] + 1 if code else len(text.rstrip("\r\n"))
    while end > 0 and text[end - 1].isspace():
        end -= 1
    if end > 0 and text[end - 1] == ":":
        end -= 1
    return _spliced(lines, index, (end, end), closer)


def _reopened(lines: Sequence[str], index: int) -> Iterator[str]:
    """The texts where an empty pair ending one of the statement lines before `lines[index]`
    opens again (its closer and the punctuation after it deleted)."""
    kinds = classify_lines(lines)
    reached = 0
    for before in range(index, -1, -1):
        if kinds[before] is LineKind.BLANK or kinds[before] is LineKind.STRING:
            continue
        span = _trailing_pair(lines, before)
        if span is not None and _closed_below(lines, kinds, before, lines[before][span[0]]):
            yield without_span(lines, before, span)
        if kinds[before] is LineKind.STATEMENT:
            reached += 1
            if reached > _REOPEN_REACH:
                return


def _closed_below(lines: Sequence[str], kinds: Sequence[LineKind], index: int, closer: str) -> bool:
    """Whether the lines after `lines[index]` are deeper than it up to a statement line at its
    column or shallower that starts with `closer`: the shape of contents whose opener was closed
    early. Without it, reopening a pair would swallow the statements below into the brackets."""
    width = indent_column(lines[index])
    for below in range(index + 1, len(lines)):
        if kinds[below] is LineKind.STATEMENT and indent_column(lines[below]) <= width:
            return without_indentation(lines[below]).startswith(closer)
    return False


def _trailing_pair(lines: Sequence[str], index: int) -> tuple[int, int] | None:
    """The closer of an empty pair that ends the code of `lines[index]` and the punctuation after
    it, as a span; None when the line does not end so."""
    mask = code_mask(lines, index)
    code = [position for position, is_code in enumerate(mask) if is_code]
    text = lines[index]
    while code and text[code[-1]].isspace():
        code.pop()
    end = code[-1] + 1 if code else 0
    start = end
    while start > 0 and mask[start - 1] and text[start - 1] in PUNCTUATION:
        start -= 1
    if (
        start == 0
        or text[start - 1] not in OPENERS
        or text[start : start + 1] != OPENERS[text[start - 1]]
    ):
        return None
    return start, end
