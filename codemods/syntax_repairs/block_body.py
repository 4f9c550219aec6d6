"""Give a block header its body: indent the statement that lost its indentation, or add `pass`.

CPython: "expected an indented block after ... on line N". Most often the body is there, one level
too shallow: a fixer dedented the statement after the header (`if not HAS_TRANSFORMERS:` with its
`return` at the `if`'s column). Adding `pass` would make that `return` run always, so the body's
statements are indented instead. The candidates, for the header of line N and the line the parser
reports:

- the line, at the indentation of the statements after it that are deeper than the header (the
  rest of the body), else one level deeper than the header; alone, or with its siblings;
- an indented `pass` after the header (after its last line when it spans several), only when no
  statement is there to indent: the line is shallower than the header, or a clause of it
  (`else:`), or a `def`, `class` or decorator after a `def` or `class` (an empty function), or
  the header ends the file::

      if not HAS_TRANSFORMERS:           if not HAS_TRANSFORMERS:
      return {"success": False}   ->         return {"success": False}
      run()                              run()

      def test_pipeline(self):           def test_pipeline(self):
      def test_other(self):       ->         pass
          run()                          def test_other(self):
                                             run()
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from hflint.codemods.syntax_repairs._lines import (
    LineKind,
    classify_lines,
    indent_column,
    indent_step,
    indent_width,
    indentation,
    insert_after,
    next_statement,
    reindent,
    without_indentation,
)

from hflint.syntax import SyntaxProblem, split_lines, syntax_repair

_HEADER_LINE = re.compile(r"expected an indented block after .* on line (\d+)")
_CLAUSE = re.compile(r"(elif|else|except|finally|case)\b")
_DEFINITION = re.compile(r"(async\s+def|def|class)\b|@")


@syntax_repair(
    name="indent-block-body",
    description="Indent the statement after a block header, with its siblings, into its body.",
    matches=(_HEADER_LINE.pattern,),
)
def indent_block_body(source: str, problem: SyntaxProblem) -> Iterator[str]:
    found = _HEADER_LINE.match(problem.message)
    if found is None:
        return
    lines = split_lines(source)
    kinds = classify_lines(lines)
    header, index = int(found[1]) - 1, problem.line - 1
    # At the end of the file CPython reports the header itself: there is no body to indent.
    if index <= header or kinds[index] is not LineKind.STATEMENT:
        return
    header_indent = indentation(lines[header])
    body = _deeper_statements(lines, kinds, index, indent_width(header_indent))
    targets = [min(body, key=indent_width)] if body else []
    targets.append(header_indent + indent_step(header_indent))
    width = indent_column(lines[index])
    siblings = [index]
    following = next_statement(kinds, index)
    while following is not None and indent_column(lines[following]) == width:
        siblings.append(following)
        following = next_statement(kinds, following)
    for target in dict.fromkeys(targets):
        yield "".join(reindent(lines, kinds, [index], target))
        if len(siblings) > 1:
            yield "".join(reindent(lines, kinds, siblings, target))


def _deeper_statements(
    lines: Sequence[str], kinds: Sequence[LineKind], index: int, header_width: int
) -> list[str]:
    """The indentation of the statements after `lines[index]` deeper than the header, up to the
    first that is not."""
    found: list[str] = []
    for following in range(index + 1, len(lines)):
        if kinds[following] is LineKind.STATEMENT:
            indent = indentation(lines[following])
            if indent_width(indent) <= header_width:
                break
            found.append(indent)
    return found


@syntax_repair(
    name="insert-pass",
    description="Give a block header with no statement to indent under it an indented `pass`.",
    matches=(_HEADER_LINE.pattern,),
)
def insert_pass(source: str, problem: SyntaxProblem) -> Iterator[str]:
    found = _HEADER_LINE.match(problem.message)
    if found is None:
        return
    lines = split_lines(source)
    kinds = classify_lines(lines)
    header = int(found[1]) - 1
    last = header
    while last + 1 < len(lines) and kinds[last + 1] is LineKind.CONTINUATION:
        last += 1
    following = next_statement(kinds, last)
    if following is not None and _could_be_the_body(lines, header, following):
        return
    indent = indentation(lines[header])
    yield "".join(insert_after(lines, last, [indent + indent_step(indent) + "pass"]))


def _could_be_the_body(lines: Sequence[str], header: int, following: int) -> bool:
    """Whether the statement after a header with no body may be its body, dedented."""
    code = without_indentation(lines[following])
    if indent_column(lines[following]) < indent_column(lines[header]) or _CLAUSE.match(code):
        return False
    definitions = _DEFINITION.match(without_indentation(lines[header])) and _DEFINITION.match(code)
    return not definitions
