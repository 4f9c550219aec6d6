"""Where the fixes put the module-level statements they add: the one place that inserts imports and
module definitions. Each placement starts from the end of the file's import block
(`import_block_end`), for the kind of fix it serves:

- `insert_module_statements` (the HF401 fixes, one import or definition written for the file):
  imports join the file's top-level import block, sorted in when it is; definitions (`logger =
  ...`, guarded imports) go right after the imports, or after the file's guarded imports for an
  availability flag. Whatever is added goes before the first module-level statement that reads one
  of the names it defines, so a read executed at import time (a guarded import's `except` branch
  logging a warning) finds them.
- `insert_support` (fixes that take a piece of a skeleton, with the module-level statements it
  needs, as `support_for` finds them): the skeleton's imports after the file's last import, its
  definitions before the file's first class, function or entry guard, in the skeleton's order and
  layout.
- `insert_imports_last` (the task fixes' new inputs): after the file's imports and guarded import
  blocks, all of them, guarded like them when the caller guards its own.
"""

from __future__ import annotations

import keyword
from collections.abc import Iterable, Sequence

import libcst as cst

from hflint.analysis.nodes import iter_nodes
from hflint.analysis.scopes import BIND, SKIP, name_roles
from hflint.analysis.testclass import main_guards, module_level_names

Statement = cst.SimpleStatementLine | cst.BaseCompoundStatement


def parse_statement(code: str) -> Statement:
    statement = cst.parse_statement(code)
    assert isinstance(statement, (cst.SimpleStatementLine, cst.BaseCompoundStatement))
    return statement


def check_dotted(name: str, what: str) -> None:
    """Refuse anything but `name` or `package.module`: the value becomes code."""
    from libcst.codemod import (
        SkipFile,
    )  # on fixing only: rules import this module, and lint never loads libcst.codemod

    parts = name.split(".")
    if not all(part.isidentifier() and not keyword.iskeyword(part) for part in parts):
        raise SkipFile(f"{what} {name!r} is not a dotted Python name")


def is_import(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
    )


def is_guarded_import(statement: cst.CSTNode) -> bool:
    """`try: import x ... except ImportError: ...` (or a tuple of exceptions naming it)."""
    if not isinstance(statement, cst.Try):
        return False
    for handler in statement.handlers:
        for node in iter_nodes(handler.type) if handler.type is not None else ():
            if isinstance(node, cst.Name) and node.value in ("ImportError", "ModuleNotFoundError"):
                return True
    return False


def docstring_end(body: Sequence[cst.CSTNode]) -> int:
    """Where the code of a module's, class's or function's statements starts: after the
    docstring, if any (1), else at once (0)."""
    if body and isinstance(body[0], cst.SimpleStatementLine):
        first = body[0].body[0]
        if isinstance(first, cst.Expr) and isinstance(
            first.value, (cst.SimpleString, cst.ConcatenatedString)
        ):
            return 1
    return 0


def import_block_end(body: Sequence[cst.CSTNode], *, guarded: bool = False) -> int:
    """The index after the last import statement of `body` (or guarded import block, with
    `guarded`); after the docstring when there is none."""
    return max(
        (i + 1 for i, s in enumerate(body) if is_import(s) or (guarded and is_guarded_import(s))),
        default=docstring_end(body),
    )


def _first_definition(body: Sequence[cst.CSTNode]) -> int:
    return next(
        (i for i, s in enumerate(body) if isinstance(s, (cst.FunctionDef, cst.ClassDef))),
        len(body),
    )


def _plain_import(statement: cst.CSTNode) -> str | None:
    """`m` for a statement `import m` (one module, no alias), else None."""
    if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
        return None
    small = statement.body[0]
    if not isinstance(small, cst.Import) or len(small.names) != 1 or small.names[0].asname:
        return None
    return cst.Module([]).code_for_node(small.names[0].name)


