"""Clean what follows a line-continuation backslash.

CPython: "unexpected character after line continuation character". A backslash continues a line
only when the newline comes right after it; editors and template substitution leave trailing
blanks, or a comment, behind it. Only the reported line changes:

- blanks only after the backslash: they are removed, and the line continues as its author meant;
- a comment after the backslash, inside open brackets: the backslash is removed and the comment
  kept, since lines inside brackets continue without one (same tokens, nothing lost);
- a comment after the backslash, outside brackets: the comment is removed and the backslash kept.
  A comment cannot stay on a continued line, and moving it would touch other lines. This loses
  the comment's text, one reason the fix is unsafe;
- code after the backslash: not repaired, the intent cannot be guessed.

Before::

    value = first + \\   # sum
        second

After::

    value = first + \\
        second
"""

from __future__ import annotations

from collections.abc import Iterator

from hflint.codemods.syntax_repairs._lines import LineKind, classify_lines, line_ending

from hflint.syntax import SyntaxProblem, split_lines, syntax_repair


@syntax_repair(
    name="clean-line-continuation",
    description="Remove blanks or a comment after a line-continuation backslash.",
    matches=(r"unexpected character after line continuation character",),
)
def clean_line_continuation(source: str, problem: SyntaxProblem) -> Iterator[str]:
    lines = split_lines(source)
    index = problem.line - 1
    ending = line_ending(lines[index])
    text = lines[index][: len(lines[index]) - len(ending)]
    # CPython points at the character after the backslash.
    backslash = text.rfind("\\", 0, problem.column)
    if backslash == -1:
        return
    head, tail = text[:backslash], text[backslash + 1 :].strip()
    if not tail:
        repaired = head + "\\"
    elif not tail.startswith("#"):
        return
    elif _inside_brackets(lines, index):
        repaired = f"{head.rstrip()}  {tail}"
    else:
        repaired = head + "\\"
    lines[index] = repaired + ending
    yield "".join(lines)


def _inside_brackets(lines: list[str], index: int) -> bool:
    """Whether brackets are still open at the end of `lines[index]` (a comment ends that line)."""
    following = index + 1
    return following < len(lines) and classify_lines(lines)[following] is LineKind.CONTINUATION
