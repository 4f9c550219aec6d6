"""Repair indentation errors: a wrong dedent, an unexpected indent, an empty block, mixed tabs.

Each repair changes only the leading whitespace of the reported line and of the lines of the
block it starts (statements and bracket continuations, never lines inside a multi-line string,
blank or comment lines), or inserts one `pass` line. All are unsafe: the code parses afterwards,
but the block a statement belongs to is a guess.

- "unindent does not match any outer indentation level": the line (and the block it starts) moves
  to the nearest enclosing level, the deepest open block shallower than it, on the view that the
  author meant to leave the inner block::

      if ready:                  if ready:
              run()                      run()
          report()       ->      report()

- "unexpected indent": the line (and its block) moves to the indentation of the statement before
  it::

      setup()                    setup()
          run()          ->      run()

- "expected an indented block after ... on line N": an indented `pass` goes after the header of
  line N (after its last line when the header spans several). Statements meant for the body stay
  outside it::

      def test_pipeline(self):   def test_pipeline(self):
      run()              ->          pass
                                 run()

- "inconsistent use of tabs and spaces in indentation": the line (and its block) takes the exact
  indentation of the open block at the same column, counting a tab as 8 columns as CPython does;
  a line deeper than every open block gets that block's indentation plus spaces. With tabs
  written `<TAB>`::

      if ready:                  if ready:
      <TAB>run()                 <TAB>run()
              report()   ->      <TAB>report()
"""

from __future__ import annotations

import re
from collections.abc import Sequence

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


@syntax_repair(
    name="align-unindent",
    description="Move a line that dedents to no open block to the enclosing block's level.",
    matches=(r"unindent does not match any outer indentation level",),
)
def align_unindent(source: str, problem: SyntaxProblem) -> str | None:
    lines = split_lines(source)
    kinds = classify_lines(lines)
    index = problem.line - 1
    if kinds[index] is not LineKind.STATEMENT:
        return None
    width = indent_width(indentation(lines[index]))
    levels = _open_levels(lines, kinds, index)
    enclosing = [level for level in levels if indent_width(level) < width]
    # A line at column 0 always matches; an empty list means the scan disagrees with CPython.
    return _reindent_block(lines, kinds, index, enclosing[-1]) if enclosing else None


@syntax_repair(
    name="dedent-unexpected-indent",
    description="Move an over-indented line to the indentation of the statement before it.",
    matches=(r"unexpected indent",),
)
def dedent_unexpected_indent(source: str, problem: SyntaxProblem) -> str | None:
    lines = split_lines(source)
    kinds = classify_lines(lines)
    index = problem.line - 1
    if kinds[index] is not LineKind.STATEMENT:
        return None
    previous = [i for i in range(index) if kinds[i] is LineKind.STATEMENT]
    target = indentation(lines[previous[-1]]) if previous else ""
    return _reindent_block(lines, kinds, index, target)


_HEADER_LINE = re.compile(r"expected an indented block after .* on line (\d+)")


@syntax_repair(
    name="insert-pass",
    description="Give a block header with no body an indented `pass`.",
    matches=(_HEADER_LINE.pattern,),
)
def insert_pass(source: str, problem: SyntaxProblem) -> str | None:
    found = _HEADER_LINE.match(problem.message)
    if found is None:
        return None
    lines = split_lines(source)
    kinds = classify_lines(lines)
    header = int(found[1]) - 1
    last = header
    while last + 1 < len(lines) and kinds[last + 1] is LineKind.CONTINUATION:
        last += 1
    indent = indentation(lines[header])
    step = "\t" if "\t" in indent else "    "  # follow the header's own style
    return "".join(insert_after(lines, last, [f"{indent}{step}pass"]))


@syntax_repair(
    name="fix-tab-indentation",
    description="Give a line indented with a mix of tabs and spaces the indentation of its block.",
    matches=(r"inconsistent use of tabs and spaces in indentation",),
)
def fix_tab_indentation(source: str, problem: SyntaxProblem) -> str | None:
    lines = split_lines(source)
    kinds = classify_lines(lines)
    index = problem.line - 1
    if kinds[index] is not LineKind.STATEMENT:
        return None
    width = indent_width(indentation(lines[index]))
    levels = _open_levels(lines, kinds, index)
    same = [level for level in levels if indent_width(level) == width]
    deepest = indent_width(levels[-1])
    if same:
        target = same[0]
    elif width > deepest:
        target = levels[-1] + " " * (width - deepest)
    else:
        return None
    return _reindent_block(lines, kinds, index, target)


def _open_levels(lines: Sequence[str], kinds: Sequence[LineKind], index: int) -> list[str]:
    """The indentation of each block open at `lines[index]`, outermost first.

    This is the stack of CPython's tokenizer, rebuilt from the statements before the line; those
    parsed, so their indentation is consistent.
    """
    levels = [""]
    for line, kind in zip(lines[:index], kinds[:index], strict=True):
        if kind is not LineKind.STATEMENT:
            continue
        indent = indentation(line)
        width = indent_width(indent)
        while width < indent_width(levels[-1]):
            levels.pop()
        if width > indent_width(levels[-1]):
            levels.append(indent)
    return levels


def _reindent_block(
    lines: Sequence[str], kinds: Sequence[LineKind], start: int, target: str
) -> str:
    """Replace the indentation of `lines[start]` by `target` in it and in the block it starts.

    The block runs until a statement shallower than `lines[start]`. Lines in it whose indentation
    begins with the same characters (siblings, nested lines, bracket continuations) get the same
    change, so they keep their place relative to it.
    """
    old = indentation(lines[start])
    width = indent_width(old)
    repaired = list(lines)
    for index in range(start, len(lines)):
        kind = kinds[index]
        line = lines[index]
        if kind is LineKind.STATEMENT and index > start and indent_width(indentation(line)) < width:
            break
        if kind in (LineKind.STATEMENT, LineKind.CONTINUATION) and line.startswith(old):
            repaired[index] = target + line[len(old) :]
    return "".join(repaired)
