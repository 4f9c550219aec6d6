"""What of a file that does not parse parses on its own: its salvaged module.

A file that does not parse has no syntax tree, but most of its statements usually do parse when
each is taken alone. The salvaged module is made of them: every top-level statement (a line at
column 0 and the lines up to the next one) that parses alone, and every class that does not,
rebuilt with those of its methods that parse alone (dedented to one level). It is what
regenerating a broken file keeps (`hflint.generate`): its model id, its registry, its extra test
methods and the module-level helpers they use.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import libcst as cst

from hflint.codemods.syntax_repairs._lines import (
    LineKind,
    classify_lines,
    indent_column,
    without_indentation,
)
from hflint.syntax import split_lines

# Lines at column 0 that go on the statement before them rather than start one.
_CONTINUES = re.compile(r"(else|elif|except|finally)\b|@")
_CLASS = re.compile(r"class\s+(\w+)")
_DEFINITION = re.compile(r"(async\s+)?def\s|@")


def salvaged_module(text: str) -> cst.Module:
    """The statements of `text` that parse on their own, as one module (empty when none does)."""
    lines = split_lines(text)
    kinds = classify_lines(lines)
    body: list[cst.SimpleStatementLine | cst.BaseCompoundStatement] = []
    for first, end in top_level_chunks(lines, kinds):
        whole = _parsed("".join(lines[first:end]))
        if whole is not None:
            body.extend(whole.body)
            continue
        found = _CLASS.match(lines[first])
        if found is not None:
            rebuilt = _class_of_methods(found[1], lines, kinds, first, end)
            if rebuilt is not None:
                body.append(rebuilt)
    return cst.Module(body=body)


def top_level_chunks(lines: Sequence[str], kinds: Sequence[LineKind]) -> Iterator[tuple[int, int]]:
    """Line ranges of the top-level statements, decorators and clauses with the one they go on."""
    starts = [
        index
        for index, (line, kind) in enumerate(zip(lines, kinds, strict=True))
        if kind is LineKind.STATEMENT
        and not line[:1].isspace()
        and not _CONTINUES.match(line)
        and not (index and _after_decorator(lines, kinds, index))
    ]
    for position, first in enumerate(starts):
        yield first, starts[position + 1] if position + 1 < len(starts) else len(lines)


def _after_decorator(lines: Sequence[str], kinds: Sequence[LineKind], index: int) -> bool:
    for before in range(index - 1, -1, -1):
        if kinds[before] is LineKind.STATEMENT:
            return lines[before].startswith("@")
    return False


def _class_of_methods(
    name: str, lines: Sequence[str], kinds: Sequence[LineKind], first: int, end: int
) -> cst.ClassDef | None:
    """`class <name>:` with the methods between `first` and `end` that parse alone, each taken
    from its `def` (or first decorator) with the lines deeper than it; None when none parses."""
    methods: list[cst.BaseStatement] = []
    index = first + 1
    while index < end:
        if kinds[index] is not LineKind.STATEMENT or not _DEFINITION.match(
            without_indentation(lines[index])
        ):
            index += 1
            continue
        stop = index
        while stop < end and without_indentation(lines[stop]).startswith("@"):
            stop += 1
        stop = _block_end(lines, kinds, stop, end) if stop < end else end
        method = _parsed(_dedented(lines[index:stop], indent_column(lines[index])))
        if method is not None and len(method.body) == 1:
            methods.append(method.body[0])
            index = stop
        else:
            index += 1
    if not methods:
        return None
    return cst.ClassDef(name=cst.Name(name), body=cst.IndentedBlock(body=methods))


def _block_end(lines: Sequence[str], kinds: Sequence[LineKind], header: int, end: int) -> int:
    """The end (exclusive, at most `end`) of the block of `lines[header]`: the lines up to the next
    statement no deeper than it."""
    width = indent_column(lines[header])
    for index in range(header + 1, end):
        if kinds[index] is LineKind.STATEMENT and indent_column(lines[index]) <= width:
            return index
    return end


def _dedented(lines: Sequence[str], width: int) -> str:
    """`lines` with `width` leading blanks removed where they have them (string contents that
    start shallower keep theirs)."""
    return "".join(
        line[width:] if line[:width].strip(" \t") == "" else line.lstrip(" \t") for line in lines
    )


def _parsed(text: str) -> cst.Module | None:
    try:
        return cst.parse_module(text)
    except (cst.ParserSyntaxError, RecursionError, MemoryError):
        return None
