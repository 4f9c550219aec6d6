"""A syntax repair never changes the meaning of what already parsed: the check, and the lines changed.

The lines of the repaired text are aligned with the original's (`difflib`, line by line); a line
is untouched when it is an original line kept in place. Two things must then hold:

- every statement of the repaired text (at any depth) that lies on untouched lines has the AST
  that its text, taken alone from the original, parses to (compared with `ast.dump`, so without
  positions): a repair changes statements only on the lines it changed;
- every top-level statement of the original (a line at column 0 and the lines up to the next,
  decorators and `else:`/`except:` clauses included) that parses on its own and lies on
  untouched lines is still there, as the same top-level statements: no repair swallows
  working code into a string or a bracket, or moves it under a block.

A file that did not parse has no AST of its own; the statements that parse on their own are its
meaning as far as it has one, and those are what the check holds.
"""

from __future__ import annotations

import ast
import difflib
import warnings
from collections.abc import Iterator, Sequence

from hflint.codemods.syntax_repairs._lines import classify_lines
from hflint.salvage import top_level_chunks
from hflint.syntax import split_lines


def changed_lines(original: str, repaired: str) -> tuple[tuple[int, ...], int]:
    """The lines of `repaired` that are not original lines kept in place (1-based), and the
    number of original lines that are gone."""
    changed: list[int] = []
    removed = 0
    for tag, i1, i2, j1, j2 in _opcodes(split_lines(original), split_lines(repaired)):
        if tag != "equal":
            changed.extend(range(j1 + 1, j2 + 1))
            removed += max(0, (i2 - i1) - (j2 - j1))
    return tuple(changed), removed


def outside_repairs_kept(original: str, repaired: str) -> bool:
    return not outside_repairs_violations(original, repaired)


def outside_repairs_violations(original: str, repaired: str) -> list[str]:
    """Where `repaired` changes a statement outside the lines the repairs changed: one line per
    statement, empty when there is none. `repaired` must parse."""
    old, new = split_lines(original), split_lines(repaired)
    kept = _kept_lines(old, new)
    tree = _parse(repaired)
    if tree is None:
        return ["the repaired text does not parse"]
    found = list(_changed_statements(tree.body, old, new, kept))
    found.extend(_lost_top_level(tree, old, kept))
    return found


def _opcodes(old: Sequence[str], new: Sequence[str]) -> Sequence[tuple[str, int, int, int, int]]:
    return difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()


def _kept_lines(old: Sequence[str], new: Sequence[str]) -> dict[int, int]:
    """Repaired line index -> original line index, for the untouched lines."""
    kept: dict[int, int] = {}
    for tag, i1, i2, j1, _ in _opcodes(old, new):
        if tag == "equal":
            kept.update((j1 + k, i1 + k) for k in range(i2 - i1))
    return kept


def _changed_statements(
    body: Sequence[ast.stmt], old: Sequence[str], new: Sequence[str], kept: dict[int, int]
) -> Iterator[str]:
    """Statements on untouched lines whose AST differs from their original text's, depth first;
    a statement that matches vouches for every statement inside it."""
    for statement in body:
        first, last = _first_line(statement) - 1, (statement.end_lineno or statement.lineno) - 1
        origin = kept.get(first)
        untouched = origin is not None and all(
            kept.get(first + k) == origin + k for k in range(last - first + 1)
        )
        alone = _parse_alone(old, origin, last - first, new, statement) if untouched else None
        if alone is not None:
            if ast.dump(alone) != ast.dump(statement):
                yield f"line {first + 1}: the statement differs from its original text's"
            continue
        for child in _child_bodies(statement):
            yield from _changed_statements(child, old, new, kept)


def _first_line(statement: ast.stmt) -> int:
    decorators: list[ast.expr] = getattr(statement, "decorator_list", None) or []
    return min([statement.lineno, *(decorator.lineno for decorator in decorators)])


def _child_bodies(statement: ast.stmt) -> Iterator[list[ast.stmt]]:
    for name in ("body", "orelse", "finalbody"):
        value = getattr(statement, name, None)
        if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
            yield value
    for handler in getattr(statement, "handlers", None) or []:
        yield handler.body
    for case in getattr(statement, "cases", None) or []:
        yield case.body


def _parse_alone(
    old: Sequence[str], origin: int | None, span: int, new: Sequence[str], statement: ast.stmt
) -> ast.stmt | None:
    """The statement's text in the original, from its first character to its last, parsed on its
    own (inside `if 1:` when it is indented), or None when it does not parse so."""
    assert origin is not None
    first = _first_line(statement) - 1
    start = _character_column(new[first], statement.col_offset)
    end = _character_column(new[first + span], statement.end_col_offset or 0)
    lines = list(old[origin : origin + span + 1])
    lines[-1] = lines[-1][:end]
    head, lines[0] = lines[0][:start], lines[0][start:]
    text = "".join(lines)
    if head.strip(" \t\f"):  # after `;` or a one-line header: a simple statement, alone
        tree = _parse(text)
    elif head:
        tree = _parse(f"if 1:\n{head}{text}")
        if tree is not None:
            inner = tree.body[0]
            assert isinstance(inner, ast.If)
            tree = ast.Module(body=inner.body, type_ignores=[])
    else:
        tree = _parse(text)
    return tree.body[0] if tree is not None and len(tree.body) == 1 else None


def _character_column(line: str, byte_offset: int) -> int:
    """An AST column (UTF-8 bytes) as a character index in `line`."""
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))


def _parse(text: str) -> ast.Module | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _lost_top_level(tree: ast.Module, old: Sequence[str], kept: dict[int, int]) -> Iterator[str]:
    """Top-level statements of the original that parse on their own, on untouched lines, and are
    not the same top-level statements of the repaired text."""
    original_to_new = {origin: index for index, origin in kept.items()}
    starts = {_first_line(statement) - 1: statement for statement in tree.body}
    for first, end in top_level_chunks(old, classify_lines(old)):
        code = [i for i in range(first, end) if old[i].strip()]
        chunk = _parse("".join(old[first:end]))
        if chunk is None or not code or any(i not in original_to_new for i in range(first, end)):
            continue
        position = original_to_new[first]
        expected = [ast.dump(statement) for statement in chunk.body]
        actual = []
        for statement in chunk.body:
            found = starts.get(position + _first_line(statement) - 1)
            actual.append(ast.dump(found) if found is not None else "")
        if actual != expected:
            yield f"line {first + 1}: a top-level statement that parsed on its own changed"
