"""Move a `return` that a fixer dedented out of its function back into the function's body.

A fixer that re-indents a nested class leaves the `return` that ends the enclosing function at
the column of the class's methods: the file parses, but the compiler finds "'return' outside
function". The candidates move the line to the column of the body of each function that encloses
it, the nearest first: the line alone, or with the lines after it in its block (which would
otherwise be indented under the `return`).

Before::

    def open(file):
        class Image:
            def convert(self):
                return self
            return Image()

After::

    def open(file):
        class Image:
            def convert(self):
                return self
        return Image()
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from hflint.codemods.syntax_repairs._lines import (
    ancestors,
    classify_lines,
    indentation,
    next_statement,
    region_end,
    reindent,
    with_indentation,
    without_indentation,
)

from hflint.syntax import SyntaxProblem, split_lines, syntax_repair

_FUNCTION = re.compile(r"(async\s+)?def\b")


@syntax_repair(
    name="return-into-function",
    description="Move a `return` or `yield` outside a function into the body of one around it.",
    matches=(r"'(return|yield)' outside function",),
)
def return_into_function(source: str, problem: SyntaxProblem) -> Iterator[str]:
    lines = split_lines(source)
    kinds = classify_lines(lines)
    index = problem.line - 1
    for owner in ancestors(lines, kinds, index):
        if not _FUNCTION.match(without_indentation(lines[owner])):
            continue
        body = next_statement(kinds, owner)
        if body is None or body >= index:
            continue
        target = indentation(lines[body])
        repaired = list(lines)
        repaired[index] = with_indentation(lines[index], target)
        yield "".join(repaired)
        yield "".join(reindent(lines, kinds, range(index, region_end(lines, kinds, index)), target))
