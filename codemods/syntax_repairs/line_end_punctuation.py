"""Undo the colons and commas a regex fixer repeated at the end of lines, in the whole file.

A fixer that adds a missing `:` to block headers or a `,` to the lines of a literal, run again and
again, leaves `try::`, `else::::`, `if ready:,,`, `items = [],,,` and lines holding only `,` on
every line it matched: often dozens, each its own error to the parser. No line of code ends with
two of these, so every run of them that ends a line's code (before a comment or nothing) is undone
in one edit, before the search:

- a run with a colon becomes one colon (a block header's);
- a run of commas inside brackets becomes one comma (an entry's);
- a run of commas outside brackets is deleted, and so is punctuation that is a line's only code
  there: a statement ends with no comma, and a colon alone ends nothing.

Strings and comments are left alone; slices (`items[::2]`) do not end a line.

Before::

    try::
        items = [],,,
        ,
    except ImportError:,
        pass

After::

    try:
        items = []

    except ImportError:
        pass
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from hflint.codemods.syntax_repairs._lines import code_mask, depth_after

from hflint.syntax import SyntaxProblem, split_lines, syntax_repair


@syntax_repair(
    name="undo-repeated-line-end-punctuation",
    description="Make each run of colons or commas that ends a line's code what one fix wrote.",
    matches=(r"",),
    file_wide=True,
)
def undo_repeated_line_end_punctuation(source: str, problem: SyntaxProblem) -> Iterator[str]:
    lines = split_lines(source)
    undone = [_undone_line_end(lines, index) for index in range(len(lines))]
    if undone != lines:
        yield "".join(undone)


def _undone_line_end(lines: Sequence[str], index: int) -> str:
    line = lines[index]
    if "," not in line and "::" not in line:
        return line
    mask = code_mask(lines, index)
    end = max((position + 1 for position, is_code in enumerate(mask) if is_code), default=0)
    while end > 0 and line[end - 1].isspace():
        end -= 1
    start = end
    while start > 0 and mask[start - 1] and line[start - 1] in ":,":
        start -= 1
    run = line[start:end]
    alone = not line[:start].strip()
    if ":" in run and not (alone and depth_after(lines, index) == 0):
        kept = ":" if len(run) > 1 and not alone else run
    elif depth_after(lines, index) > 0:
        kept = "," if len(run) > 1 and not alone else run
    else:
        kept = "" if len(run) > 1 or alone else run
    return line[:start] + kept + line[end:]
