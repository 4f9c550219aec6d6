"""Why a file does not parse, and the repairs that make it parse again (rule HF001).

The core finds where the parsers fail and searches for a repaired text; it never names a repair
itself. Repairs are general strategies registered with `@syntax_repair`, each in its own module
under `hflint.codemods.syntax_repairs` (loaded on first use): given the text and the problem the
parser stops at, a repair proposes candidate texts (re-indent a block, undo repeated punctuation,
balance a bracket...). The search (`recover`) keeps the candidates after which the first problem
comes later in the file, or none is left, takes the one that changes the fewest lines, and goes on
to the next problem, backtracking when a path leads nowhere, bounded in rounds and time. A
repaired text is accepted only when it compiles, LibCST parses it, and every statement outside
the repaired lines is what it was (`hflint.syntax_guard`).

Repairs work on physical lines. `split_lines` breaks lines where CPython does (`\\r\\n`, `\\r`,
`\\n`) and nowhere else: `str.splitlines` also breaks on form feeds, `\\x1c`-`\\x1e`, `\\x85` and
`\\u2028`, which may sit inside Python code or strings, so its line numbers would drift from the
parser's. Every line keeps its own ending, so a repaired file keeps its CRLF, LF or mixed endings.
What the repairs share to read and change lines is in `hflint.codemods.syntax_repairs._lines`.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import importlib
import pkgutil
import re
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import libcst

from hflint.source import LINE_BREAK

REPAIR_PACKAGE = "hflint.codemods.syntax_repairs"
# Bounds of the search for one file: states expanded (each evaluates every candidate for one
# problem) and CPU seconds of this process (not wall-clock time: on a busy machine the search
# must find what it finds on an idle one). A file of a real suite needs one state per problem, a
# few hundred for the worst; the rest is room for backtracking.
MAX_ROUNDS = 1500
MAX_SECONDS = 20.0


@dataclass(frozen=True)
class SyntaxProblem:
    """A parse error of a file; `line` and `column` are 1-based, in characters. `parses` marks an
    error only the compiler finds (`return` outside a function), in a text both parsers accept."""

    message: str
    line: int
    column: int
    parses: bool = False

    @property
    def position(self) -> tuple[int, int]:
        return (self.line, self.column)

    @property
    def progress(self) -> tuple[bool, int, int]:
        """How far a text with this problem got: a text that parses is further than any that does
        not, though the compiler's error comes earlier in the file than the parser's did."""
        return (self.parses, self.line, self.column)


@dataclass(frozen=True)
class Recovery:
    """A repaired text: it compiles, both parsers accept it, and what lay outside the repaired
    lines is unchanged. `applied` names the repairs, in order; `changed` lists the lines of
    `source` that differ from the original (changed or inserted, 1-based) and `removed` counts
    the original lines that are gone."""

    source: str
    applied: tuple[str, ...]
    changed: tuple[int, ...] = ()
    removed: int = 0

    @property
    def lines_changed(self) -> int:
        return len(self.changed) + self.removed


RepairFunction = Callable[[str, SyntaxProblem], Iterable[str]]


@dataclass(frozen=True)
class SyntaxRepair:
    """A registered repair: `function` yields candidate repaired texts (none when it does not
    apply); the core evaluates each."""

    name: str
    description: str
    matches: tuple[re.Pattern[str], ...]
    function: RepairFunction
    # A file-wide repair undoes one mechanical edit wherever it was made; it runs once, before
    # the search, rather than at each problem (see `recover`).
    file_wide: bool = False

    def handles(self, problem: SyntaxProblem) -> bool:
        return any(pattern.match(problem.message) for pattern in self.matches)


_REPAIRS: dict[str, SyntaxRepair] = {}


def syntax_repair(
    *, name: str, description: str, matches: tuple[str, ...], file_wide: bool = False
) -> Callable[[RepairFunction], RepairFunction]:
    """Register a repair for problems whose message starts with one of the regexes `matches`;
    `file_wide` for one that edits every place of the file alike, tried once before the search."""

    def register(function: RepairFunction) -> RepairFunction:
        if name in _REPAIRS:
            # Also catches a repair module imported twice under two names (`codemods...`).
            raise ValueError(f"syntax repair {name!r} is registered twice")
        patterns = tuple(re.compile(pattern) for pattern in matches)
        _REPAIRS[name] = SyntaxRepair(name, description, patterns, function, file_wide)
        return function

    return register


def syntax_repairs() -> tuple[SyntaxRepair, ...]:
    """Every registered repair, in the order their candidates are listed (ties go to the first)."""
    _load_repairs()
    return tuple(_REPAIRS.values())


@functools.cache
def _load_repairs() -> None:
    package = importlib.import_module(REPAIR_PACKAGE)
    # iter_modules lists modules sorted by name, so the order repairs are tried is stable.
    for module in pkgutil.iter_modules(package.__path__, prefix=f"{REPAIR_PACKAGE}."):
        importlib.import_module(module.name)


# --- finding problems --------------------------------------------------------------------------


def find_syntax_problem(source: str, filename: str) -> SyntaxProblem | None:
    """The reason `source` does not parse, as CPython reports it (LibCST's where only LibCST
    objects), or None when both accept it."""
    return _cpython_problem(source, filename) or _libcst_problem(source)


def first_problem(source: str, filename: str) -> SyntaxProblem | None:
    """The first problem of `source` in file order, or None when it compiles and LibCST parses it.

    CPython reports a tokenizer error found anywhere after its parser's error in place of the
    parser's (`_OVERRIDING_ERROR`); the parser's error is then found again in the text before the
    tokenizer's. Compile-time errors (`return` outside a function...) count once both parsers
    accept the text.
    """
    problem = _cpython_problem(source, filename)
    if problem is not None:
        return _earlier_parser_problem(source, filename, problem) or problem
    return _libcst_problem(source) or _compile_problem(source, filename)


# When its parser fails, CPython tokenizes the rest of the file and reports the first of these
# tokenizer errors instead (pegen's `_PyPegen_tokenize_full_source_to_check_for_errors`), even one
# below the parser's error. Other errors (a bad dedent, text after a backslash, every parser
# error) stop CPython where they are, so they come in file order.
_OVERRIDING_ERROR = re.compile(
    r"unmatched '|closing parenthesis |'.' was never closed|too many nested parentheses"
    r"|unterminated (triple-quoted )?string literal|invalid (\w+ )?literal|invalid digit"
    r"|leading zeros|invalid (non-printable )?character"
)
# What CPython says when a text ends too early: a sign that a cut was made, not of an error.
_ENDS_TOO_EARLY = re.compile(r"'.' was never closed|unexpected EOF|expected an indented block")


def _earlier_parser_problem(
    source: str, filename: str, problem: SyntaxProblem
) -> SyntaxProblem | None:
    """The parser's error before an overriding tokenizer error, found in the text before it."""
    if not _OVERRIDING_ERROR.match(problem.message) or problem.message.endswith("never closed"):
        return None
    lines = split_lines(source)
    head = "".join(lines[: problem.line - 1]) + lines[problem.line - 1][: problem.column - 1]
    earlier = _cpython_problem(head, filename)
    if earlier is None or _ENDS_TOO_EARLY.match(earlier.message):
        return None
    return earlier if earlier.position < problem.position else None


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


