"""Move decorator lines to the column of the definition they decorate.

A fixer that re-indents the line after a blank or a comment leaves `@staticmethod` one level
deeper than its `def`; the parser stops at the `def` ("unexpected unindent" or "invalid syntax").
The decorators right above the reported line move to its column; nothing else changes.

Before::

    class Mock:
            @staticmethod
        def load(path):
            return path

After::

    class Mock:
        @staticmethod
        def load(path):
            return path
"""

from __future__ import annotations

from collections.abc import Iterator

from hflint.codemods.syntax_repairs._lines import (
    LineKind,
    classify_lines,
    indentation,
    previous_statement,
    with_indentation,
    without_indentation,
)

from hflint.syntax import SyntaxProblem, split_lines, syntax_repair


@syntax_repair(
    name="align-decorators",
    description="Move the decorators above a definition to the definition's column.",
    matches=(r"unexpected unindent|unindent does not match|invalid syntax|unexpected indent",),
)
def align_decorators(source: str, problem: SyntaxProblem) -> Iterator[str]:
    lines = split_lines(source)
    kinds = classify_lines(lines)
    index = problem.line - 1
    if kinds[index] is not LineKind.STATEMENT:
        return
    target = indentation(lines[index])
    repaired = list(lines)
    before = previous_statement(kinds, index)
    while before is not None and without_indentation(lines[before]).startswith("@"):
        repaired[before] = with_indentation(lines[before], target)
        before = previous_statement(kinds, before)
    if repaired != lines:
        yield "".join(repaired)
