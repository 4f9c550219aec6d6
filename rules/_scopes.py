"""What HF401 and HF402 share: the file's scopes, computed by the standard library's `symtable`
(C speed, on the source text), followed during the engine's one visit.

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
from collections.abc import Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import libcst as cst

from hflint.cstwalk import iter_nodes
from hflint.rule import Rule, RuleContext

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


@lru_cache(maxsize=4)
def analyse(source: str) -> Analysis | None:
    """The file's scopes, or None when CPython does not accept the source (LibCST may)."""
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


def target_names(target: cst.BaseExpression) -> Iterator[cst.Name]:
    """The names an assignment target binds (`a`, `a, (b, *c)`); none for `x.attr` or `x[i]`."""
    if isinstance(target, cst.Name):
        yield target
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from target_names(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from target_names(target.value)


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
# ---------------------------------------------------------------------------------------------

_NESTED = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp, cst.Lambda)


class Frame:
    """A scope as the visit is inside it."""

    __slots__ = ("block", "comprehension_targets", "node", "reported", "scope", "watched")

    def __init__(
        self,
        node: cst.CSTNode,
        scope: Scope | None,
        block: cst.CSTNode | None,
        watched: AbstractSet[str],
    ) -> None:
        self.node = node
        self.scope = scope  # None: no matching symtable scope, so nothing is known
        self.block = block  # the body whose leaving ends the scope (None: the node's own leave)
        # The names bound by each comprehension of this scope that the visit is inside.
        self.comprehension_targets: list[frozenset[str]] = []
        # The names the rule cares about in this scope (a rule may drop names as it settles them).
        self.watched = watched
        self.reported: set[str] = set()


