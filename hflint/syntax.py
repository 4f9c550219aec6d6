"""Why a file does not parse, and the mechanical repairs that can make it parse again (rule HF001).

The core finds the first problem (CPython's parser first, LibCST's where only LibCST objects) and
drives the repairs registered with `@syntax_repair`; it never names a repair itself. Each repair
lives in its own module under `hflint.codemods.syntax_repairs`, loaded on first use.

Repairs work on physical lines. `split_lines` breaks lines where CPython does (`\\r\\n`, `\\r`,
`\\n`) and nowhere else: `str.splitlines` also breaks on form feeds, `\\x1c`-`\\x1e`, `\\x85` and
`\\u2028`, which may sit inside Python code or strings, so its line numbers would drift from the
parser's. Every line keeps its own ending, so a repaired file keeps its CRLF, LF or mixed endings.
What the repairs share to read and change lines is in `hflint.codemods.syntax_repairs._lines`.
"""

from __future__ import annotations

import ast
import functools
import importlib
import pkgutil
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import libcst

REPAIR_PACKAGE = "hflint.codemods.syntax_repairs"
# Each round must make progress (`_progressed`), but inserted lines shift positions: the bound
# ends the loop for sure and caps the work spent on a file broken in many places.
MAX_ROUNDS = 20


@dataclass(frozen=True)
class SyntaxProblem:
    """The first parse error of a file; `line` and `column` are 1-based, in characters."""

    message: str
    line: int
    column: int

    @property
    def position(self) -> tuple[int, int]:
        return (self.line, self.column)


@dataclass(frozen=True)
class Recovery:
    """A repaired text that both parsers accept, and the names of the repairs applied, in order."""

    source: str
    applied: tuple[str, ...]


RepairFunction = Callable[[str, SyntaxProblem], str | None]


@dataclass(frozen=True)
class SyntaxRepair:
    """A registered repair: `function` returns the repaired text, or None when it does not apply."""

    name: str
    description: str
    matches: tuple[re.Pattern[str], ...]
    function: RepairFunction

    def handles(self, problem: SyntaxProblem) -> bool:
        return any(pattern.match(problem.message) for pattern in self.matches)


_REPAIRS: dict[str, SyntaxRepair] = {}


def syntax_repair(
    *, name: str, description: str, matches: tuple[str, ...]
) -> Callable[[RepairFunction], RepairFunction]:
    """Register a repair for problems whose message starts with one of the regexes `matches`."""

    def register(function: RepairFunction) -> RepairFunction:
        if name in _REPAIRS:
            # Also catches a repair module imported twice under two names (`codemods...`).
            raise ValueError(f"syntax repair {name!r} is registered twice")
        patterns = tuple(re.compile(pattern) for pattern in matches)
        _REPAIRS[name] = SyntaxRepair(name, description, patterns, function)
        return function

    return register


def syntax_repairs() -> tuple[SyntaxRepair, ...]:
    """Every registered repair, in the order the recovery loop tries them."""
    _load_repairs()
    return tuple(_REPAIRS.values())


@functools.cache
def _load_repairs() -> None:
    package = importlib.import_module(REPAIR_PACKAGE)
    # iter_modules lists modules sorted by name, so the order repairs are tried is stable.
    for module in pkgutil.iter_modules(package.__path__, prefix=f"{REPAIR_PACKAGE}."):
        importlib.import_module(module.name)


def find_syntax_problem(source: str, filename: str) -> SyntaxProblem | None:
    """The first reason `source` does not parse, or None when CPython and LibCST both accept it."""
    return _cpython_problem(source, filename) or _libcst_problem(source)


def recover(source: str, filename: str) -> Recovery | None:
    """Apply registered repairs until `source` parses; None when that cannot be reached.

    A repair's output is kept only if the file then parses or its first problem has moved on
    (`_progressed`). The final text must also compile, so that a repair cannot leave, say, a
    `return` outside its function, which parses. A text that parses and compiles is returned as
    is, with no repair applied.
    """
    applied: list[str] = []
    problem = find_syntax_problem(source, filename)
    for _ in range(MAX_ROUNDS):
        if problem is None:
            return Recovery(source, tuple(applied)) if _compiles(source, filename) else None
        step = _repair_once(source, filename, problem)
        if step is None:
            return None
        name, source, problem = step
        applied.append(name)
    return None


