"""Collecting what the task analysis follows: every call, assignment and `transformers` import of
a module with the function and class it sits in, in one pass. The engine feeds a `Collector` from
its batched visit (the `tasks` fact); `collect` walks a module for it outside the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import libcst as cst

from hflint.analysis.nodes import Handler, dotted_name, walk


@dataclass(frozen=True)
class Placement:
    """Where a node sits: its innermost function and class (identity, not equality); not to be
    confused with a name scope (`hflint.analysis.scopes.Scope`)."""

    function: cst.FunctionDef | None = None
    class_def: cst.ClassDef | None = None


@dataclass(frozen=True)
class Assignment:
    target: cst.BaseExpression
    value: cst.BaseExpression
    scope: Placement


class Collector:
    """Gathers calls, assignments and imports with their scopes, in one pass over the module."""

    # The node types (by name) whose visit and leave the collector needs fed.
    ENTERS: tuple[str, ...]
    LEAVES = ("FunctionDef", "ClassDef")

    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self.calls: list[tuple[cst.Call, Placement]] = []
        self.assignments: list[Assignment] = []
        self.pipeline_names = {"pipeline"}
        self.transformers_names = {"transformers"}
        self._functions: list[cst.FunctionDef] = []
        self._classes: list[cst.ClassDef] = []
        self._scope = Placement()

    def feed(self, visitors: dict[str, list[Handler]], leavers: dict[str, list[Handler]]) -> None:
        """Add the collector's handlers to the tables of a walk (`hflint.analysis.nodes.walk`)."""
        for node_type in self.ENTERS:
            visitors.setdefault(node_type, []).append(self.enter)
        for node_type in self.LEAVES:
            leavers.setdefault(node_type, []).append(self.leave)

    def enter(self, node: cst.CSTNode) -> None:
        handler = _ENTER.get(type(node))
        if handler is not None:
            handler(self, node)

    def leave(self, node: cst.CSTNode) -> None:
        if type(node) is cst.FunctionDef and self._functions and self._functions[-1] is node:
            self._functions.pop()
            self._rescope()
        elif type(node) is cst.ClassDef and self._classes and self._classes[-1] is node:
            self._classes.pop()
            self._rescope()

    def _call(self, node: cst.CSTNode) -> None:
        assert isinstance(node, cst.Call)
        self.calls.append((node, self._scope))

    def _assign(self, node: cst.CSTNode) -> None:
        if isinstance(node, cst.Assign):
            for target in node.targets:
                self.assignments.append(Assignment(target.target, node.value, self._scope))
        elif isinstance(node, cst.AnnAssign) and node.value is not None:
            self.assignments.append(Assignment(node.target, node.value, self._scope))

    def _function(self, node: cst.CSTNode) -> None:
        assert isinstance(node, cst.FunctionDef)
        self._functions.append(node)
        self._rescope()

    def _class(self, node: cst.CSTNode) -> None:
        assert isinstance(node, cst.ClassDef)
        self._classes.append(node)
        self._rescope()

    def _import(self, node: cst.CSTNode) -> None:
        assert isinstance(node, cst.Import)
        for alias in node.names:
            asname = alias.asname.name if alias.asname is not None else None
            if dotted_name(alias.name) == "transformers" and isinstance(asname, cst.Name):
                self.transformers_names.add(asname.value)

    def _rescope(self) -> None:
        self._scope = Placement(
            self._functions[-1] if self._functions else None,
            self._classes[-1] if self._classes else None,
        )

    def _import_from(self, node: cst.CSTNode) -> None:
        assert isinstance(node, cst.ImportFrom)
        if node.module is None or dotted_name(node.module) != "transformers":
            return
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            if isinstance(alias.name, cst.Name) and alias.name.value == "pipeline":
                bound = alias.asname.name if alias.asname is not None else alias.name
                if isinstance(bound, cst.Name):
                    self.pipeline_names.add(bound.value)


# The node types the collector looks at (the rules' batched visit feeds exactly these).
_ENTER: dict[type[cst.CSTNode], Callable[[Collector, cst.CSTNode], None]] = {
    cst.Call: Collector._call,
    cst.Assign: Collector._assign,
    cst.AnnAssign: Collector._assign,
    cst.FunctionDef: Collector._function,
    cst.ClassDef: Collector._class,
    cst.Import: Collector._import,
    cst.ImportFrom: Collector._import_from,
}
Collector.ENTERS = tuple(node_type.__name__ for node_type in _ENTER)


def collect(module: cst.Module) -> Collector:
    """A collector fed by a walk of its own, outside the engine's visit (for fixes)."""
    collector = Collector(module)
    visitors: dict[str, list[Handler]] = {}
    leavers: dict[str, list[Handler]] = {}
    collector.feed(visitors, leavers)
    walk(module, visitors, leavers)
    return collector
