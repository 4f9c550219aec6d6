"""Repair indentation errors: a wrong dedent, an unexpected indent, an empty block, mixed tabs.

Each repair changes the leading whitespace of as few lines as it can, or inserts one `pass`
line; it never touches a line inside a multi-line string. All are unsafe: the code parses
afterwards, but the block a statement belongs to is a guess. A line that moves takes its
siblings along (the statements after it at the same column, to the end of its block); the lines
nested under them stay where they are.

- "unindent does not match any outer indentation level": the line moves to an open level next
  to it. If the code after its block goes on deeper than the line, the line was meant to stay in
  the inner block and takes that level; otherwise it takes the nearest enclosing level, the
  deepest open block shallower than it. When the statements right before the line start a body
  deeper than it (at one column), moving them to its column instead is chosen if that changes
  fewer lines::

      if ready:                  if ready:
              run()                      run()
          report()       ->      report()
      done()                     done()

      def run_tests(self):       def run_tests(self):
          results = {}               results = {}
        for name in names: ->      for name in names:
              go(name)                   go(name)
          return results             return results

- "unexpected indent": the line moves to the indentation of the statement before it, unless
  moving the statements right before it (those at one column) to its indentation changes fewer
  lines, when they left a block that it and its siblings continue::

      setup()                    setup()
          run()          ->      run()

      def load(self):            def load(self):
          model = build()            model = build()
      model.eval()       ->          model.eval()
          model.train()              model.train()
          return model               return model

- "expected an indented block after ... on line N", when the body's first statement lost its
  indentation but the statements after it are still indented as a body: that statement takes
  the indentation of the shallowest of them. A one-statement body followed by a clause of the
  header (`else:`...), or shallower than the header while the code after it goes on at the
  header's column, takes the header's indentation plus one level::

      def select_device():       def select_device():
      if HAS_TORCH:      ->          if HAS_TORCH:
              return "cuda"              return "cuda"
          return "cpu"               return "cpu"

- "expected an indented block after ... on line N", otherwise: an indented `pass` goes after the
  header of line N (after its last line when the header spans several). Statements meant for
  the body stay outside it::

      def test_pipeline(self):   def test_pipeline(self):
      run()              ->          pass
                                 run()

- "inconsistent use of tabs and spaces in indentation": the line takes the exact indentation of
  the open block at the same column, counting a tab as 8 columns as CPython does (a line deeper
  than every open block gets that block's indentation plus spaces). Its whole block shifts the
  same way, since it shares the offending mix. With tabs written `<TAB>`::

      if ready:                  if ready:
      <TAB>run()                 <TAB>run()
              report()   ->      <TAB>report()
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence

from hflint.codemods.syntax_repairs._lines import (
    LineKind,
    classify_lines,
    indent_column,
    indent_width,
    indentation,
    insert_after,
    opens_block,
    statement_lines,
    with_indentation,
    without_indentation,
)

from hflint.syntax import RepairFunction, SyntaxProblem, split_lines, syntax_repair

# A repair of the reported line, given the lines, their kinds and its index.
_StatementRepair = Callable[[list[str], list[LineKind], int], str | None]


def _at_reported_statement(repair: _StatementRepair) -> RepairFunction:
    """Give `repair` the file's lines, their kinds and the index of the reported line.

    It runs only when that line starts a statement: the indentation of other lines (inside
    brackets or strings, blank) is not what the parser complained about.
    """

    @functools.wraps(repair)
    def repair_at_statement(source: str, problem: SyntaxProblem) -> str | None:
        lines = split_lines(source)
        kinds = classify_lines(lines)
        index = problem.line - 1
        return repair(lines, kinds, index) if kinds[index] is LineKind.STATEMENT else None

    return repair_at_statement


@syntax_repair(
    name="align-unindent",
    description="Align a line that dedents to no open block with an open level next to it.",
    matches=(r"unindent does not match any outer indentation level",),
)
@_at_reported_statement
def align_unindent(lines: list[str], kinds: list[LineKind], index: int) -> str | None:
    width = indent_column(lines[index])
    levels = _open_levels(lines, kinds, index)
    outer = [level for level in levels if indent_width(level) < width]
    inner = [level for level in levels if indent_width(level) > width]
    end = _block_end(lines, kinds, index)
    goes_deeper = end < len(lines) and indent_column(lines[end]) > width
    moved = None
    if inner and goes_deeper:
        moved = _move(lines, kinds, index, inner[0])
    elif outer:  # a line at column 0 always matches: no outer level means a scan mismatch
        moved = _move(lines, kinds, index, outer[-1])
    before = statement_lines(kinds[:index])
    return _fewest_changes(lines, moved, _join(lines, kinds, before, index))


@syntax_repair(
    name="align-unexpected-indent",
    description=(
        "Align an over-indented line with the statements before it, or those with it, "
        "whichever changes fewer lines."
    ),
    matches=(r"unexpected indent",),
)
@_at_reported_statement
def align_unexpected_indent(lines: list[str], kinds: list[LineKind], index: int) -> str | None:
    before = statement_lines(kinds[:index])
    dedented = _move(lines, kinds, index, indentation(lines[before[-1]]) if before else "")
    return _fewest_changes(lines, dedented, _join(lines, kinds, before, index))


def _join(
    lines: Sequence[str], kinds: Sequence[LineKind], before: Sequence[int], index: int
) -> list[str] | None:
    """`lines` with the statements just before `lines[index]` moved to its indentation.

    Those are the run of statements at one indentation that ends right before it. Moving them is
    valid when its column is a block still open before them (they dedented out of the block it
    continues), or when they start a block's body, which may be as deep as wanted. None otherwise.
    """
    if not before:
        return None
    width = indent_column(lines[before[-1]])
    run: list[int] = []
    for statement in reversed(before):
        if indent_column(lines[statement]) != width:
            break
        run.append(statement)
    levels = _open_levels(lines, kinds, run[-1])
    wanted = indentation(lines[index])
    same = [level for level in levels if indent_width(level) == indent_width(wanted)]
    deepest = indent_width(levels[-1])
    starts_body = width > deepest  # the run opened a block: it follows a header
    if same:
        target = same[0]
    elif starts_body and indent_width(wanted) > deepest:
        target = wanted
    else:
        return None
    repaired = list(lines)
    for statement in run:
        repaired[statement] = with_indentation(lines[statement], target)
    return repaired


_HEADER_LINE = re.compile(r"expected an indented block after .* on line (\d+)")


@syntax_repair(
    name="indent-block-body",
    description="Indent a block's first statement like the rest of its body.",
    matches=(_HEADER_LINE.pattern,),
)
def indent_block_body(source: str, problem: SyntaxProblem) -> str | None:
    found = _HEADER_LINE.match(problem.message)
    if found is None:
        return None
    lines = split_lines(source)
    kinds = classify_lines(lines)
    header, index = int(found[1]) - 1, problem.line - 1
    # At the end of the file CPython reports the header itself: there is no body to indent.
    if index <= header or kinds[index] is not LineKind.STATEMENT:
        return None
    header_indent = indentation(lines[header])
    body: list[str] = []
    for following in range(index + 1, len(lines)):
        if kinds[following] is LineKind.STATEMENT:
            indent = indentation(lines[following])
            if indent_width(indent) <= indent_width(header_indent):
                break
            body.append(indent)
    if body:
        target = min(body, key=indent_width)
    elif _sandwiched(lines, kinds, index, header_indent):
        # A one-statement body: there is no other body line to copy the indentation from.
        target = header_indent + _indent_step(header_indent)
    else:
        return None
    repaired = list(lines)
    repaired[index] = with_indentation(lines[index], target)
    return "".join(repaired)


_CLAUSE = re.compile(r"(elif|else|except|finally)\b")


def _sandwiched(
    lines: Sequence[str], kinds: Sequence[LineKind], index: int, header_indent: str
) -> bool:
    """Whether the code after `lines[index]` shows it is a one-statement body of the header.

    It is when the next statement is a clause of the header (`else:`, `except:`...), or when it
    goes on at the header's column while the line itself is shallower than the header.
    """
    following = next(
        (i for i in range(index + 1, len(lines)) if kinds[i] is LineKind.STATEMENT), None
    )
    header_width = indent_width(header_indent)
    if following is None or indent_column(lines[following]) != header_width:
        return False
    shallower = indent_column(lines[index]) < header_width
    return shallower or _CLAUSE.match(without_indentation(lines[following])) is not None


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
    return "".join(insert_after(lines, last, [indent + _indent_step(indent) + "pass"]))


def _indent_step(indent: str) -> str:
    """One more level of indentation in the style of `indent`."""
    return "\t" if "\t" in indent else "    "


@syntax_repair(
    name="fix-tab-indentation",
    description="Give a line indented with a mix of tabs and spaces the indentation of its block.",
    matches=(r"inconsistent use of tabs and spaces in indentation",),
)
@_at_reported_statement
def fix_tab_indentation(lines: list[str], kinds: list[LineKind], index: int) -> str | None:
    levels = _open_levels(lines, kinds, index)
    width = indent_column(lines[index])
    same = [level for level in levels if indent_width(level) == width]
    deepest = indent_width(levels[-1])
    if same:
        target = same[0]
    elif width > deepest:
        target = levels[-1] + " " * (width - deepest)
    else:
        return None
    return "".join(_shift(lines, kinds, index, _block_end(lines, kinds, index), target))


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


def _move(lines: Sequence[str], kinds: Sequence[LineKind], start: int, target: str) -> list[str]:
    """`lines` with `lines[start]` and its siblings indented with `target`.

    Its siblings are the statements after it at the same column, up to the end of its block. The
    lines nested under them stay where they are, so that the fewest lines change (when one would
    no longer be nested, the file does not parse and the recovery drops the change).
    """
    width = indent_column(lines[start])
    repaired = list(lines)
    for index in range(start, _block_end(lines, kinds, start)):
        line = lines[index]
        if kinds[index] is LineKind.STATEMENT and indent_column(line) == width:
            repaired[index] = with_indentation(line, target)
    return repaired


def _shift(
    lines: Sequence[str], kinds: Sequence[LineKind], start: int, end: int, target: str
) -> list[str]:
    """`lines` with the indentation of `lines[start]` replaced by `target` in `lines[start:end]`.

    Statements and bracket continuations whose indentation begins with the same characters get
    the same change, so they keep their place relative to it.
    """
    old = indentation(lines[start])
    repaired = list(lines)
    for index in range(start, end):
        line = lines[index]
        if kinds[index] in (LineKind.STATEMENT, LineKind.CONTINUATION) and line.startswith(old):
            repaired[index] = target + line[len(old) :]
    return repaired


def _fewest_changes(
    lines: Sequence[str], preferred: list[str] | None, other: list[str] | None
) -> str | None:
    """The candidate that changes fewer lines, `preferred` on a tie; None if there is none."""
    candidates = [candidate for candidate in (preferred, other) if candidate is not None]
    if not candidates:
        return None
    changed = [sum(a != b for a, b in zip(lines, c, strict=True)) for c in candidates]
    return "".join(candidates[changed.index(min(changed))])