def _repair_once(
    source: str, filename: str, problem: SyntaxProblem
) -> tuple[str, str, SyntaxProblem | None] | None:
    for repair in syntax_repairs():
        if not repair.handles(problem):
            continue
        repaired = repair.function(source, problem)
        if repaired is None or repaired == source:
            continue
        following = find_syntax_problem(repaired, filename)
        if following is None or _progressed(problem, following):
            return repair.name, repaired, following
    return None


# When its parser fails, CPython tokenizes the rest of the file and reports the first of these
# tokenizer errors instead (pegen's `_PyPegen_tokenize_full_source_to_check_for_errors`), even one
# below the parser's error. Other errors (a bad dedent, text after a backslash, every parser
# error) stop CPython where they are, so they come in file order.
_OVERRIDING_ERROR = re.compile(
    r"unmatched '|closing parenthesis |'.' was never closed|too many nested parentheses"
    r"|unterminated (triple-quoted )?string literal|invalid (\w+ )?literal|invalid digit"
    r"|leading zeros|invalid (non-printable )?character"
)


def _progressed(problem: SyntaxProblem, following: SyntaxProblem) -> bool:
    """Whether a repair of `problem` that leaves `following` as the first problem made progress.

    The problem must move strictly forward, except when an overriding error was repaired: the
    parser error it hid above it then shows up, and only a new overriding error there is a step
    back (removing the `)` of `[1, 2)` leaves `'[' was never closed`).
    """
    if following.position > problem.position:
        return True
    return _overrides(problem) and not _overrides(following)


def _overrides(problem: SyntaxProblem) -> bool:
    return _OVERRIDING_ERROR.match(problem.message) is not None


def _compiles(source: str, filename: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, filename, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _cpython_problem(source: str, filename: str) -> SyntaxProblem | None:
    try:
        # Warnings (invalid escapes...) are not errors here, even under `-W error`.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, filename, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as error:  # IndentationError and TabError included
        return _located(source, error.msg, error.lineno, error.offset)
    except ValueError as error:  # NUL bytes before Python 3.11.4 / 3.12
        return _located(source, str(error), None, None)
    except (RecursionError, MemoryError) as error:  # nesting too deep for the parser
        return _located(source, str(error) or "source too complex to parse", 1, 1)
    return None


_LIBCST_POSITION = re.compile(r"error at (\d+):(\d+): ")


def _libcst_problem(source: str) -> SyntaxProblem | None:
    try:
        libcst.parse_module(source)
    except libcst.ParserSyntaxError as error:
        # LibCST 1.9 shifts `raw_line` one line down (and zeroes `raw_column`) for parser errors;
        # the position written in its message is right: 1-based line, 0-based column.
        found = _LIBCST_POSITION.search(error.message)
        if found is None:
            line, column = error.raw_line, error.raw_column + 1
            message = error.message
        else:
            line, column = int(found[1]), int(found[2]) + 1
            message = error.message[: found.start()] + error.message[found.end() :]
        return _located(source, f"LibCST {message}", line, column)
    return None


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _located(source: str, message: str, line: int | None, column: int | None) -> SyntaxProblem:
    """Clamp a parser's position to a real place in `source`."""
    if line is None:
        # CPython gives no position for a NUL byte, its only such error: point at the first one.
        before = source[: max(source.find("\0"), 0)]
        line = len(_LINE_BREAK.findall(before)) + 1
        column = len(before) - max(before.rfind("\n"), before.rfind("\r"))
    lines = split_lines(source) or [""]
    past_end = line > len(lines)  # an error found at the end of the file
    line = min(max(line, 1), len(lines))
    text = lines[line - 1].rstrip("\r\n")
    column = len(text) + 1 if past_end else min(max(column or 1, 1), len(text) + 1)
    return SyntaxProblem(message, line, column)


# The core's positions and every repair's edits count lines alike.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def split_lines(source: str) -> list[str]:
    """The physical lines of `source` as CPython counts them, each with its own line ending."""
    return _LINE.findall(source)
