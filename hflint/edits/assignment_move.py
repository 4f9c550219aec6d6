"""HF402's fixes, shared by the rule (which offers them only when they apply) and their codemods.

A timer read before it starts (`load_time = time.time() - start_time` above
`start_time = time.time()`, as fixer scripts inject it) gets a clock started when the function
starts: `start_clock` adds `start_time = time.time()` as the function's first statement (after its
docstring) and keeps the later assignment, so every later measure is what it was and the early one
counts from the start of the function. It applies whatever block the first assignment is in (a
loop, a `with`), when that assignment is `name = <clock>()`: a call without arguments of a clock of
the standard library (`time.time`, `time.perf_counter`, `time.monotonic`, `datetime.now`...) that
the name resolves to through the module's imports and that no local of the function shadows. The
read can only have raised `UnboundLocalError`; a clock has no side effect: the fix is safe.

Any other variable gets `move_assignment`: its first assignment moves up to just before the
statement that reads it too early. The move is made only when it provably keeps the rest of the
function meaning what it meant:

- the first assignment is a simple statement of its own (`x = ...`, `x: T = ...`, targets that are
  plain names) of a block that also holds the first read, directly or nested in one of its
  statements; it moves to just before that statement, within its own block;
- its right-hand side reads only names bound at the new position (parameters, globals, builtins,
  locals assigned by simple statements before it) and holds no lambda, comprehension, walrus or
  `yield`;
- nothing between the two positions reads or writes a name the assignment writes, or rebinds a
  name its right-hand side reads.

What cannot be proved from names alone (side effects of the right-hand side, which now runs
earlier) is why the move is unsafe.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import cast

import libcst as cst

from hflint.analysis.nodes import (
    clause_blocks,
    dotted_name,
    drive,
    iter_nodes,
    parameter_names,
    target_names,
)
from hflint.analysis.scopes import BIND, SKIP, WALRUS, name_roles
from hflint.analysis.testclass import module_aliases
from hflint.edits.module_statements import docstring_end

# The standard library's clocks, by their qualified names: what a timer starts with.
CLOCKS = frozenset(
    {
        "time.time",
        "time.time_ns",
        "time.perf_counter",
        "time.perf_counter_ns",
        "time.monotonic",
        "time.monotonic_ns",
        "time.process_time",
        "timeit.default_timer",
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
    }
)
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)
_SCOPES = (cst.Lambda, cst.FunctionDef, cst.ClassDef, *_COMPREHENSIONS)

# One step of a path to a statement: the IndentedBlock holding the statement list (None for the
# lists of `elif`s, `except` handlers and `case`s, which are no block of their own), the list, and
# the statement's index in it.
Statement = cst.SimpleStatementLine | cst.BaseCompoundStatement
Step = tuple[cst.IndentedBlock | None, Sequence[cst.CSTNode], int]


class _Functions:
    """`visit_`/`leave_` handlers that name every function by its qualified name."""

    def __init__(self) -> None:
        self.path: list[str] = []
        self.found: list[tuple[str, cst.FunctionDef]] = []

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.path.append(node.name.value)

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self.path.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.path.append(node.name.value)
        self.found.append((".".join(self.path), node))

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.path.pop()


def functions(node: cst.CSTNode) -> list[tuple[str, cst.FunctionDef]]:
    """Every function in `node` with its dotted qualified name (`TestBertModels.run_tests`), in
    the order the engine's visit meets them."""
    found = _Functions()
    drive(found, node)
    return found.found


def _roles(parts: Iterable[cst.CSTNode | None]) -> tuple[set[str], set[str]]:
    """(names read, names bound) by `parts` in the enclosing function's own scope. Reads inside
    lambdas and comprehensions are left out, as HF402 leaves them out; a walrus in a comprehension
    binds in the function."""
    reads: set[str] = set()
    writes: set[str] = set()
    for part in parts:
        if part is None:
            continue
        roles: dict[int, int] = {}
        for node in iter_nodes(part, prune=lambda n: isinstance(n, _SCOPES)):
            if isinstance(node, _COMPREHENSIONS):
                for inner in iter_nodes(node, prune=lambda n: isinstance(n, cst.Lambda)):
                    if isinstance(inner, cst.NamedExpr) and isinstance(inner.target, cst.Name):
                        writes.add(inner.target.value)
                continue
            if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
                writes.add(node.name.value)
                continue
            if isinstance(node, cst.Lambda):
                continue
            for name, role in name_roles(node):
                roles[id(name)] = role
            if isinstance(node, cst.Name):
                found = roles.get(id(node))
                if found is None:
                    reads.add(node.value)
                elif found in (BIND, WALRUS):
                    writes.add(node.value)
    return reads, writes


