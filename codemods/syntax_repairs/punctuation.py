"""Undo punctuation that a regex fixer or a template repeated.

Regex fixers that run over a file more than once add the same characters each time: `(` becomes
`())`, then `())))`; `try:` becomes `try::`; a `:` lands at the end of a line that opens no block;
`[` gets `],` after it. The parser stops at the first character too many (or at the bracket it
follows). The repair proposes deleting part of the run of punctuation characters there (`)]}:,;`
outside strings and comments): the character the parser points at, from it to the end of the
run, the run up to it, the whole run, or the run's first characters when it starts right after
an opening bracket (`insert())0` -> `insert(0`, `MagicMock()))` -> `MagicMock()`). The search keeps
the deletions after which the parser gets further, the smallest first.

f-strings are one token to the parser before Python 3.12, and it points at their end: in every
f-string of the line, the closing braces right after an opening brace (`{}}}name}` ->
`{name}`) and the closers right after an opening bracket that come before an argument
(`get())))'key')` -> `get('key')`) are deleted, all at once and one f-string at a time.

Before::

    from hardware import ())))
        HAS_CUDA,
    )
    print())f"loaded {}}}}name}")

After::

    from hardware import (
        HAS_CUDA,
    )
    print(f"loaded {name}")
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from hflint.codemods.syntax_repairs._lines import code_mask, run_deletions, without_span

from hflint.syntax import SyntaxProblem, split_lines, syntax_repair


@syntax_repair(
    name="undo-repeated-punctuation",
    description="Delete punctuation repeated at the error (`())`, `::`, a stray `:` or `,`).",
    matches=(r"(?!f-string)",),
)
def undo_repeated_punctuation(source: str, problem: SyntaxProblem) -> Iterator[str]:
    lines = split_lines(source)
    index = problem.line - 1
    text = lines[index].rstrip("\r\n")
    mask = code_mask(lines, index)
    for span in run_deletions(text, mask, problem.column - 1):
        yield without_span(lines, index, span)


# An opening brace of an f-string's replacement field followed by closing braces, and, in a
# field's expression, an opening bracket followed by closers and then what a bracket opens on
# (`{result.get())))'key')}`).
_EMPTY_FIELD = re.compile(r"(?<!\{)\{(\}+)(?=[^}])")
_EMPTY_CALL = re.compile(r"([(\[])[)\]]+(?=[\w'\"(\[{])")
_FIELD = re.compile(r"(?<!\{)\{([^{}]*)\}")
_F_STRING = re.compile(r"""(?i)\b(?:rf|fr|f)('''|\"\"\"|'|")""")


@syntax_repair(
    name="undo-repeated-braces",
    description="Delete the closers repeated after an opener in an f-string's fields.",
    matches=(r"f-string",),
)
def undo_repeated_braces(source: str, problem: SyntaxProblem) -> Iterator[str]:
    lines = split_lines(source)
    for index in _lines_of_the_string(lines, problem.line - 1):
        literals = list(_f_strings(lines[index]))
        repaired = [_without_empty_fields(lines[index], span) for span in literals]
        if len(literals) > 1:
            whole = lines[index]
            for span in reversed(literals):
                whole = _without_empty_fields(whole, span)
            repaired.insert(0, whole)
        for line in repaired:
            if line != lines[index]:
                yield "".join([*lines[:index], line, *lines[index + 1 :]])


def _lines_of_the_string(lines: Sequence[str], index: int) -> list[int]:
    """The reported line, and the line before it (a string that ends the reported line's
    statement may start there)."""
    return [index] if index == 0 else [index, index - 1]


def _f_strings(line: str) -> Iterator[tuple[int, int]]:
    """The spans of the one-line f-string literals of `line`, their contents only."""
    position = 0
    while True:
        found = _F_STRING.search(line, position)
        if found is None:
            return
        quote = found[1]
        start = found.end()
        end = line.find(quote, start)
        while end > 0 and line[end - 1] == "\\" and len(quote) == 1:
            end = line.find(quote, end + 1)
        if end < 0:
            return
        yield start, end
        position = end + len(quote)


def _without_empty_fields(line: str, span: tuple[int, int]) -> str:
    start, end = span
    contents = _FIELD.sub(
        lambda field: "{" + _EMPTY_CALL.sub(r"\1", field[1]) + "}",
        _EMPTY_FIELD.sub("{", line[start:end]),
    )
    return line[:start] + contents + line[end:]