def _sorted_position(body: Sequence[cst.CSTNode], statement: Statement, default: int) -> int:
    """Where `import m` goes to keep the file's plain imports sorted, when they are."""
    new = _plain_import(statement)
    named = [(i, name) for i, s in enumerate(body) if (name := _plain_import(s)) is not None]
    names = [name for _, name in named]
    if new is None or not named or names != sorted(names):
        return default
    return next((i for i, name in named if name > new), named[-1][0] + 1)


def _reads(statement: cst.CSTNode, names: set[str]) -> bool:
    """Whether running `statement` at module level may read one of `names` (function bodies and
    lambdas run later; class bodies run now)."""
    skipped: set[int] = set()

    def later(node: cst.CSTNode) -> bool:
        return isinstance(node, cst.Lambda) or (
            isinstance(node, cst.FunctionDef) and node is not statement
        )

    for node in iter_nodes(statement, prune=later):
        if isinstance(node, cst.FunctionDef):
            # Decorators and defaults run at definition time.
            for part in (*node.decorators, node.params):
                if _reads(part, names):
                    return True
            continue
        for name, role in name_roles(node):
            if role in (SKIP, BIND):
                skipped.add(id(name))
        if isinstance(node, cst.Name) and node.value in names and id(node) not in skipped:
            return True
    return False


def _first_read(body: Sequence[cst.CSTNode], names: set[str]) -> int:
    return next((i for i, s in enumerate(body) if _reads(s, names)), len(body))


def insert_module_statements(
    module: cst.Module,
    *,
    imports: Iterable[Statement] = (),
    definitions: Iterable[Statement] = (),
    defines: Iterable[str] = (),
    needs: Iterable[str] = (),
    after_guarded_imports: bool = False,
) -> cst.Module:
    """Add `imports` after the module's imports and `definitions` after them (or after the last
    guarded import block before the first `def`/`class`), and after whatever binds a name in
    `needs`; all before the first module-level read of a name in `defines`."""
    body: list[Statement] = list(module.body)
    new_imports = [s.with_changes(leading_lines=[]) for s in imports]
    new_definitions = [s.with_changes(leading_lines=[cst.EmptyLine()]) for s in definitions]
    before_code = body[: _first_definition(body)]
    import_at = import_block_end(before_code)
    define_at = import_block_end(before_code, guarded=after_guarded_imports)
    if len(new_imports) == 1:
        import_at = _sorted_position(body[:import_at], new_imports[0], import_at)
    first_read = _first_read(body, set(defines))
    import_at = min(import_at, first_read)
    define_at = min(define_at, first_read)
    needed = set(needs)
    if needed:
        bound_at = max(
            (i + 1 for i, s in enumerate(body) if needed & module_level_names(cst.Module([s]))),
            default=0,
        )
        if bound_at > first_read:
            from libcst.codemod import SkipFile  # on fixing only, as in `check_dotted`

            raise SkipFile("the module reads the name before what its definition needs exists")
        define_at = max(define_at, bound_at)
    if new_imports and import_at < len(body) and is_import(body[import_at]):
        # Joining an import block at its start: take over the lines above it.
        following = body[import_at]
        new_imports[0] = new_imports[0].with_changes(leading_lines=following.leading_lines)
        body[import_at] = following.with_changes(leading_lines=[])
    elif new_imports and import_at > 0 and not is_import(body[import_at - 1]):
        # No import block to join (only a docstring before): set the imports apart.
        new_imports[0] = new_imports[0].with_changes(leading_lines=[cst.EmptyLine()])
    if new_definitions and define_at == 0 and not new_imports:
        new_definitions[0] = new_definitions[0].with_changes(leading_lines=[])
    body[define_at:define_at] = new_definitions
    body[import_at:import_at] = new_imports
    return module.with_changes(body=body)