def _mentions(node: cst.CSTNode, names: set[str]) -> bool:
    """Whether any variable named in `names` occurs in `node`, nested scopes included."""
    skipped: set[int] = set()
    for child in iter_nodes(node):
        for name, role in name_roles(child):
            if role == SKIP:
                skipped.add(id(name))
        if isinstance(child, cst.Name) and child.value in names and id(child) not in skipped:
            return True
    return False


def _header(statement: cst.CSTNode) -> tuple[list[cst.CSTNode | None], set[str]]:
    """What a statement evaluates before (or instead of) its nested blocks, and the names it binds
    that way without a Name node of its own in those parts."""
    body = getattr(statement, "body", None)
    suite: list[cst.CSTNode | None] = [body] if isinstance(body, cst.SimpleStatementSuite) else []
    if isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
        return [statement], set()
    if isinstance(statement, (cst.If, cst.While)):
        return [statement.test, *suite], set()
    if isinstance(statement, cst.For):
        return [statement.iter, *suite], {n.value for n in target_names(statement.target)}
    if isinstance(statement, cst.With):
        return [*statement.items, *suite], set()
    if isinstance(statement, (cst.ExceptHandler, cst.ExceptStarHandler)):
        bound = statement.name.name if statement.name is not None else None
        names = {bound.value} if isinstance(bound, cst.Name) else set()
        return [statement.type, *suite], names
    if isinstance(statement, cst.Match):
        return [statement.subject], set()
    if isinstance(statement, cst.MatchCase):
        return [statement.pattern, statement.guard, *suite], set()
    if isinstance(statement, cst.FunctionDef):
        return [*statement.decorators, statement.params, statement.returns], {statement.name.value}
    if isinstance(statement, cst.ClassDef):
        return [*statement.decorators, *statement.bases, *statement.keywords], {
            statement.name.value
        }
    return [*suite], set()


def _blocks(
    statement: cst.CSTNode,
) -> Iterator[tuple[cst.IndentedBlock | None, Sequence[cst.CSTNode]]]:
    """The statement lists nested in a statement of the same scope, in source order."""
    if not isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
        yield from clause_blocks(statement)


def _first(
    block: cst.IndentedBlock | None,
    statements: Sequence[cst.CSTNode],
    name: str,
    *,
    write: bool,
    path: tuple[Step, ...] = (),
) -> tuple[Step, ...] | None:
    """The path to the first statement that reads (or writes) `name`, in source order."""
    for index, statement in enumerate(statements):
        here = (*path, (block, statements, index))
        parts, header_writes = _header(statement)
        reads, writes = _roles(parts)
        if name in (writes | header_writes if write else reads):
            return here
        for inner_block, inner in _blocks(statement):
            found = _first(inner_block, inner, name, write=write, path=here)
            if found is not None:
                return found
    return None


def _single_assignment(statement: cst.CSTNode) -> cst.Assign | cst.AnnAssign | None:
    if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
        return None
    small = statement.body[0]
    if isinstance(small, cst.Assign):
        targets = [t.target for t in small.targets]
    elif isinstance(small, cst.AnnAssign) and small.value is not None:
        targets = [small.target]
    else:
        return None
    for target in targets:
        named = {id(n) for n in target_names(target)}
        plain = [n for n in iter_nodes(target) if isinstance(n, cst.Name)]
        if not plain or any(id(n) not in named for n in plain):
            return None  # `self.x = ...` or `x[i] = ...`: more than names are written
    return small


