"""What a test file reads of a pipeline's output, and whether that fits what another task's
pipeline returns (`hflint.task_inputs.TASK_OUTPUTS`).

A task fix changes what the pipeline returns: `fill-mask` gives a list of dicts with `token_str`,
speech recognition one dict with `text`. Code written for the old output (`outputs[:5]`,
`item["token_str"]`, `"generated_text" in outputs[0]`, `isinstance(outputs, list)`) may then fail
or report an "unexpected output format": the fix is safe only when what the file reads fits the
new output. Followed within the function that calls the pipeline: the names its result is bound
to, what is taken from them by index, key, `.get`, iteration (loops and comprehensions) and
membership tests, and what those are bound to in turn.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from hflint import task_inputs as ti
from hflint.analysis.nodes import is_get_call, iter_nodes, string_value, target_names
from hflint.analysis.tasks import PipelineCall, PipeUse

# How code reads a level of the output: by a string key, by position (an index, a slice,
# iteration), as a mapping (`.items()`, `.keys()`, `.values()`), or checks its type.
KEY = "key"
POSITION = "position"
MAPPING = "mapping"
LIST_CHECK = "list-check"
DICT_CHECK = "dict-check"
_MAPPING_METHODS = frozenset({"items", "keys", "values"})
_LIST_TYPES = frozenset({"list", "tuple"})


@dataclass(frozen=True)
class Read:
    """One way the code reads the output: at `level` (0: the output itself, 1: an item of it or
    a value of its dict...), how, and the key for a `KEY` read."""

    level: int
    how: str
    key: str | None = None


def output_reads(call: PipelineCall) -> list[Read]:
    """Every read of the output of `call`'s pipeline, in the functions that call it."""
    reads: list[Read] = []
    for use in call.uses:
        function = use.scope.function
        if function is not None:
            reads.extend(_Reader(function, use).reads())
    return reads


def fits(reads: list[Read], task: str) -> bool:
    """Whether code that reads an output in these ways can read what `task`'s pipeline returns."""
    output = ti.TASK_OUTPUTS.get(task)
    if output is None:
        return not reads
    return all(_fits(read, output) for read in reads)


def _fits(read: Read, output: ti.TaskOutput) -> bool:
    if output.layout == ti.NESTED:
        return read.how in (POSITION, LIST_CHECK)
    top = read.level == 0
    if output.layout == ti.ITEMS:
        if top:
            return read.how in (POSITION, LIST_CHECK)
        if read.level == 1:
            return read.how != KEY or read.key in output.keys
        return True
    if top:  # one mapping
        return read.how in (MAPPING, DICT_CHECK) or (read.how == KEY and read.key in output.keys)
    return True


class _Reader:
    """The reads of one use's output inside one function."""

    def __init__(self, function: cst.FunctionDef, use: PipeUse) -> None:
        self.nodes = list(iter_nodes(function.body))
        self.use = use
        self.levels: dict[str, int] = {}
        for _ in range(4):  # names bound from names bound from the output...: a few rounds
            if not self._bind():
                break

    def _bind(self) -> bool:
        changed = False
        for node in self.nodes:
            for target, value, step in _bindings(node):
                level = self.level(value)
                if level is None:
                    continue
                for name in target_names(target):
                    if self.levels.get(name.value) != level + step:
                        self.levels[name.value] = level + step
                        changed = True
        return changed

    def level(self, node: cst.BaseExpression) -> int | None:
        """How deep in the output `node` is (0: the output itself), None when it is not part of
        it."""
        if node is self.use.node:
            return 0
        if isinstance(node, cst.Name):
            return self.levels.get(node.value)
        if isinstance(node, cst.Subscript):
            level = self.level(node.value)
            if level is None:
                return None
            return level if _is_slice(node) else level + 1
        if is_get_call(node):
            assert isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
            level = self.level(node.func.value)
            return None if level is None else level + 1
        return None

    def reads(self) -> Iterator[Read]:
        for node in self.nodes:
            yield from self._read(node)

    def _read(self, node: cst.CSTNode) -> Iterator[Read]:
        if isinstance(node, cst.Subscript):
            level = self.level(node.value)
            if level is not None:
                key = _key(node)
                yield Read(level, KEY, key) if key is not None else Read(level, POSITION)
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            level = self.level(node.func.value)
            method = node.func.attr.value
            if level is not None and method == "get" and node.args:
                yield Read(level, KEY, string_value(node.args[0].value))
            elif level is not None and method in _MAPPING_METHODS:
                yield Read(level, MAPPING)
        elif isinstance(node, cst.Call) and _is_name(node.func, "isinstance") and node.args:
            level = self.level(node.args[0].value)
            types = _type_names(node.args[1].value) if len(node.args) > 1 else set()
            if level is not None and types & _LIST_TYPES:
                yield Read(level, LIST_CHECK)
            elif level is not None and "dict" in types:
                yield Read(level, DICT_CHECK)
        elif isinstance(node, (cst.For, cst.CompFor)):
            level = self.level(node.iter)
            if level is not None:
                yield Read(level, POSITION)
        elif isinstance(node, cst.Comparison):
            for target in node.comparisons:
                if isinstance(target.operator, (cst.In, cst.NotIn)):
                    level = self.level(target.comparator)
                    key = string_value(node.left)
                    if level is not None and key is not None:
                        yield Read(level, KEY, key)


def _bindings(node: cst.CSTNode) -> Iterator[tuple[cst.BaseExpression, cst.BaseExpression, int]]:
    """(target, value, how many levels deeper the target is than the value) for the bindings a
    node makes: assignments (0), loops and comprehensions over the value (1)."""
    if isinstance(node, cst.Assign):
        for target in node.targets:
            yield target.target, node.value, 0
    elif isinstance(node, (cst.AnnAssign, cst.NamedExpr)) and node.value is not None:
        yield node.target, node.value, 0
    elif isinstance(node, (cst.For, cst.CompFor)):
        yield node.target, node.iter, 1


def _is_slice(node: cst.Subscript) -> bool:
    return len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Slice)


def _key(node: cst.Subscript) -> str | None:
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return None
    return string_value(node.slice[0].slice.value)


def _is_name(node: cst.BaseExpression, value: str) -> bool:
    return isinstance(node, cst.Name) and node.value == value


def _type_names(node: cst.BaseExpression) -> set[str]:
    if isinstance(node, cst.Name):
        return {node.value}
    if isinstance(node, cst.Tuple):
        return {e.value.value for e in node.elements if isinstance(e.value, cst.Name)}
    return set()
