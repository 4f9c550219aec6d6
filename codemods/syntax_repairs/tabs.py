"""Give a line indented with a mix of tabs and spaces the indentation of its block.

CPython: "inconsistent use of tabs and spaces in indentation". The line takes the exact
indentation of the open block at the same column, counting a tab as 8 columns as CPython does (a
line deeper than every open block gets that block's indentation plus spaces). The lines after it
that share its indentation (statements and bracket continuations whose indentation begins with the
same characters) shift the same way, to the end of its block, since they share the offending mix.
With tabs written `<TAB>`::

    if ready:                  if ready:
    <TAB>run()                 <TAB>run()
            report()   ->      <TAB>report()
            done()             <TAB>done()
"""

from __future__ import annotations

from collections.abc import Iterator

from hflint.codemods.syntax_repairs._lines import (
    LineKind,
    indent_column,
    indent_width,
    indentation,
    open_levels,
    region_end,
)
from hflint.codemods.syntax_repairs.indentation import at_reported_statement

from hflint.syntax import syntax_repair


@syntax_repair(
    name="fix-tab-indentation",
    description="Give a line indented with a mix of tabs and spaces the indentation of its block.",
    matches=(r"inconsistent use of tabs and spaces in indentation",),
)
@at_reported_statement
def fix_tab_indentation(lines: list[str], kinds: list[LineKind], index: int) -> Iterator[list[str]]:
    levels = open_levels(lines, kinds, index)
    width = indent_column(lines[index])
    same = [level for level in levels if indent_width(level) == width]
    deepest = indent_width(levels[-1])
    if same:
        target = same[0]
    elif width > deepest:
        target = levels[-1] + " " * (width - deepest)
    else:
        return
    old = indentation(lines[index])
    repaired = list(lines)
    for position in range(index, region_end(lines, kinds, index)):
        line = lines[position]
        if kinds[position] in (LineKind.STATEMENT, LineKind.CONTINUATION) and line.startswith(old):
            repaired[position] = target + line[len(old) :]
    yield repaired