def move_assignment(function: cst.FunctionDef, name: str) -> cst.FunctionDef | None:
    """`function` with the first assignment to `name` moved up to just before the statement that
    first reads it; None when that cannot be shown to be safe (see the module's documentation)."""
    if not isinstance(function.body, cst.IndentedBlock):
        return None
    body = function.body
    write_path = _first(body, body.body, name, write=True)
    read_path = _first(body, body.body, name, write=False)
    if write_path is None or read_path is None:
        return None
    block, statements, assigned_at = write_path[-1]
    assignment_statement = statements[assigned_at]
    assignment = _single_assignment(assignment_statement)
    level = len(write_path) - 1
    if (
        block is None
        or assignment is None
        or len(read_path) <= level
        or read_path[level][0] is not block
    ):
        return None
    read_at = read_path[level][2]
    if read_at >= assigned_at:
        return None
    value = assignment.value
    assert value is not None
    if any(isinstance(n, (*_SCOPES, cst.NamedExpr, cst.Yield)) for n in iter_nodes(value)):
        return None
    value_reads, _ = _roles([value])
    _, assigned = _roles([assignment_statement])
    function_locals = _roles([body])[1] | parameter_names(function)
    bound = parameter_names(function) | _bound_before(write_path[:level], statements[:read_at])
    if any(n in function_locals and n not in bound for n in value_reads) or value_reads & assigned:
        return None
    between = statements[read_at + 1 : assigned_at]
    if any(_mentions(s, assigned) for s in between):
        return None
    if _mentions(statements[read_at], assigned - {name}):
        return None
    if any(_roles([s])[1] & value_reads for s in statements[read_at:assigned_at]):
        return None
    return cast(cst.FunctionDef, function.deep_replace(block, _moved(block, read_at, assigned_at)))


def _bound_before(ancestors: Sequence[Step], earlier: Sequence[cst.CSTNode]) -> set[str]:
    """Names certainly bound on entering the block: those assigned by simple statements before
    it, at its own level and in the blocks around it, and the `as` names of the `with` and
    `except` it is in."""
    bound: set[str] = set()
    levels = [(statements[:index], statements[index]) for _, statements, index in ancestors]
    for before, around in levels:
        for statement in before:
            if isinstance(statement, cst.SimpleStatementLine):
                bound |= _roles([statement])[1]
        if isinstance(around, (cst.With, cst.ExceptHandler, cst.ExceptStarHandler)):
            parts, header_writes = _header(around)
            bound |= _roles(parts)[1] | header_writes
    for statement in earlier:
        if isinstance(statement, cst.SimpleStatementLine):
            bound |= _roles([statement])[1]
    return bound


def _moved(block: cst.IndentedBlock, read_at: int, assigned_at: int) -> cst.IndentedBlock:
    """The block with statement `assigned_at` moved to `read_at`. The moved statement takes the
    comment lines above it along, and the lines above the statement it now precedes; its blank
    lines stay where it was."""
    statements = [cast(Statement, s) for s in block.body]
    moved = statements.pop(assigned_at)
    comments = [line for line in moved.leading_lines if line.comment is not None]
    blanks = [line for line in moved.leading_lines if line.comment is None]
    if assigned_at < len(statements):
        following = statements[assigned_at]
        statements[assigned_at] = following.with_changes(
            leading_lines=[*blanks, *following.leading_lines]
        )
    reader = statements[read_at]
    statements[read_at] = reader.with_changes(leading_lines=[])
    statements.insert(read_at, moved.with_changes(leading_lines=[*reader.leading_lines, *comments]))
    return block.with_changes(body=statements)


def start_clock(module: cst.Module, function: cst.FunctionDef, name: str) -> cst.FunctionDef | None:
    """`function` (of `module`) with `name = <clock>()` added as its first statement, when the
    first assignment to `name` reads a clock; None otherwise (see the module's documentation)."""
    if not isinstance(function.body, cst.IndentedBlock):
        return None
    body = function.body
    write_path = _first(body, body.body, name, write=True)
    if write_path is None:
        return None
    _, statements, assigned_at = write_path[-1]
    assignment = _single_assignment(statements[assigned_at])
    value = assignment.value if assignment is not None else None
    if not (isinstance(value, cst.Call) and not value.args and _is_clock(module, function, value)):
        return None
    start = cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(name))], value)])
    at = docstring_end(body.body)
    return function.with_changes(
        body=body.with_changes(body=[*body.body[:at], start, *body.body[at:]])
    )


def _is_clock(module: cst.Module, function: cst.FunctionDef, call: cst.Call) -> bool:
    """Whether `call` calls a clock of the standard library (`CLOCKS`): its name resolves through
    the module's imports (`time.time`, `datetime.now` after `from datetime import datetime`), and
    the function has no local of that name."""
    written = dotted_name(call.func)
    head, _, rest = written.partition(".")
    if not head or head in _roles([function.body])[1] | parameter_names(function):
        return False
    imported = {alias: module_path for module_path, alias in module_aliases(module).items()}
    if head not in imported:
        return False
    return ".".join(filter(None, (imported[head], rest))) in CLOCKS