def insert_imports_last(module: cst.Module, statements: Sequence[Statement]) -> cst.Module:
    """Add import statements (plain, or guarded blocks set apart by a blank line) after the
    module's last import or guarded import block. Plain ones after a guarded block are set apart
    from it, and the first imports of a file from the code that follows them."""
    body: list[Statement] = list(module.body)
    added = list(statements)
    position = import_block_end(body, guarded=True)
    if added and is_import(added[0]) and position and isinstance(body[position - 1], cst.Try):
        added[0] = added[0].with_changes(leading_lines=[cst.EmptyLine()])
    following = body[position] if position < len(body) else None
    if following is not None and not is_import(following) and not following.leading_lines:
        body[position] = following.with_changes(leading_lines=[cst.EmptyLine()])
    body[position:position] = added
    return module.with_changes(body=body)


# ---------------------------------------------------------------------------------------------
# Pieces of another module (a skeleton) and what they need


def definition(source: cst.Module, name: str) -> Statement:
    """The module-level statement of `source` that binds `name`."""
    for statement in source.body:
        if name in _bound_names(statement):
            return statement
    raise KeyError(f"the skeleton defines no {name!r}")


def support_for(
    source: cst.Module, pieces: Sequence[cst.CSTNode], target: cst.Module
) -> list[Statement]:
    """Module-level statements of `source` that `pieces` need (transitively) and `target` lacks."""
    defined = module_level_names(target)
    for piece in pieces:
        if isinstance(piece, (cst.FunctionDef, cst.ClassDef)):
            defined.add(piece.name.value)
    needed: list[Statement] = []
    pending = list(pieces)
    while pending:
        piece = pending.pop()
        for name in sorted(_used_names(piece)):
            if name in defined:
                continue
            try:
                statement = definition(source, name)
            except KeyError:
                continue  # a local, a parameter or a builtin
            if statement not in needed:
                needed.append(statement)
                defined.update(_bound_names(statement))
                pending.append(statement)
    return needed


def insert_support(module: cst.Module, support: Iterable[Statement]) -> cst.Module:
    """Put imports after the module's last top-level import and definitions before its first class,
    function or entry guard, keeping the order and layout they had where they come from."""
    # Imports join the file's import block as it is laid out, without the skeleton's blank lines.
    imports = [s.with_changes(leading_lines=[]) for s in support if is_import(s)]
    others = [s for s in support if not is_import(s)]
    body = list(module.body)
    after_imports = import_block_end(body)
    body[after_imports:after_imports] = imports
    guards = list(main_guards(module))
    first_definition = next(
        (
            i
            for i, s in enumerate(body)
            if i >= after_imports + len(imports)
            and (isinstance(s, (cst.ClassDef, cst.FunctionDef)) or s in guards)
        ),
        len(body),
    )
    body[first_definition:first_definition] = others
    return module.with_changes(body=body)


def insert_before_entry(
    module: cst.Module, statements: Sequence[Statement], *, before: str
) -> cst.Module:
    """Insert statements before the top-level function `before` (often `main`), else before the
    entry guard, else at the end."""
    body = list(module.body)
    guards = list(main_guards(module))
    position = next(
        (
            i
            for i, s in enumerate(body)
            if isinstance(s, cst.FunctionDef) and s.name.value == before
        ),
        next((i for i, s in enumerate(body) if s in guards), len(body)),
    )
    body[position:position] = statements
    return module.with_changes(body=body)


def _bound_names(statement: Statement) -> set[str]:
    return module_level_names(cst.Module(body=[statement]))


def _used_names(node: cst.CSTNode) -> set[str]:
    """The names `node` reads or binds; of `x.attr`, only `x` (an attribute is no name the module
    must provide)."""
    attributes: set[int] = set()
    names: set[str] = set()
    for child in iter_nodes(node):
        if isinstance(child, cst.Attribute):
            attributes.add(id(child.attr))
        elif isinstance(child, cst.Name) and id(child) not in attributes:
            names.add(child.value)
    return names
