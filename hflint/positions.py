"""Positions of reported nodes, computed only for files that have diagnostics.

LibCST's `PositionProvider` tracks line and column on every token of a code generation pass; that
costs about twice a parse. Here the pass only keeps a running character offset per node (one integer
addition per token) and converts the few offsets that were asked for into rows and columns at the
end. The result is the same syntactic range `PositionProvider` gives.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Mapping
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
    module: cst.Module, nodes: Iterable[cst.CSTNode]
) -> Mapping[cst.CSTNode, tuple[Location, Location]]:
    """Start (inclusive) and end (exclusive) locations of `nodes`, all 1-based."""
    state = _OffsetTrackingState(
        default_indent=module.default_indent, default_newline=module.default_newline
    )
    module._codegen(state)
    index = LineIndex.of("".join(state.tokens))
    ranges = {}
    for node in nodes:
        start, end = state.spans[node]
        ranges[node] = (index.location(start), index.location(end))
    return ranges
