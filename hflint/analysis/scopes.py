"""The file's scopes, computed by the standard library's `symtable` (C speed, on the source text),
and the role of every `Name` node (read, bound, walrus); shared by HF401, HF402 and their fixes.

LibCST's `ScopeProvider` would answer the same questions with a full extra metadata pass over the
tree, which costs more than the parse. `symtable` tells, per scope, which names are read there, which
are bound there, and which resolve to the module's globals; the engine's visit only has to find the
`Name` nodes of the few names that matter, in the scope they belong to.

Scopes are matched to `symtable`'s tables by kind and name, in order: the n-th `def f` met in a
scope is that scope's n-th child table named `f`. Comprehensions are not scopes here: their tables
(CPython 3.11 and older) are folded into the enclosing scope, as CPython 3.12+ does itself (PEP 709).
A LibCST scope with no matching table (new syntax such as type parameters) is unknown: nothing is
reported inside it.
"""

from __future__ import annotations

import builtins
import importlib
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from hflint.analysis.nodes import iter_nodes, target_names

# Module attributes Python sets itself, class-body names it provides, and builtins that `site`
# adds (absent under `python -S`) or that exist on other platforms.
IMPLICIT_NAMES = frozenset(
    {
        "__file__",
        "__builtins__",
        "__cached__",
        "__path__",
        "__annotations__",
        "__module__",
        "__qualname__",
        "__class__",
        "__dict__",
        "exit",
        "quit",
        "copyright",
        "credits",
        "license",
        "help",
        "WindowsError",
    }
)
BUILTIN_NAMES = frozenset(dir(builtins)) | IMPLICIT_NAMES

# The role of a `Name` node that is not a plain read.
SKIP = 0  # no variable at all: `x.attr`, `f(keyword=...)`, `global x`, a module in `from m import`
BIND = 1  # binds the name: assignment and loop targets, imports, `def`, `as` names, `del`
WALRUS = 2  # `(x := ...)`: binds in the enclosing function even inside a comprehension

ScopeKey = tuple[str, str]


@dataclass(eq=False)
class Scope:
    """One module, class, function or lambda scope, with its comprehensions folded in."""

    kind: str  # "module", "class" or "function"
    name: str
    # Names read directly in this scope that resolve to the module's globals and that nothing binds
    # there, nor in builtins.
    undefined: frozenset[str]
    # The same for this scope's own comprehensions (each a scope of its own before CPython 3.12).
    comprehension_undefined: frozenset[str]
    # Function scopes: the local variables other than parameters (candidates for HF402), less any
    # that a nested function rebinds with `nonlocal`.
    locals: frozenset[str]
    children: dict[ScopeKey, list[Scope]] = field(default_factory=dict)

    @property
    def all_undefined(self) -> frozenset[str]:
        return self.undefined | self.comprehension_undefined


@dataclass(frozen=True)
class Analysis:
    module: Scope


