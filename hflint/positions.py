"""Positions of reported nodes, computed only for files that have diagnostics.

LibCST's `PositionProvider` tracks line and column on every token of a code generation pass; that
costs about twice a parse. Here the pass only keeps a running character offset per node (one integer
addition per token) and converts the few offsets that were asked for into rows and columns at the
end. The result is the same syntactic range `PositionProvider` gives.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

import libcst as cst
from libcst._nodes.internal import CodegenState

from hflint.diagnostics import Location


@dataclass
class _OffsetTrackingState(CodegenState):
    offset: int = 0
    spans: dict[cst.CSTNode, tuple[int, int]] = field(default_factory=dict)

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.add_token(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        self.offset += len(value)

    def pop_trailing_newline(self) -> None:
        if self.tokens:
            self.offset -= len(self.tokens.pop())

    @contextmanager
    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> Iterator[None]:
        start = self.offset
        try:
            yield
        finally:
            end = self.offset
            if start_node is not None:
                start = self.spans[start_node][0]
            if end_node is not None:
                end = self.spans[end_node][1]
            self.spans[node] = (start, end)


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
    state = _OffsetTrackingState(
        default_indent=module.default_indent, default_newline=module.default_newline
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
    index = LineIndex.of("".join(state.tokens))
    ranges = {
        node: (index.location(state.spans[node][0]), index.location(state.spans[node][1]))
        for node in wanted
    }
    top = Location(1, 1)
    ranges.update((node, (top, top)) for node in nodes if isinstance(node, cst.Module))
    return ranges