class ScopedRule(Rule):
    """Base class of rules about names: follows scopes and the role of every watched `Name`.

    Subclasses say which names they watch in a scope (`watched_names`) and get every `Name` node
    with one of those names through `name_seen(node, role)`, with role None for a read. Handlers
    return at once for other names, so a file with nothing to watch costs a few calls per node.
    """

    def __init__(self, context: RuleContext, metadata: Mapping[Any, Mapping[Any, Any]]) -> None:
        super().__init__(context, metadata)
        self.analysis: Analysis | None = None
        self.frames: list[Frame] = []
        self._watched: AbstractSet[str] = frozenset()
        self._roles: dict[int, int] = {}
        self._handled: set[int] = set()
        self._pending: dict[int, tuple[cst.CSTNode, Scope | None]] = {}
        self._taken: dict[tuple[int, ScopeKey], int] = {}

    # Hooks for subclasses.

    def watched_names(self, scope: Scope) -> AbstractSet[str]:
        raise NotImplementedError

    def name_seen(self, node: cst.Name, role: int | None) -> None:
        raise NotImplementedError

    def scope_entered(self, frame: Frame) -> None:
        pass

    def scope_left(self, frame: Frame) -> None:
        pass

    def finish(self) -> None:
        pass

    # Scopes.

    @property
    def frame(self) -> Frame:
        return self.frames[-1]

    def visit_Module(self, node: cst.Module) -> None:
        source = self.context.source
        analysis = analyse(source) if source or not node.body else None
        if analysis is None:
            return
        self.analysis = analysis
        self._push(Frame(node, analysis.module, None, self.watched_names(analysis.module)))

    def leave_Module(self, original_node: cst.Module) -> None:
        if self.analysis is not None:
            self.finish()

    def _push(self, frame: Frame) -> None:
        self.frames.append(frame)
        self._watched = frame.watched
        self.scope_entered(frame)

    def _pop(self) -> None:
        frame = self.frames.pop()
        self._watched = self.frames[-1].watched if self.frames else frozenset()
        self.scope_left(frame)

    def _child(self, key: ScopeKey) -> Scope | None:
        parent = self.frame.scope
        if parent is None:
            return None
        candidates = parent.children.get(key, ())
        index = self._taken.get((id(parent), key), 0)
        self._taken[(id(parent), key)] = index + 1
        return candidates[index] if index < len(candidates) else None

    def _frame_for(
        self, node: cst.CSTNode, scope: Scope | None, block: cst.CSTNode | None
    ) -> Frame:
        watched: AbstractSet[str] = frozenset() if scope is None else self.watched_names(scope)
        return Frame(node, scope, block, watched)

    def _definition(self, node: cst.FunctionDef | cst.ClassDef, kind: str) -> None:
        if not self.frames:
            return
        self._note(node)
        # Decorators, defaults and base classes belong to the enclosing scope: the new scope
        # starts with the body.
        self._pending[id(node.body)] = (node, self._child((kind, node.name.value)))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._definition(node, "function")

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._definition(node, "class")

    def _enter_body(self, node: cst.BaseSuite) -> None:
        entry = self._pending.pop(id(node), None) if self._pending else None
        if entry is not None:
            self._push(self._frame_for(entry[0], entry[1], node))

    def _leave_body(self, node: cst.BaseSuite) -> None:
        if self.frames and self.frame.block is node:
            self._pop()

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._enter_body(node)

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock) -> None:
        self._leave_body(original_node)

    def visit_SimpleStatementSuite(self, node: cst.SimpleStatementSuite) -> None:
        self._enter_body(node)

    def leave_SimpleStatementSuite(self, original_node: cst.SimpleStatementSuite) -> None:
        self._leave_body(original_node)

    def visit_Lambda(self, node: cst.Lambda) -> None:
        if self.frames:
            self._push(self._frame_for(node, self._child(("function", "lambda")), None))

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        if self.frames and self.frame.node is original_node:
            self._pop()

    def _enter_comprehension(self, node: cst.BaseComp) -> None:
        if self.frames:
            targets: frozenset[str] = frozenset()
            if self._watched:
                names: list[str] = []
                for_in: cst.CompFor | None = node.for_in
                while for_in is not None:
                    names.extend(name.value for name in target_names(for_in.target))
                    for_in = for_in.inner_for_in
                targets = frozenset(names)
            self.frame.comprehension_targets.append(targets)

    def _leave_comprehension(self) -> None:
        if self.frames:
            self.frame.comprehension_targets.pop()

    def in_comprehension_target(self, name: str) -> bool:
        """Whether `name` is a variable of a comprehension the visit is inside."""
        return any(name in targets for targets in self.frame.comprehension_targets)

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._enter_comprehension(node)

    def leave_ListComp(self, original_node: cst.ListComp) -> None:
        self._leave_comprehension()

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self._enter_comprehension(node)

    def leave_SetComp(self, original_node: cst.SetComp) -> None:
        self._leave_comprehension()

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._enter_comprehension(node)

    def leave_DictComp(self, original_node: cst.DictComp) -> None:
        self._leave_comprehension()

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._enter_comprehension(node)

    def leave_GeneratorExp(self, original_node: cst.GeneratorExp) -> None:
        self._leave_comprehension()

    # Roles of names, noted on the parent before the visit reaches the Name.

    def _note(self, node: cst.CSTNode) -> None:
        watched = self._watched
        if watched:
            for name, role in name_roles(node):
                if name.value in watched:
                    self._roles[id(name)] = role

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value in self._watched:
            self._roles[id(node.attr)] = SKIP

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None and node.keyword.value in self._watched:
            self._roles[id(node.keyword)] = SKIP

    def visit_Param(self, node: cst.Param) -> None:
        if node.name.value in self._watched:
            self._roles[id(node.name)] = SKIP

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._note(node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._note(node)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._note(node)

    def visit_For(self, node: cst.For) -> None:
        self._note(node)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._note(node)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        self._note(node)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._note(node)

    def visit_Del(self, node: cst.Del) -> None:
        self._note(node)

    def visit_Import(self, node: cst.Import) -> None:
        self._note(node)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self._note(node)

    def visit_Global(self, node: cst.Global) -> None:
        self._note(node)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self._note(node)

    def visit_MatchKeywordElement(self, node: cst.MatchKeywordElement) -> None:
        self._note(node)

    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        self._note(node)

    def visit_MatchStar(self, node: cst.MatchStar) -> None:
        self._note(node)

    def visit_MatchMapping(self, node: cst.MatchMapping) -> None:
        self._note(node)

    def _except_clause(self, node: cst.ExceptHandler | cst.ExceptStarHandler) -> None:
        # LibCST's fields put the handler's body before its `type` and `as` name; Python evaluates
        # them first, so they are taken now, ahead of the body.
        if not self._watched:
            return
        self._note(node)
        parts = [node.type, node.name]
        for part in parts:
            if part is None:
                continue
            for child in iter_nodes(part, prune=lambda n: isinstance(n, _NESTED)):
                if isinstance(child, cst.Name):
                    self.visit_Name(child)
                    self._handled.add(id(child))
                elif not isinstance(child, _NESTED):
                    # Expression handlers only note roles and uses: seeing a node twice is harmless.
                    handler = getattr(self, f"visit_{type(child).__name__}", None)
                    if handler is not None:
                        handler(child)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        self._except_clause(node)

    def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> None:
        self._except_clause(node)

    def visit_Name(self, node: cst.Name) -> None:
        if node.value not in self._watched:
            return
        key = id(node)
        if key in self._handled:
            return
        self.name_seen(node, self._roles.get(key))
