"""What the syntax repairs share to read and change the lines `hflint.syntax.split_lines` gives.

Not a repair: it registers nothing. Indentation is measured as CPython's tokenizer measures it, and
a line's "code" is everything after its indentation, line ending included, so that a line rebuilt
with another indentation keeps its ending.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence


def line_ending(line: str) -> str:
    return line[len(line.rstrip("\r\n")) :]


def indentation(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t\f"))]


def indent_width(indent: str) -> int:
    """The column CPython's tokenizer gives an indentation: tabs to the next multiple of 8."""
    column = 0
    for char in indent:
        if char == "\t":
            column = (column // 8 + 1) * 8
        elif char == "\f":  # a form feed resets the column
            column = 0
        else:
            column += 1
    return column


def indent_column(line: str) -> int:
    """The column where the code of `line` starts."""
    return indent_width(indentation(line))


def without_indentation(line: str) -> str:
    return line[len(indentation(line)) :]


def with_indentation(line: str, indent: str) -> str:
    """`line` with its indentation replaced by `indent`."""
    return indent + without_indentation(line)


def insert_after(lines: Sequence[str], index: int, texts: Sequence[str]) -> list[str]:
    """`lines` with `texts` inserted as new lines after `lines[index]`.

    New lines end like `lines[index]`; if that is the file's last line and has no ending, it gets
    the ending of the nearest line above that has one ("\\n" if none does).
    """
    head = list(lines[: index + 1])
    endings = [line_ending(line) for line in reversed(head) if line_ending(line)]
    ending = endings[0] if endings else "\n"
    if not line_ending(head[-1]):
        head[-1] += ending
    return [*head, *(text + ending for text in texts), *lines[index + 1 :]]


_BLOCK_OPENER = re.compile(
    r"(async\s+)?(class|def|elif|else|except|finally|for|if|try|while|with)\b"
)


def opens_block(line: str) -> bool:
    """Whether a statement line starts a compound statement, judging by its first word.

    A one-line body (`if ready: run()`) is counted as opening a block; `match` and `case`,
    soft keywords, are not recognised.
    """
    return _BLOCK_OPENER.match(without_indentation(line)) is not None


class LineKind(enum.Enum):
    STATEMENT = "statement"  # starts a logical line: its indentation is significant
    CONTINUATION = "continuation"  # inside brackets or after a backslash: leading blanks are not
    STRING = "string"  # starts inside a multi-line string: every character is significant
    BLANK = "blank"  # blank or comment only, outside brackets: the parser ignores it


def statement_lines(kinds: Sequence[LineKind]) -> list[int]:
    """The indices of the lines that start a logical line, in order."""
    return [index for index, kind in enumerate(kinds) if kind is LineKind.STATEMENT]


def classify_lines(lines: Sequence[str]) -> list[LineKind]:
    """What each physical line is to the parser, from a light scan that tolerates broken code.

    The scan follows brackets, strings (single, triple, escapes) and comments only; it needs no
    tokenizer, which would stop at the very indentation errors the repairs are about. It does
    not follow f-strings that nest their own quote (Python 3.12+).
    """
    kinds: list[LineKind] = []
    depth, quote, continued = 0, "", False
    for line in lines:
        text = line.rstrip("\r\n")
        kinds.append(_line_kind(text, depth, quote, continued))
        depth, quote, continued = _scan_line(text, depth, quote)
    return kinds


def _line_kind(text: str, depth: int, quote: str, continued: bool) -> LineKind:
    if quote:
        return LineKind.STRING
    if depth or continued:
        return LineKind.CONTINUATION
    code = without_indentation(text)
    return LineKind.BLANK if not code or code.startswith("#") else LineKind.STATEMENT


def _scan_line(text: str, depth: int, quote: str) -> tuple[int, str, bool]:
    """The bracket depth, open string delimiter and trailing backslash after one line."""
    index = 0
    while index < len(text):
        char = text[index]
        if quote:
            if char == "\\":
                index += 2
            elif text.startswith(quote, index):
                index += len(quote)
                quote = ""
            else:
                index += 1
            continue
        if char == "#":
            break
        if char in "'\"":
            quote = char * 3 if text.startswith(char * 3, index) else char
            index += len(quote)
            continue
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(depth - 1, 0)  # an unmatched closer is an error, not a negative depth
        elif char == "\\" and not text[index + 1 :].strip():
            return depth, quote, True
        index += 1
    if len(quote) == 1 and index == len(text):
        quote = ""  # a one-quote string ends with its line unless a backslash escapes the newline
    return depth, quote, False