def _compile_problem(source: str, filename: str) -> SyntaxProblem | None:
    """An error only the compiler finds in a text that parses (`return` outside a function)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, filename, "exec", dont_inherit=True)
    except SyntaxError as error:
        problem = _located(source, error.msg, error.lineno, error.offset)
    except (ValueError, RecursionError, MemoryError) as error:
        problem = _located(source, str(error) or "source too complex to compile", 1, 1)
    else:
        return None
    return dataclasses.replace(problem, parses=True)


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


def _located(source: str, message: str, line: int | None, column: int | None) -> SyntaxProblem:
    """Clamp a parser's position to a real place in `source`."""
    if line is None:
        # CPython gives no position for a NUL byte, its only such error: point at the first one.
        before = source[: max(source.find("\0"), 0)]
        line = len(LINE_BREAK.findall(before)) + 1
        column = len(before) - max(before.rfind("\n"), before.rfind("\r"))
    lines = split_lines(source) or [""]
    past_end = line > len(lines)  # an error found at the end of the file
    line = min(max(line, 1), len(lines))
    text = lines[line - 1].rstrip("\r\n")
    column = len(text) + 1 if past_end else min(max(column or 1, 1), len(text) + 1)
    return SyntaxProblem(message, line, column)


# The core's positions and every repair's edits count lines alike.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
# Where `str.splitlines` breaks a line and CPython does not.
_OTHER_BREAKS = re.compile("[\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def split_lines(source: str) -> list[str]:
    """The physical lines of `source` as CPython counts them, each with its own line ending."""
    if _OTHER_BREAKS.search(source) is None:
        return source.splitlines(keepends=True)  # the same lines, faster
    return _LINE.findall(source)


# --- the search --------------------------------------------------------------------------------


def recover(
    source: str, filename: str, *, max_rounds: int = MAX_ROUNDS, max_seconds: float = MAX_SECONDS
) -> Recovery | None:
    """A repaired `source`, or None when the search finds none within its bounds.

    A text that compiles and parses is returned as is, with no repair applied.
    """
    from hflint.syntax_guard import changed_lines, outside_repairs_kept  # it reads split_lines

    search = _Search(filename, time.process_time() + max_seconds)
    stack = [_State(source, first_problem(source, filename), ())]
    undone = search.file_wide(stack[0])
    if undone is not None:  # searched from first; the original stays below to backtrack to
        stack.append(undone)
    for _ in range(max_rounds):
        if not stack or time.process_time() > search.deadline:
            return None
        state = stack[-1]
        if state.problem is None:
            if not state.applied:
                return Recovery(source, ())
            if outside_repairs_kept(source, state.text):
                changed, removed = changed_lines(source, state.text)
                return Recovery(state.text, state.applied, changed, removed)
            stack.pop()  # a dead end: try the next best candidate of the state before
            continue
        if state.options is None:
            state.options = search.options(state.text, state.problem)
        if not state.options:
            stack.pop()
            continue
        option = state.options.pop(0)
        stack.append(_State(option.text, option.problem, (*state.applied, option.name)))
    return None


@dataclass
class _State:
    text: str
    problem: SyntaxProblem | None
    applied: tuple[str, ...]
    # The candidates that make progress from here, best first; None until computed.
    options: list[_Option] | None = None


@dataclass(frozen=True)
class _Option:
    rank: tuple[int, int, tuple[int, int], int]
    name: str
    text: str
    problem: SyntaxProblem | None


@dataclass
class _Search:
    filename: str
    deadline: float
    seen: set[int] = field(default_factory=set)  # hashes of the texts already evaluated

    def file_wide(self, state: _State) -> _State | None:
        """The state after the file-wide repairs, or None when they do not help.

        They run in the order they are listed (bracket damage is undone before what reads the
        brackets). Undoing one kind of damage everywhere may leave the first problem where it was (another
        kind of damage is there too), so each repair is kept when the first problem does not move
        earlier, and all together when it then comes later or none is left.
        """
        if state.problem is None:
            return None
        text, applied = state.text, state.applied
        problem: SyntaxProblem | None = state.problem
        for repair in syntax_repairs():
            if not repair.file_wide or problem is None or not repair.handles(problem):
                continue
            for candidate in repair.function(text, problem):
                following = first_problem(candidate, self.filename)
                if following is None or following.progress >= problem.progress:
                    text, problem, applied = candidate, following, (*applied, repair.name)
                    break
        if problem is not None and problem.progress <= state.problem.progress:
            return None
        return _State(text, problem, applied)

    def options(self, text: str, problem: SyntaxProblem) -> list[_Option]:
        """Every candidate of every repair for `problem` that makes progress, best first: one
        that leaves no problem, then the fewest lines changed, then the furthest next problem."""
        lines = split_lines(text)
        found: list[_Option] = []
        order = 0
        for repair in syntax_repairs():
            if repair.file_wide or not repair.handles(problem):
                continue
            for candidate in repair.function(text, problem):
                if hash(candidate) in self.seen or time.process_time() > self.deadline:
                    continue
                self.seen.add(hash(candidate))
                order += 1
                option = self._evaluate(lines, problem, repair.name, candidate, order)
                if option is not None:
                    found.append(option)
        return sorted(found, key=lambda option: option.rank)

    def _evaluate(
        self, lines: Sequence[str], problem: SyntaxProblem, name: str, candidate: str, order: int
    ) -> _Option | None:
        new_lines = split_lines(candidate)
        start, old_end, new_end = _changed_block(lines, new_lines)
        if old_end == new_end:  # lines changed in place: count those that differ
            changed = sum(lines[i] != new_lines[i] for i in range(start, old_end))
        else:
            changed = max(old_end, new_end) - start
        following = first_problem(candidate, self.filename)
        if following is None:
            return _Option((0, changed, (0, 0), order), name, candidate, None)
        # The next problem, where it would be in the text before this change.
        line = following.line
        if line > new_end:
            line -= new_end - old_end
        elif line > start:
            line = start + min(line - start, max(old_end - start, 1))
        moved = (line, following.column)
        if (following.parses, *moved) <= problem.progress:
            return None
        rank = (1, changed, (-moved[0], -moved[1]), order)
        return _Option(rank, name, candidate, following)


def _changed_block(old: Sequence[str], new: Sequence[str]) -> tuple[int, int, int]:
    """The lines that differ, as `old[start:old_end]` replaced by `new[start:new_end]`; lines are
    counted from 1, so `start` is the last common line of the head."""
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    old_end, new_end = len(old), len(new)
    while old_end > start and new_end > start and old[old_end - 1] == new[new_end - 1]:
        old_end -= 1
        new_end -= 1
    return start, old_end, new_end
