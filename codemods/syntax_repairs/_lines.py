"""What the syntax repairs share to read and change the lines `hflint.syntax.split_lines` gives.

Not a repair: it registers nothing. Indentation is measured as CPython's tokenizer measures it, and
a line's "code" is everything after its indentation, line ending included, so that a line rebuilt
with another indentation keeps its ending.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Iterable, Sequence


def line_ending(line: str) -> str:
    return line[len(line.rstrip("\r\n")) :]


def indentation(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t\f"))]


def indent_width(indent: str) -> int:
    """The column CPython's tokenizer gives an indentation: tabs to the next multiple of 8."""
    if "\t" not in indent and "\f" not in indent:
        return len(indent)
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
    states = _states(tuple(lines))
    return [
        _line_kind(line.rstrip("\r\n"), *state) for line, state in zip(lines, states, strict=True)
    ]


@functools.lru_cache(maxsize=8)
def _states(lines: tuple[str, ...]) -> list[tuple[int, str, bool]]:
    """The scan's state where each line starts: bracket depth, open quote, trailing backslash."""
    states: list[tuple[int, str, bool]] = []
    depth, quote, continued = 0, "", False
    for line in lines:
        states.append((depth, quote, continued))
        depth, quote, continued = _scan_line(line.rstrip("\r\n"), depth, quote)
    return states


def code_mask(lines: Sequence[str], index: int) -> list[bool]:
    """For each character of `lines[index]`: whether it is code (not in a string or a comment)."""
    depth, quote, _ = _states(tuple(lines))[index]
    text = lines[index].rstrip("\r\n")
    mask = [False] * len(text)
    _scan_line(text, depth, quote, mask)
    return mask


def depth_after(lines: Sequence[str], index: int) -> int:
    """How many brackets are open where `lines[index]` ends."""
    depth, quote, _ = _states(tuple(lines))[index]
    return _scan_line(lines[index].rstrip("\r\n"), depth, quote)[0]


def ancestors(lines: Sequence[str], kinds: Sequence[LineKind], index: int) -> list[int]:
    """The statement lines whose blocks hold `lines[index]`, judged by indentation, nearest first."""
    width = indent_column(lines[index])
    found: list[int] = []
    for before in range(index - 1, -1, -1):
        if width == 0:
            break
        if kinds[before] is LineKind.STATEMENT and indent_column(lines[before]) < width:
            found.append(before)
            width = indent_column(lines[before])
    return found


def open_levels(lines: Sequence[str], kinds: Sequence[LineKind], index: int) -> list[str]:
    """The indentation of each block open at `lines[index]`, outermost first.

    This is the stack of CPython's tokenizer, rebuilt from the statements before the line.
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


def previous_statement(kinds: Sequence[LineKind], index: int) -> int | None:
    return next((i for i in range(index - 1, -1, -1) if kinds[i] is LineKind.STATEMENT), None)


def next_statement(kinds: Sequence[LineKind], index: int) -> int | None:
    return next((i for i in range(index + 1, len(kinds)) if kinds[i] is LineKind.STATEMENT), None)


def region_end(lines: Sequence[str], kinds: Sequence[LineKind], start: int) -> int:
    """The end (exclusive) of the lines from `lines[start]` on that are indented as deep as it or
    deeper: the index of the first statement shallower than it, or the number of lines."""
    width = indent_column(lines[start])
    for index in range(start + 1, len(lines)):
        if kinds[index] is LineKind.STATEMENT and indent_column(lines[index]) < width:
            return index
    return len(lines)


def reindent(
    lines: Sequence[str], kinds: Sequence[LineKind], indices: Iterable[int], target: str
) -> list[str]:
    """`lines` with the statements at `indices` moved so that the first of them gets `target`:
    each keeps its place relative to the first (deeper ones stay deeper by as much). Only
    statement lines move: a continuation's indentation means nothing to the parser, and a
    string's lines are its text."""
    chosen = [index for index in indices if kinds[index] is LineKind.STATEMENT]
    repaired = list(lines)
    if not chosen:
        return repaired
    old = indentation(lines[chosen[0]])
    for index in chosen:
        line = lines[index]
        if line.startswith(old):
            repaired[index] = target + line[len(old) :]
        else:  # shallower than the first, or a mix of tabs: put at the same column difference
            width = indent_column(line) - indent_width(old) + indent_width(target)
            repaired[index] = with_indentation(line, " " * max(width, 0))
    return repaired


