"""Re-indent a block by its structure: lines too deep, lines that dedent to no open block.

CPython: "unexpected indent", "unindent does not match any outer indentation level". Regex fixers
indent a statement after a comment or a docstring one level too deep, and everything after it
with it; or dedent a header (`def decode(...)`) out of its class while its body stays. Each
candidate changes only the leading whitespace of statement lines (never a line inside a
multi-line string, never a bracket's continuation line, whose indentation the parser ignores),
and the search keeps the one after which the parser gets furthest among those that change the
fewest lines. For the reported line, at each open indentation level:

- the line alone;
- the line and its siblings (the statements after it at its column, to the end of its block;
  the lines nested under them stay where they are);
- the line and everything after it indented as deep or deeper (its region), each line keeping
  its depth relative to it.

And two that move other lines instead:

- the statements right before the line, at one column, moved to its column, when it is a block
  still open before them or they start a block's body::

      def load(self):            def load(self):
          model = build()            model = build()
      model.eval()       ->          model.eval()
          model.train()              model.train()

- the header that holds the line by indentation, moved to the line's column, when its body is
  deeper than the line (the header dedented out of its block, its body did not)::

      class Tokenizer:                  class Tokenizer:
          def encode(self):                 def encode(self):
              return []                         return []
      def decode(self):        ->           def decode(self):
              return ""                         return ""
          def close(self):                  def close(self):
              pass                              pass

All are unsafe: the code parses afterwards, but the block a statement belongs to is a guess.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence

from hflint.codemods.syntax_repairs._lines import (
    LineKind,
    ancestors,
    classify_lines,
    indent_column,
    indent_width,
    indentation,
    next_statement,
    open_levels,
    opens_block,
    previous_statement,
    region_end,
    reindent,
    statement_lines,
)

from hflint.syntax import RepairFunction, SyntaxProblem, split_lines, syntax_repair

# A repair of the reported line, given the lines, their kinds and its index.
_StatementRepair = Callable[[list[str], list[LineKind], int], Iterator[list[str]]]


def at_reported_statement(repair: _StatementRepair) -> RepairFunction:
    """Give `repair` the file's lines, their kinds and the index of the reported line.

    It runs only when that line starts a statement: the indentation of other lines (inside
    brackets or strings, blank) is not what the parser complained about.
    """

    @functools.wraps(repair)
    def repair_at_statement(source: str, problem: SyntaxProblem) -> Iterator[str]:
        lines = split_lines(source)
        kinds = classify_lines(lines)
        index = problem.line - 1
        if kinds[index] is LineKind.STATEMENT:
            for candidate in repair(lines, kinds, index):
                yield "".join(candidate)

    return repair_at_statement


@syntax_repair(
    name="reindent-block",
    description="Move a line, its siblings or its region to an open indentation level.",
    matches=(r"unexpected indent|unindent does not match any outer indentation level",),
)
@at_reported_statement
def reindent_block(lines: list[str], kinds: list[LineKind], index: int) -> Iterator[list[str]]:
    width = indent_column(lines[index])
    levels = [level for level in open_levels(lines, kinds, index) if indent_width(level) != width]
    before = previous_statement(kinds, index)
    if before is not None and indent_column(lines[before]) < width:
        levels.append(indentation(lines[before]))
    # The nearest levels first: the search prefers, among equal changes, the furthest progress.
    levels.sort(key=lambda level: abs(indent_width(level) - width))
    region = range(index, region_end(lines, kinds, index))
    for level in dict.fromkeys(levels):
        yield reindent(lines, kinds, [index], level)
        yield reindent(lines, kinds, _siblings(lines, kinds, index), level)
        yield reindent(lines, kinds, region, level)


@syntax_repair(
    name="join-previous-statements",
    description="Move the statements right before a misaligned line to its column.",
    matches=(r"unexpected indent|unindent does not match any outer indentation level",),
)
@at_reported_statement
def join_previous(lines: list[str], kinds: list[LineKind], index: int) -> Iterator[list[str]]:
    before = statement_lines(kinds[:index])
    if not before:
        return
    width = indent_column(lines[before[-1]])
    run: list[int] = []
    for statement in reversed(before):
        if indent_column(lines[statement]) != width:
            break
        run.append(statement)
    levels = open_levels(lines, kinds, run[-1])
    wanted = indentation(lines[index])
    same = [level for level in levels if indent_width(level) == indent_width(wanted)]
    starts_body = width > indent_width(levels[-1])  # the run opened a block: it follows a header
    if same:
        yield reindent(lines, kinds, run, same[0])
    elif starts_body and indent_width(wanted) > indent_width(levels[-1]):
        yield reindent(lines, kinds, run, wanted)


@syntax_repair(
    name="raise-header",
    description="Move the header that holds a misaligned line by indentation to the line's column.",
    matches=(r"unindent does not match any outer indentation level|unexpected indent",),
)
@at_reported_statement
def raise_header(lines: list[str], kinds: list[LineKind], index: int) -> Iterator[list[str]]:
    width = indent_column(lines[index])
    for header in ancestors(lines, kinds, index)[:1]:
        body = next_statement(kinds, header)
        if opens_block(lines[header]) and body is not None and indent_column(lines[body]) > width:
            yield reindent(lines, kinds, [header], indentation(lines[index]))


def _siblings(lines: Sequence[str], kinds: Sequence[LineKind], start: int) -> list[int]:
    """`start` and the statements after it at its column, to the end of its block."""
    width = indent_column(lines[start])
    return [
        index
        for index in range(start, _block_end(lines, kinds, start))
        if kinds[index] is LineKind.STATEMENT and indent_column(lines[index]) == width
    ]


def _block_end(lines: Sequence[str], kinds: Sequence[LineKind], start: int) -> int:
    """The end (exclusive) of the block `lines[start]` belongs to from there on.

    That is the line, its siblings at the same indentation and the bodies of those that open a
    block, up to the first statement shallower than the line, indented deeper without a block
    to open, or dedenting to a column none of them opened.
    """
    widths = [indent_column(lines[start])]
    previous = start
    for index in range(start + 1, len(lines)):
        if kinds[index] is not LineKind.STATEMENT:
            continue
        width = indent_column(lines[index])
        if width > widths[-1]:
            if not opens_block(lines[previous]):
                return index
            widths.append(width)
        else:
            while widths and width < widths[-1]:
                widths.pop()
            if not widths or width != widths[-1]:
                return index
        previous = index
    return len(lines)