def analyse(source: str) -> Analysis | None:
    """The file's scopes, or None when CPython does not accept the source (LibCST may). A per-file
    fact: rules read it as `FileFacts.scopes`, computed once."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences and the like
            top = _st.symtable(source, "<hflint>", "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    bound = {name for name, flags in top.symbols.items() if flags & _ASSIGNED}
    bound.update(_declared_global_bindings(top))
    return Analysis(module=_scope(top, frozenset(bound) | BUILTIN_NAMES))


# The tables come straight from `_symtable`, the C module behind `symtable`: its `Symbol` objects
# cost as much as the analysis itself (each looks through all child tables). The flags are read as
# `symtable.Symbol` reads them (the same in CPython 3.10 to 3.13).
_st: Any = importlib.import_module("_symtable")
_ASSIGNED = _st.DEF_LOCAL | _st.DEF_IMPORT  # Symbol.is_assigned() or Symbol.is_imported()
_GLOBAL = (_st.GLOBAL_IMPLICIT, _st.GLOBAL_EXPLICIT)


def _symbol_scope(flags: int) -> int:
    return int((flags >> _st.SCOPE_OFF) & _st.SCOPE_MASK)


def _declared_global_bindings(table: Any) -> Iterator[str]:
    """Names a function binds at module level through `global`."""
    for child in table.children:
        for name, flags in child.symbols.items():
            if _symbol_scope(flags) == _st.GLOBAL_EXPLICIT and flags & _ASSIGNED:
                yield name
        yield from _declared_global_bindings(child)


def _is_comprehension(table: Any) -> bool:
    # Comprehension tables take their outermost iterable as the implicit parameter `.0`.
    return bool(table.type == _st.TYPE_FUNCTION and ".0" in table.symbols)


def _kind(table: Any) -> str:
    kind = table.type
    if kind == _st.TYPE_MODULE:
        return "module"
    if kind == _st.TYPE_CLASS:
        return "class"
    return "function" if kind == _st.TYPE_FUNCTION else f"other-{kind}"


def _scope(table: Any, known: frozenset[str]) -> Scope:
    comprehensions: list[Any] = []
    children: list[Any] = []
    pending = list(table.children)
    while pending:
        child = pending.pop(0)
        if _is_comprehension(child):
            comprehensions.append(child)
            pending[0:0] = child.children  # keep source order
        else:
            children.append(child)
    kind = _kind(table)
    locals_: frozenset[str] = frozenset()
    if kind == "function":
        locals_ = frozenset(
            name
            for name, flags in table.symbols.items()
            if _symbol_scope(flags) in (_st.LOCAL, _st.CELL)
            and not flags & _st.DEF_PARAM
            and flags & _ASSIGNED
        ) - frozenset(_nonlocal_names(table))
    scope = Scope(
        kind=kind,
        name=str(table.name),
        undefined=_undefined(table, known),
        comprehension_undefined=frozenset().union(*(_undefined(c, known) for c in comprehensions)),
        locals=locals_,
    )
    for child in children:
        child_scope = _scope(child, known)
        scope.children.setdefault((child_scope.kind, child_scope.name), []).append(child_scope)
    return scope


def _undefined(table: Any, known: frozenset[str]) -> frozenset[str]:
    use = _st.USE
    return frozenset(
        name
        for name, flags in table.symbols.items()
        if flags & use and _symbol_scope(flags) in _GLOBAL and name not in known
    )


def _nonlocal_names(table: Any) -> Iterator[str]:
    for child in table.children:
        for name, flags in child.symbols.items():
            if flags & _st.DEF_NONLOCAL:
                yield name
        yield from _nonlocal_names(child)


# ---------------------------------------------------------------------------------------------
# What a Name node is doing, from its parent.
# ---------------------------------------------------------------------------------------------


def _all_names(node: cst.CSTNode) -> Iterator[cst.Name]:
    for child in iter_nodes(node):
        if isinstance(child, cst.Name):
            yield child


def _leftmost(name: cst.BaseExpression) -> cst.Name | None:
    while isinstance(name, cst.Attribute):
        name = name.value
    return name if isinstance(name, cst.Name) else None


def name_roles(node: cst.CSTNode) -> Iterator[tuple[cst.Name, int]]:
    """The `Name` children of `node` that are not plain reads, with their role (SKIP, BIND or
    WALRUS). Every other `Name` is a read of a variable."""
    if isinstance(node, cst.Attribute):
        yield node.attr, SKIP
    elif isinstance(node, cst.Arg):
        if node.keyword is not None:
            yield node.keyword, SKIP
    elif isinstance(node, cst.Param):
        yield node.name, SKIP  # bound in the function's own scope, visited from outside it
    elif isinstance(node, (cst.AssignTarget, cst.AnnAssign, cst.AugAssign, cst.For, cst.CompFor)):
        for name in target_names(node.target):
            yield name, BIND
    elif isinstance(node, cst.NamedExpr):
        if isinstance(node.target, cst.Name):
            yield node.target, WALRUS
    elif isinstance(node, cst.WithItem):
        if node.asname is not None:
            for name in target_names(node.asname.name):
                yield name, BIND
    elif isinstance(node, (cst.ExceptHandler, cst.ExceptStarHandler)):
        if node.name is not None and isinstance(node.name.name, cst.Name):
            yield node.name.name, BIND
    elif isinstance(node, cst.Del):
        for name in target_names(node.target):
            yield name, BIND
    elif isinstance(node, (cst.Import, cst.ImportFrom)):
        yield from _import_roles(node)
    elif isinstance(node, (cst.Global, cst.Nonlocal)):
        for item in node.names:
            yield item.name, SKIP
    elif isinstance(node, (cst.FunctionDef, cst.ClassDef)):
        yield node.name, BIND
    elif isinstance(node, cst.MatchKeywordElement):
        yield node.key, SKIP
    elif isinstance(node, (cst.MatchAs, cst.MatchStar)):
        if node.name is not None:
            yield node.name, BIND
    elif isinstance(node, cst.MatchMapping) and node.rest is not None:
        yield node.rest, BIND


def _import_roles(node: cst.Import | cst.ImportFrom) -> Iterator[tuple[cst.Name, int]]:
    if isinstance(node, cst.ImportFrom) and node.module is not None:
        for name in _all_names(node.module):
            yield name, SKIP
    aliases = () if isinstance(node.names, cst.ImportStar) else node.names
    for alias in aliases:
        if alias.asname is not None:
            for name in _all_names(alias.name):
                yield name, SKIP
            for name in target_names(alias.asname.name):
                yield name, BIND
        else:
            # `import a.b` binds `a` (`b` is an attribute); `from m import a` binds `a`.
            first = _leftmost(alias.name)
            if first is not None:
                yield first, BIND


# ---------------------------------------------------------------------------------------------
# Following the scopes during the engine's visit.
