"""Positions of reported nodes, computed only for files that have diagnostics.

LibCST's `PositionProvider` tracks line and column on every token of a code generation pass, and
records every node; that costs about twice a parse. Here the pass records only the nodes asked for
(and their children, which a node's range may be hoisted from), as indices into the token list; the
indices become character offsets, then rows and columns, once at the end. The result is the same
syntactic range `PositionProvider` gives.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from types import TracebackType

import libcst as cst
from libcst._nodes.internal import CodegenState

from hflint.analysis.nodes import iter_nodes
from hflint.diagnostics import Location


class _Recording:
    """Records a node's token span on exit (a plain class: a generator-based context manager per
    node would cost more than the code generation itself)."""

    __slots__ = ("end_node", "node", "start", "start_node", "state")

    def __init__(
        self,
        state: _SpanRecordingState,
        node: cst.CSTNode,
        start_node: cst.CSTNode | None,
        end_node: cst.CSTNode | None,
    ) -> None:
        self.state, self.node, self.start_node, self.end_node = state, node, start_node, end_node
        self.start = len(state.tokens)

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        spans = self.state.spans
        start = spans[self.start_node][0] if self.start_node is not None else self.start
        end = spans[self.end_node][1] if self.end_node is not None else len(self.state.tokens)
        spans[self.node] = (start, end)


class _Skip:
    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


_SKIP = _Skip()


@dataclass
class _PlainState(CodegenState):
    """Code generation with no position bookkeeping at all."""

    def record_syntactic_position(  # type: ignore[override]
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> _Skip:
        return _SKIP


def module_code(module: cst.Module) -> str:
    """`module.code`, a third faster: LibCST's own state enters a generator-based context manager
    per node to offer positions nobody asked for here."""
    state = _PlainState(
        default_indent=module.default_indent, default_newline=module.default_newline
    )
    module._codegen(state)
    return "".join(state.tokens)


@dataclass
class _SpanRecordingState(CodegenState):
    watched: frozenset[cst.CSTNode] = frozenset()
    spans: dict[cst.CSTNode, tuple[int, int]] = field(default_factory=dict)
    starts: dict[cst.CSTNode, int] = field(default_factory=dict)

    def before_codegen(self, node: cst.CSTNode) -> None:
        if node in self.watched:
            self.starts[node] = len(self.tokens)

    def after_codegen(self, node: cst.CSTNode) -> None:
        # Nodes with no syntactic range of their own (brackets, whitespace) get their whole text.
        if node in self.watched and node not in self.spans:
            self.spans[node] = (self.starts[node], len(self.tokens))

    def record_syntactic_position(  # type: ignore[override]
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> _Recording | _Skip:
        if node in self.watched:
            return _Recording(self, node, start_node, end_node)
        return _SKIP


@dataclass(frozen=True)
class LineIndex:
    """Converts character offsets of a text into 1-based (row, column)."""

    line_starts: list[int]

    @classmethod
    def of(cls, text: str) -> LineIndex:
        starts = [0]
        newline = text.find("\n")
        while newline != -1:
            starts.append(newline + 1)
            newline = text.find("\n", newline + 1)
        return cls(starts)

    def location(self, offset: int) -> Location:
        row = bisect.bisect_right(self.line_starts, offset)
        return Location(row, offset - self.line_starts[row - 1] + 1)


def node_ranges(
    module: cst.Module, nodes: Collection[cst.CSTNode]
) -> Mapping[cst.CSTNode, tuple[Location, Location]]:
    """Start (inclusive) and end (exclusive) locations of `nodes`, all 1-based.

    Code generation stops after the last top-level statement holding a wanted node: what follows
    cannot move what comes before it.
    """
    wanted = {node for node in nodes if not isinstance(node, cst.Module)}
    # A node's range may be hoisted from a descendant's (a block's from its first statement's,
    # a statement line's from its last small statement's): watch whole subtrees.
    watched = frozenset(n for node in wanted for n in iter_nodes(node, with_trivia=True))
    state = _SpanRecordingState(
        default_indent=module.default_indent,
        default_newline=module.default_newline,
        watched=watched,
    )
    # The same steps as `Module._codegen_impl`, one statement at a time.
    for line in module.header:
        line._codegen(state)
    for statement in module.body:
        if wanted.issubset(state.spans):
            break
        statement._codegen(state)
    else:
        for line in module.footer:
            line._codegen(state)
    offsets = [0, *itertools.accumulate(map(len, state.tokens))]
    index = LineIndex.of("".join(state.tokens))
    ranges = {
        node: (
            index.location(offsets[state.spans[node][0]]),
            index.location(offsets[state.spans[node][1]]),
        )
        for node in wanted
    }
    top = Location(1, 1)
    ranges.update((node, (top, top)) for node in nodes if isinstance(node, cst.Module))
    return ranges