def indent_step(indent: str) -> str:
    """One more level of indentation in the style of `indent`."""
    return "\t" if "\t" in indent else "    "


def _line_kind(text: str, depth: int, quote: str, continued: bool) -> LineKind:
    if quote:
        return LineKind.STRING
    if depth or continued:
        return LineKind.CONTINUATION
    code = without_indentation(text)
    return LineKind.BLANK if not code or code.startswith("#") else LineKind.STATEMENT


# What the scan looks for: in code, a comment, a quote, a backslash or a bracket; in a string,
# a backslash (with the character it escapes) or the closing quote.
_CODE_EVENT = re.compile(r"""[#'"\\()\[\]{}]""")
_STRING_EVENT = {
    quote: re.compile(r"\\(?:.|$)|" + re.escape(quote)) for quote in ("'", '"', "'''", '"""')
}


def _scan_line(
    text: str, depth: int, quote: str, mask: list[bool] | None = None
) -> tuple[int, str, bool]:
    """The bracket depth, open string delimiter and trailing backslash after one line; `mask`,
    when given, gets True at every character of code (not in a string or a comment)."""
    index, length = 0, len(text)
    while index < length:
        if quote:
            event = _STRING_EVENT[quote].search(text, index)
            if event is None:
                index = length
                break
            index = event.end()
            if event[0] == quote:
                quote = ""
            elif event[0] == "\\":  # a backslash escapes the line's end: the string goes on
                return depth, quote, False
            continue
        event = _CODE_EVENT.search(text, index)
        stop = length if event is None else event.start()
        if mask is not None:
            mask[index:stop] = [True] * (stop - index)
        if event is None:
            index = length
            break
        index, char = stop, event[0]
        if char == "#":
            break
        if char in "'\"":
            quote = char * 3 if text.startswith(char * 3, index) else char
            index += len(quote)
            continue
        if mask is not None:
            mask[index] = True
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(depth - 1, 0)  # an unmatched closer is an error, not a negative depth
        elif char == "\\" and not text[index + 1 :].strip():
            return depth, quote, True
        index += 1
    if len(quote) == 1:
        quote = ""  # a one-quote string ends with its line unless a backslash escapes the newline
    return depth, quote, False


# Characters that template substitution and regex fixers repeat (`import ())))`, `try::`).
PUNCTUATION = ")]}:,;"
OPENERS = {"(": ")", "[": "]", "{": "}"}


def punctuation_run(text: str, mask: Sequence[bool], column: int) -> tuple[int, int] | None:
    """The run of code punctuation characters at index `column` of `text`, ending right before it,
    or right after the opening bracket there, as `(start, end)`; None when there is none."""

    def punctuation(at: int) -> bool:
        return 0 <= at < len(text) and mask[at] and text[at] in PUNCTUATION

    opener = 0 <= column < len(text) and text[column] in OPENERS
    found = [at for at in (column, column - 1, column + 1 if opener else -1) if punctuation(at)]
    if not found:
        return None
    start = end = found[0]
    while start > 0 and mask[start - 1] and text[start - 1] in PUNCTUATION:
        start -= 1
    while end < len(text) and mask[end] and text[end] in PUNCTUATION:
        end += 1
    return start, end


def run_deletions(text: str, mask: Sequence[bool], column: int) -> list[tuple[int, int]]:
    """Spans of the punctuation run at `column` whose deletion may undo a repetition: the
    character there, from it to the run's end, the run up to it, the whole run, and, when the run
    follows an opening bracket, every character after that bracket up to the end of its run."""
    run = punctuation_run(text, mask, column)
    if run is None:
        return []
    start, end = run
    at = min(max(column, start), end - 1)
    spans = [(at, at + 1), (at, end), (start, at + 1), (start, end)]
    if start > 0 and text[start - 1] in OPENERS and text[start] == OPENERS[text[start - 1]]:
        # `f())` is `f(` with `))` added: keep the bracket open, drop what closes it at once.
        spans += [(start, start + length) for length in range(1, end - start)]
    return list(dict.fromkeys(spans))


def without_span(lines: Sequence[str], index: int, span: tuple[int, int]) -> str:
    """The whole text with `span` of `lines[index]` deleted."""
    start, end = span
    repaired = list(lines)
    repaired[index] = lines[index][:start] + lines[index][end:]
    return "".join(repaired)
