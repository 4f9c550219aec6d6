"""Fuzzing the engine: Hypothesis strategies for test-file inputs and the properties every input
must keep, shared by the CI test (tests/test_fuzz.py, a few hundred inputs with a fixed seed) and
`bench/fuzz` (ten thousand or more).

Inputs are valid programs from hypothesmith's grammar, and the project's own fixtures (whole, or a
window of their lines) with a few mechanical mutations: brackets, colons, indentation, tabs, line
endings, BOM, NUL bytes, huge lines, odd characters, lines deleted, doubled, swapped or truncated.
The file-level property writes them as bytes in several encodings.

A property returns the list of its violations (empty when the input kept it), so that the bench can
count them and go on, while the test asserts the list is empty and lets Hypothesis shrink.
"""

from __future__ import annotations

import ast
import codecs
import difflib
import re
import tempfile
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import hypothesmith
import libcst
from hypothesis import strategies as st

from hflint.fixer import fix_text
from hflint.linter import lint_text
from hflint.rule import all_rules
from hflint.runner import RunOptions, check_file
from hflint.settings import Settings
from hflint.source import SourceError, decode_source
from hflint.syntax import split_lines

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"


@dataclass(frozen=True)
class Case:
    """One in-process input: `text` is linted and fixed as the file `path`; `original` is the
    text it was mutated from (equal to `text` when nothing was mutated)."""

    path: str
    original: str
    text: str
    mutations: tuple[str, ...]

    def describe(self) -> str:
        return f"{self.path} after {', '.join(self.mutations) or 'no mutation'}: {self.text!r}"


@cache
def fixture_sources() -> tuple[tuple[str, str], ...]:
    """(file name, text) of every Python fixture that decodes, in path order."""
    found = []
    for path in sorted(FIXTURES.rglob("*.py")):
        try:
            found.append((path.name, decode_source(path, path.read_bytes()).text))
        except SourceError:
            continue
    return tuple(found)


@cache
def rules() -> tuple[type, ...]:
    return tuple(all_rules().values())


# Mutations: each takes a `draw` and a text and returns the mutated text.
Draw = Callable[[st.SearchStrategy[object]], object]
Mutation = Callable[[Callable[..., object], str], str]


def _offset(draw: Callable[..., object], text: str) -> int:
    return int(draw(st.integers(0, len(text))))  # type: ignore[call-overload]


def _line_index(draw: Callable[..., object], lines: list[str]) -> int:
    return int(draw(st.integers(0, max(len(lines) - 1, 0))))  # type: ignore[call-overload]


def _insert(draw: Callable[..., object], text: str, pieces: Sequence[str]) -> str:
    at = _offset(draw, text)
    return text[:at] + str(draw(st.sampled_from(pieces))) + text[at:]


def _delete_one_of(draw: Callable[..., object], text: str, characters: str) -> str:
    places = [i for i, c in enumerate(text) if c in characters]
    if not places:
        return text
    at = int(draw(st.sampled_from(places)))  # type: ignore[call-overload]
    return text[:at] + text[at + 1 :]


def insert_bracket(draw: Callable[..., object], text: str) -> str:
    return _insert(draw, text, "()[]{}")


def delete_bracket(draw: Callable[..., object], text: str) -> str:
    return _delete_one_of(draw, text, "()[]{}")


def insert_colon(draw: Callable[..., object], text: str) -> str:
    return _insert(draw, text, [":", ":\n", ": pass"])


def delete_colon(draw: Callable[..., object], text: str) -> str:
    return _delete_one_of(draw, text, ":")


def _edit_line(draw: Callable[..., object], text: str, edit: Callable[[str], str]) -> str:
    lines = split_lines(text)
    if not lines:
        return text
    index = _line_index(draw, lines)
    lines[index] = edit(lines[index])
    return "".join(lines)


def indent_line(draw: Callable[..., object], text: str) -> str:
    width = int(draw(st.integers(1, 8)))  # type: ignore[call-overload]
    return _edit_line(draw, text, lambda line: " " * width + line)


def dedent_line(draw: Callable[..., object], text: str) -> str:
    width = int(draw(st.integers(1, 8)))  # type: ignore[call-overload]
    return _edit_line(draw, text, lambda line: re.sub(f"^ {{1,{width}}}", "", line))


def tab_indent_line(draw: Callable[..., object], text: str) -> str:
    return _edit_line(draw, text, lambda line: re.sub("^    ", "\t", line))


