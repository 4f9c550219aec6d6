"""Run a codemod over the part of a tree it can change.

`Codemod.transform_module` deep-copies the module for its metadata, then rebuilds every node of the
copy through the matcher machinery of `VisitorBasedCodemodCommand`; on a test file that costs four
to five parses, for a fix that typically replaces one call. The fixer runs every fix of a round on
the tree it has just parsed, so here a codemod runs on that tree itself, and descends only into
the nodes that hold something it handles:

- a node of a type the codemod has a `visit_<Node>` or `leave_<Node>` method for (its own, not
  LibCST's stubs), every one of them visited and left in the order a full traversal would;
- for a codemod that overrides the generic `on_visit`/`on_leave` (it may replace any node), the
  nodes it names in `nodes_to_replace()` (`NodesToReplace`), asked once `visit_Module` has run; a
  codemod of that kind that does not name them gets the full traversal.

Everything else is left as it is (the same objects, where a full traversal would have rebuilt equal
copies), so the result's code is the one `transform_module` gives. A codemod this cannot shortcut
(metadata dependencies, matcher decorators, several passes, its own `transform_module_impl`,
attribute handlers) runs through `transform_module` as before.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from functools import cache
from typing import Protocol, TypeVar, runtime_checkable

import libcst as cst
from libcst.codemod import Codemod, VisitorBasedCodemodCommand
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor
from libcst.metadata import MetadataWrapper

from hflint.analysis.nodes import TRIVIA_TYPES, child_nodes

NodeT = TypeVar("NodeT", bound=cst.CSTNode)

_DISPATCH = ("on_visit", "on_leave", "on_visit_attribute", "on_leave_attribute")
# The transforms `VisitorBasedCodemodCommand.transform_module` runs after the codemod's own when it
# asked for them (through `add_needed_import` and the like), by the scratch key each reads.
_FOLLOW_UPS: tuple[type[Codemod], ...] = (AddImportsVisitor, RemoveImportsVisitor)


@runtime_checkable
class NodesToReplace(Protocol):
    """A codemod with its own generic `on_visit`/`on_leave` that can say, once its `visit_Module`
    has run, which nodes of the tree those may replace: only their ancestors are then rebuilt."""

    def nodes_to_replace(self) -> Collection[cst.CSTNode]: ...


@dataclasses.dataclass(frozen=True)
class _Handlers:
    types: frozenset[str]  # node types with a visit_/leave_ method of the codemod's own
    generic: bool  # overrides on_visit/on_leave: may act on a node of any type
    prunable: bool  # the shortcut keeps its behaviour


def transform(codemod: Codemod, module: cst.Module) -> cst.Module:
    """What `codemod.transform_module(module)` returns, computed on `module` itself (which must
    come from the parser: no node appears twice in it) and, where the codemod allows it, without
    rebuilding the parts of the tree it handles nothing in. Raises what the codemod raises."""
    handlers = _handlers(type(codemod))
    if not handlers.prunable or not isinstance(codemod, VisitorBasedCodemodCommand):
        return codemod.transform_module(module)
    if codemod._extra_visit_funcs or codemod._extra_leave_funcs or codemod._matchers:
        return codemod.transform_module(module)  # matcher decorators see every node
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    context = codemod.context
    with codemod.resolve(wrapper):
        codemod.context = dataclasses.replace(context, wrapper=wrapper)
        try:
            result = module.visit(_Pruned(codemod, handlers))
        finally:
            codemod.context = context
    for follow_up in _FOLLOW_UPS:
        if getattr(follow_up, "CONTEXT_KEY", None) in codemod.context.scratch:
            result = follow_up(codemod.context).transform_module(result)
    if not isinstance(result, cst.Module):
        raise TypeError(f"{type(codemod).__name__} did not return a module")
    return result


@cache
def _handlers(codemod_type: type[Codemod]) -> _Handlers:
    own = [c for c in codemod_type.__mro__ if not c.__module__.startswith(("libcst", "builtins"))]
    names = {name for c in own for name in vars(c)}
    methods = {name for name in names if name.startswith(("visit_", "leave_"))}
    attribute_handlers = any(_is_attribute_handler(name) for name in methods)
    return _Handlers(
        types=frozenset(name.split("_", 1)[1] for name in methods),
        generic=any(name in names for name in ("on_visit", "on_leave")),
        prunable=(
            not attribute_handlers
            and not any(name in names for name in ("on_visit_attribute", "on_leave_attribute"))
            and "transform_module_impl" not in names
            and "transform_module" not in names
            and "should_allow_multiple_passes" not in names
            and not codemod_type.get_inherited_dependencies()
        ),
    )


def _is_attribute_handler(name: str) -> bool:
    """`visit_If_body` (a handler of one field of a node) rather than `visit_If`."""
    node_type = name.split("_", 1)[1]
    return "_" in node_type and not hasattr(cst, node_type)


class _Pruned(cst.CSTTransformer):
    """Drives `codemod` over the nodes it can act on; the others keep their original objects."""

    def __init__(self, codemod: VisitorBasedCodemodCommand, handlers: _Handlers) -> None:
        super().__init__()
        self.codemod = codemod
        self.handlers = handlers
        self.descend: set[cst.CSTNode] | None = None  # None until the module's visit has run

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self.descend is None:  # the module: its visit may plan what the codemod will replace
            visit_children = self.codemod.on_visit(node)
            self.descend = _ancestors_of_targets(node, self._targets(), self.handlers.types)
            return visit_children and node in self.descend
        handled = self.handlers.generic or type(node).__name__ in self.handlers.types
        if handled and not self.codemod.on_visit(node):
            return False
        return node in self.descend

    def on_leave(
        self, original_node: NodeT, updated_node: NodeT
    ) -> NodeT | cst.RemovalSentinel | cst.FlattenSentinel[NodeT]:
        if self.handlers.generic or type(original_node).__name__ in self.handlers.types:
            return self.codemod.on_leave(original_node, updated_node)
        return updated_node

    def _targets(self) -> Collection[cst.CSTNode] | None:
        """The nodes a generic handler may replace: none without one; None (any node) when the
        codemod does not say."""
        if not self.handlers.generic:
            return ()
        if isinstance(self.codemod, NodesToReplace):
            return set(self.codemod.nodes_to_replace())
        return None


def _ancestors_of_targets(
    root: cst.CSTNode, targets: Collection[cst.CSTNode] | None, types: frozenset[str]
) -> set[cst.CSTNode]:
    """Every node with a descendant that is in `targets` or of one of `types` (all the nodes when
    `targets` is None): the nodes a transform must descend into."""
    with_trivia = not types.isdisjoint(TRIVIA_TYPES)
    descend: set[cst.CSTNode] = set()

    def holds_one(node: cst.CSTNode) -> bool:
        """Whether `node` or a descendant is wanted; marks `node` when a descendant is."""
        found = False
        for child in child_nodes(node, with_trivia):
            found = holds_one(child) or found
        if found:
            descend.add(node)
            return True
        return targets is None or node in targets or type(node).__name__ in types

    holds_one(root)
    return descend
