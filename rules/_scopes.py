"""The base class of HF401 and HF402: the file's scopes (`hflint.analysis.scopes`), followed during
the engine's one visit, with the role of every watched `Name`.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet

import libcst as cst

from hflint.analysis.facts import FileFacts
from hflint.analysis.nodes import iter_nodes, target_names
from hflint.analysis.scopes import SKIP, Analysis, Scope, ScopeKey, name_roles
from hflint.rule import Rule, RuleContext

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

    def __init__(self, context: RuleContext, facts: FileFacts) -> None:
        super().__init__(context, facts)
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
        analysis = self.facts.scopes
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