def tab_indent_all(draw: Callable[..., object], text: str) -> str:
    return re.sub("(?m)^((?:    )+)", lambda m: "\t" * (len(m[1]) // 4), text)


def crlf_all(draw: Callable[..., object], text: str) -> str:
    return re.sub(r"\r\n|\r|\n", "\r\n", text)


def cr_all(draw: Callable[..., object], text: str) -> str:
    return re.sub(r"\r\n|\r|\n", "\r", text)


def mixed_line_ending(draw: Callable[..., object], text: str) -> str:
    ending = str(draw(st.sampled_from(["\r\n", "\r", "\n"])))
    return _edit_line(draw, text, lambda line: line.rstrip("\r\n") + ending)


def insert_bom(draw: Callable[..., object], text: str) -> str:
    # A BOM character left in the text (a file written with two BOMs, or one in the middle).
    return _insert(draw, text, ["\ufeff"]) if draw(st.booleans()) else "\ufeff" + text


def insert_nul(draw: Callable[..., object], text: str) -> str:
    return _insert(draw, text, ["\0"])


def insert_odd_character(draw: Callable[..., object], text: str) -> str:
    return _insert(
        draw, text, ["\\", "'", '"', '"""', "#", "@", "\x0c", "\x85", "\u2028", "é", "🤗", "\t"]
    )


def huge_line(draw: Callable[..., object], text: str) -> str:
    size = int(draw(st.integers(1_000, 100_000)))  # type: ignore[call-overload]
    kind = draw(st.sampled_from(["string", "list", "sum", "name"]))
    line = {
        "string": f"HUGE = '{'a' * size}'\n",
        "list": f"HUGE = [{', '.join(['1'] * (size // 3))}]\n",
        "sum": f"HUGE = {' + '.join(['1'] * (size // 40))}\n",
        "name": f"{'a' * size} = 1\n",
    }[str(kind)]
    lines = split_lines(text)
    lines.insert(_line_index(draw, lines), line)
    return "".join(lines)


def delete_line(draw: Callable[..., object], text: str) -> str:
    lines = split_lines(text)
    if lines:
        del lines[_line_index(draw, lines)]
    return "".join(lines)


def duplicate_line(draw: Callable[..., object], text: str) -> str:
    lines = split_lines(text)
    if lines:
        index = _line_index(draw, lines)
        lines.insert(index, lines[index])
    return "".join(lines)


def swap_lines(draw: Callable[..., object], text: str) -> str:
    lines = split_lines(text)
    if len(lines) > 1:
        index = _line_index(draw, lines[1:])
        lines[index], lines[index + 1] = lines[index + 1], lines[index]
    return "".join(lines)


def truncate(draw: Callable[..., object], text: str) -> str:
    return text[: _offset(draw, text)]


def strip_final_newline(draw: Callable[..., object], text: str) -> str:
    return text.rstrip("\r\n")


MUTATIONS: dict[str, Mutation] = {
    mutation.__name__: mutation
    for mutation in (
        insert_bracket,
        delete_bracket,
        insert_colon,
        delete_colon,
        indent_line,
        dedent_line,
        tab_indent_line,
        tab_indent_all,
        crlf_all,
        cr_all,
        mixed_line_ending,
        insert_bom,
        insert_nul,
        insert_odd_character,
        huge_line,
        delete_line,
        duplicate_line,
        swap_lines,
        truncate,
        strip_final_newline,
    )
}

# A window keeps most inputs small (a fixture is fixed in about half a second; a window of forty
# lines in a few hundredths), while whole fixtures keep their real structure.
MAX_WINDOW = 60


@st.composite
def mutated_fixtures(draw: Callable[..., object], *, mutate: bool = True) -> Case:
    name, text = draw(st.sampled_from(fixture_sources()))  # type: ignore[misc]
    lines = split_lines(str(text))
    if len(lines) > MAX_WINDOW and draw(st.integers(0, 3)):  # type: ignore[call-overload]
        start = int(draw(st.integers(0, len(lines) - 1)))  # type: ignore[call-overload]
        length = int(draw(st.integers(1, MAX_WINDOW)))  # type: ignore[call-overload]
        lines = lines[start : start + length]
    original = "".join(lines)
    names: list[str] = []
    mutated = original
    if mutate:
        for mutation_name in draw(
            st.lists(st.sampled_from(sorted(MUTATIONS)), min_size=1, max_size=3)
        ):  # type: ignore[attr-defined]
            mutated = MUTATIONS[mutation_name](draw, mutated)
            names.append(mutation_name)
    return Case(str(name), original, mutated, tuple(names))


def generated_programs() -> st.SearchStrategy[Case]:
    """Valid programs from the Python grammar, named as a test file of a catalog model."""
    return st.builds(
        lambda text, name: Case(name, text, text, ()),
        hypothesmith.from_grammar(),
        st.sampled_from(["test_hf_bert.py", "test_hf_gpt2.py", "test_hf_vit.py"]),
    )


def cases() -> st.SearchStrategy[Case]:
    return st.one_of(generated_programs(), mutated_fixtures())


# Properties. Each returns its violations, one line each.


def parses(text: str) -> bool:
    """Both parsers the engine relies on accept `text`: CPython's (to an AST: what compiling
    checks beyond, such as a `return` outside a function, is no parse error) and LibCST's."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, "<fuzz>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
        libcst.parse_module(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError, libcst.ParserSyntaxError):
        return False
    return True


def check_lint(case: Case) -> list[str]:
    """Lint never raises, and a file that does not parse gets HF001."""
    try:
        linted = lint_text(case.path, case.text, rules())
    except Exception:
        return [f"lint raised: {traceback.format_exc()}"]
    if not parses(case.text) and "HF001" not in {f.code for f in linted.findings}:
        return ["the text does not parse and got no HF001"]
    return []


# A codemod that raised is reported by the engine as a warning and its fix is not offered. Only a
# RecursionError is expected there: LibCST's transformers recurse once per level of an expression
# of a few hundred terms, which the rules' visits (and CPython) still handle.
TOO_DEEP_FOR_A_CODEMOD = "raised RecursionError"


def check_fix(case: Case) -> list[str]:
    """`--fix --unsafe-fixes` never raises, leaves a text that parses (or the text unchanged),
    never empties or truncates it, is idempotent, and keeps the code it does not touch."""
    try:
        first = fix_text(case.path, case.text, rules(), unsafe=True)
    except Exception:
        return [f"fix raised: {traceback.format_exc()}"]
    problems = [
        f"fix: {message}"
        for message in first.messages
        if "did not settle" in message
        or ("not offered" in message and TOO_DEEP_FOR_A_CODEMOD not in message)
    ]
    if first.text == case.text:
        return problems
    if not parses(first.text):
        problems.append(f"the fixed text does not parse: {first.text!r}")
        return problems
    if case.text.strip() and not first.text.strip():
        problems.append("the fix emptied the file")
    elif len(first.text) < len(case.text) and case.text.startswith(first.text):
        problems.append(f"the fix truncated the file: {first.text!r}")
    try:
        second = fix_text(case.path, first.text, rules(), unsafe=True)
    except Exception:
        return [*problems, f"the second fix raised: {traceback.format_exc()}"]
    if second.text != first.text:
        diff = "".join(
            difflib.unified_diff(
                split_lines(first.text), split_lines(second.text), "first fix", "second fix"
            )
        )
        problems.append(f"a second fix changed the file:\n{diff}")
    reference = case.text if parses(case.text) else case.original
    if parses(reference):
        problems += untouched_statements_kept(reference, first.text)
    return problems


@dataclass(frozen=True)
class _Statement:
    dump: str
    enclosing: tuple[str, ...]  # the blocks around it, outermost first
    lines: range  # its own lines (0-based)
    headers: tuple[int, ...]  # the header lines of the compound statements around it (0-based)


def _simple_statements(text: str) -> Iterator[_Statement]:
    def visit(
        node: ast.AST, enclosing: tuple[str, ...], headers: tuple[int, ...]
    ) -> Iterator[_Statement]:
        for field, value in ast.iter_fields(node):
            if not isinstance(value, list):
                continue
            for child in value:
                if isinstance(child, ast.excepthandler):
                    label = f"{field}:except"
                    yield from visit(child, (*enclosing, label), (*headers, child.lineno - 1))
                elif isinstance(child, ast.stmt) and _is_compound(child):
                    body = child.body  # type: ignore[attr-defined]
                    first = min([child.lineno, *(d.lineno for d in _decorators(child))])
                    header = range(first - 1, max(body[0].lineno - 1, child.lineno))
                    label = f"{field}:{type(child).__name__}:{getattr(child, 'name', '')}"
                    yield from visit(child, (*enclosing, label), (*headers, *header))
                elif isinstance(child, ast.stmt):
                    end = child.end_lineno or child.lineno
                    yield _Statement(
                        ast.dump(child),
                        (*enclosing, field),
                        range(child.lineno - 1, end),
                        headers,
                    )

    yield from visit(ast.parse(text), (), ())


def _is_compound(statement: ast.stmt) -> bool:
    body = getattr(statement, "body", None)
    return isinstance(body, list) and bool(body) and isinstance(body[0], ast.stmt)


def _decorators(statement: ast.stmt) -> list[ast.expr]:
    return list(getattr(statement, "decorator_list", []))


def untouched_statements_kept(before: str, after: str) -> list[str]:
    """Every simple statement of `before` whose lines, and the header lines of the blocks around
    it, are all unchanged in `after` (a line diff) is in `after` with the same AST in the same
    blocks. What a fix or a repair changes is in the lines it changes; code it does not change must
    mean what it meant."""
    old_lines, new_lines = split_lines(before), split_lines(after)
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    moved: dict[int, int] = {}
    for tag, i1, i2, j1, _ in matcher.get_opcodes():
        if tag == "equal":
            moved.update((i1 + k, j1 + k) for k in range(i2 - i1))
    kept = {(s.lines.start, s.dump, s.enclosing) for s in _simple_statements(after)}
    problems = []
    for statement in _simple_statements(before):
        if any(line not in moved for line in (*statement.lines, *statement.headers)):
            continue
        start = moved[statement.lines.start]
        if any(moved[line] != start + (line - statement.lines.start) for line in statement.lines):
            continue  # its lines were split apart: it cannot be found again
        if (start, statement.dump, statement.enclosing) not in kept:
            problems.append(
                f"the statement at line {statement.lines.start + 1} changed or moved though its "
                f"lines did not: {statement.dump} in {statement.enclosing}"
            )
    return problems


# The file level: bytes in, through the runner, atomic write out.


@dataclass(frozen=True)
class FileCase:
    name: str
    data: bytes
    form: str  # how the text was written: encoding, BOM, corruption

    def describe(self) -> str:
        return f"{self.name} as {self.form}: {self.data!r}"


COOKIE = "# -*- coding: {} -*-\n"


@st.composite
def file_cases(draw: Callable[..., object]) -> FileCase:
    case = draw(st.one_of(mutated_fixtures(mutate=False), mutated_fixtures()))
    assert isinstance(case, Case)
    text = case.text.lstrip("\ufeff")
    form = str(draw(st.sampled_from(sorted(FORMS))))
    return FileCase(case.path, FORMS[form](text, draw), f"{form} after {case.mutations}")


def _with_cookie(encoding: str) -> Callable[[str, Callable[..., object]], bytes]:
    def encode(text: str, draw: Callable[..., object]) -> bytes:
        return (COOKIE.format(encoding) + text).encode(encoding, errors="replace")

    return encode


def _corrupt(text: str, draw: Callable[..., object]) -> bytes:
    data = text.encode()
    at = int(draw(st.integers(0, len(data))))  # type: ignore[call-overload]
    return data[:at] + bytes([int(draw(st.integers(0x80, 0xFF)))]) + data[at:]  # type: ignore[call-overload]


FORMS: dict[str, Callable[[str, Callable[..., object]], bytes]] = {
    "utf-8": lambda text, draw: text.encode(),
    "utf-8 with BOM": lambda text, draw: codecs.BOM_UTF8 + text.encode(),
    "latin-1 with cookie": _with_cookie("latin-1"),
    "cp1252 with cookie": _with_cookie("cp1252"),
    "utf-16 (undecodable)": lambda text, draw: text.encode("utf-16"),
    "an invalid byte": _corrupt,
    "an unknown cookie": lambda text, draw: (COOKIE.format("no-such-codec") + text).encode(),
}


def check_file_round_trip(case: FileCase) -> list[str]:
    """Through the runner (bytes in, atomic write out): no internal error; a file that cannot be
    decoded gets HF000 and stays as it was; a fixed file keeps its encoding, BOM and line endings
    (when they were uniform), parses, and a second `--fix` leaves it byte for byte as it is."""
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        file = root / case.name
        file.write_bytes(case.data)
        settings = Settings(root=root, catalog_dir=root / "catalogs")
        options = RunOptions(settings, fix=True, unsafe_fixes=True, use_cache=False)
        first = check_file(file, options)
        if first.internal_error:
            return [f"internal error: {first.internal_error}"]
        try:
            source = decode_source(file, case.data)
        except SourceError:
            problems = []
            if "HF000" not in {d.code for d in first.diagnostics}:
                problems.append("an undecodable file got no HF000")
            if file.read_bytes() != case.data:
                problems.append("an undecodable file was changed")
            return problems
        # HF501 may rename the file; follow it.
        written = root / Path(first.path).name if (root / Path(first.path).name).exists() else file
        data = written.read_bytes()
        if data == case.data:
            return []
        problems = []
        if data.startswith(codecs.BOM_UTF8) != source.bom:
            problems.append("the BOM was not kept")
        try:
            text = decode_source(written, data).text
        except SourceError as error:
            return [*problems, f"the fixed file cannot be decoded: {error}"]
        endings = set(re.findall(r"\r\n|\r|\n", source.text))
        if len(endings) == 1 and set(re.findall(r"\r\n|\r|\n", text)) - endings:
            problems.append(f"line endings {endings} not kept: {text!r}")
        if not parses(text):
            problems.append(f"the fixed file does not parse: {text!r}")
        second = check_file(written, options)
        if second.internal_error:
            problems.append(f"internal error on the second fix: {second.internal_error}")
        elif written.read_bytes() != data:
            problems.append("a second --fix changed the file")
        return problems
