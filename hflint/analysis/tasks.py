"""Which task each `transformers.pipeline(...)` call of a test file builds, and what it is fed.

One analysis per module, shared by the pipeline-task rules (HF201-HF205) and their fixes. A call's
task is followed through every form test files use: a literal (`pipeline("fill-mask")`,
`pipeline(task="fill-mask")`), a module constant or local variable (`TASK = "fill-mask"`), an
instance attribute assigned anywhere in the class (`self.task = "fill-mask"`), and a registry entry
(`<X>_MODELS_REGISTRY[model_id]["task"]`, `.get(...)`, also through `self.model_info =
REGISTRY.get(...)`), and the `"task"` entry of a dict the call unpacks (`pipeline(**kwargs)`). A
name is transformers' `pipeline` only where it is: a local holding a pipeline object (`pipeline =
transformers.pipeline(...)`, then `pipeline(text)`) calls that pipeline. What cannot be evaluated
statically (a parameter, a function's result) is `UNRESOLVED`, never guessed. The pipeline object's
uses (`pipe = pipeline(...)`, then `pipe(x)`, or `self.pipe`) are found too, with what kind of input
each passes (text, image, audio...).

The engine feeds one `task_collect.Collector` per file from its single batched visit when a rule asks
for the `tasks` fact (`hflint.analysis.facts`); fixes, which run outside the engine, call
`analyze(module)`. What the catalog says of a task is in `task_policy`; planning a task fix, in
`hflint.edits.tasks`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import libcst as cst

from hflint.analysis.input_kinds import classify
from hflint.analysis.nodes import dict_literal_entries, parameter_names, string_value
from hflint.analysis.task_collect import Assignment, Collector, Placement, collect

REGISTRY_NAME = re.compile(r"^[A-Z0-9_]*REGISTRY[A-Z0-9_]*$")
# Keyword names pipelines take their main input under, when it is not passed positionally.
INPUT_KEYWORDS = ("inputs", "images", "image", "audios", "sequences", "text_inputs")

# How a call gives its task.
MISSING = "missing"  # no task argument, or None
STATED = "stated"  # a literal, or a module constant or local variable that holds one
INDIRECT = "indirect"  # through an instance attribute or a registry lookup
UNRESOLVED = "unresolved"  # an expression hflint cannot evaluate statically

TaskLiteral = cst.SimpleString | cst.ConcatenatedString


@dataclass(frozen=True)
class Terminal:
    """An expression a value may end up as, with the scope it is written in."""

    node: cst.BaseExpression
    scope: Placement


@dataclass(frozen=True)
class TaskValue:
    """What a call's task argument evaluates to."""

    how: str
    # The distinct tasks it may be, as written, in source order.
    tasks: tuple[str, ...] = ()
    # The literals those values come from (in the call, a constant, `self.task = ...`, a registry).
    sources: tuple[TaskLiteral, ...] = ()

    @property
    def single(self) -> str | None:
        return self.tasks[0] if len(self.tasks) == 1 else None


@dataclass
class PipeUse:
    """A call of a pipeline object: `pipe(x, ...)`."""

    node: cst.Call
    scope: Placement

    @property
    def input(self) -> cst.Arg | None:
        """The main input: the first positional argument, else a known input keyword."""
        for arg in self.node.args:
            if arg.keyword is None and arg.star == "":
                return arg
            break
        for arg in self.node.args:
            if arg.keyword is not None and arg.keyword.value in INPUT_KEYWORDS:
                return arg
        return None

    @property
    def keywords(self) -> list[str]:
        return [arg.keyword.value for arg in self.node.args if arg.keyword is not None]


@dataclass
class PipelineCall:
    """A `pipeline(...)` call, its task and the uses of the pipeline it builds."""

    node: cst.Call
    scope: Placement
    # Where the call's task is written: its task argument's value, else the values of the `"task"`
    # key of the dicts it unpacks (`pipeline(**kwargs)`); empty when it has no task anywhere.
    task_written: tuple[cst.BaseExpression, ...]
    task: TaskValue
    # What holds the pipeline (`pipe`, `self.pipe`), when it is assigned.
    binding: cst.BaseExpression | None = None
    uses: list[PipeUse] = field(default_factory=list)


@dataclass(frozen=True)
class Declaration:
    """A task the file declares besides its calls: registry entries, or `self.task` in a class."""

    origin: str  # `BERT_MODELS_REGISTRY` or `self.task`
    tasks: tuple[str, ...]
    sources: tuple[TaskLiteral, ...]


def analyze(module: cst.Module) -> TaskAnalysis:
    """The analysis of a module, outside the engine's visit (for fixes)."""
    return TaskAnalysis(collect(module))


class TaskAnalysis:
    """The pipeline calls of a module, their tasks and uses, and the tasks the file declares."""

    def __init__(self, collector: Collector) -> None:
        self.module = collector.module
        self._collector = collector
        self._locals: dict[tuple[cst.FunctionDef, str], list[Assignment]] = {}
        self._module_names: dict[str, list[Assignment]] = {}
        self._attributes: dict[tuple[cst.ClassDef, str], list[Assignment]] = {}
        for assignment in collector.assignments:
            self._index(assignment)
        self.calls = self._pipeline_calls()
        self.registries = self._registries()

    @property
    def every_call(self) -> list[tuple[cst.Call, Placement]]:
        """Every call of the module, with where it sits (`calls` holds the pipeline calls)."""
        return self._collector.calls

    # --- indexing -------------------------------------------------------------------------------

    def _index(self, assignment: Assignment) -> None:
        target, scope = assignment.target, assignment.scope
        if isinstance(target, cst.Name):
            if scope.function is not None:
                self._locals.setdefault((scope.function, target.value), []).append(assignment)
            elif scope.class_def is not None:
                key = (scope.class_def, target.value)
                self._attributes.setdefault(key, []).append(assignment)
            else:
                self._module_names.setdefault(target.value, []).append(assignment)
        elif _is_self_attribute(target) and scope.class_def is not None:
            assert isinstance(target, cst.Attribute)
            key = (scope.class_def, target.attr.value)
            self._attributes.setdefault(key, []).append(assignment)

    def _is_pipeline_call(self, call: cst.Call, scope: Placement) -> bool:
        func = call.func
        if isinstance(func, cst.Name):
            return self._names_factory(func.value, scope)
        return self._is_factory_attribute(func)

    def _is_factory_attribute(self, node: cst.BaseExpression) -> bool:
        """`transformers.pipeline`, through any alias of `transformers`."""
        return (
            isinstance(node, cst.Attribute)
            and node.attr.value == "pipeline"
            and isinstance(node.value, cst.Name)
            and node.value.value in self._collector.transformers_names
        )

    def _names_factory(self, name: str, scope: Placement) -> bool:
        """Whether `name`, read where `scope` is, is transformers' `pipeline` function: a name the
        file imports it as (or the bare `pipeline`) that the function does not hold a pipeline
        object in (a parameter, or a local assigned anything but the function itself) and that no
        module-level assignment binds to a pipeline object. `pipeline = transformers.pipeline(...)`
        then `pipeline(text)` calls the pipeline, not transformers."""
        if name not in self._collector.pipeline_names:
            return False
        function = scope.function
        if function is None:
            return True
        if name in parameter_names(function):
            return False
        local = self._locals.get((function, name))
        if local:
            return all(self._is_factory_attribute(a.value) for a in local)
        return not any(
            isinstance(a.value, cst.Call)
            and (self._is_factory_attribute(a.value.func) or _is_name(a.value.func, name))
            for a in self._module_names.get(name, ())
        )

    def _pipeline_calls(self) -> list[PipelineCall]:
        calls = []
        for node, scope in self._collector.calls:
            if self._is_pipeline_call(node, scope):
                written = self.task_written(node, scope)
                calls.append(PipelineCall(node, scope, written or (), self._task(written, scope)))
        by_node = {id(call.node): call for call in calls}
        holders: dict[tuple[object, ...], PipelineCall] = {}
        for assignment in self._collector.assignments:
            call = by_node.get(id(assignment.value))
            key = _holder_key(assignment.target, assignment.scope)
            if call is not None and key is not None:
                call.binding = assignment.target
                holders[key] = call
        for node, scope in self._collector.calls:
            direct = by_node.get(id(node.func))
            if direct is not None:
                direct.uses.append(PipeUse(node, scope))
                continue
            owner = self._holder(holders, node.func, scope)
            if owner is not None:
                owner.uses.append(PipeUse(node, scope))
        return calls

    def _holder(
        self,
        holders: dict[tuple[object, ...], PipelineCall],
        func: cst.BaseExpression,
        scope: Placement,
    ) -> PipelineCall | None:
        """The pipeline `func` names: a local, `self.<attr>`, or a module-level name used in a
        function that does not rebind it."""
        key = _holder_key(func, scope)
        owner = holders.get(key) if key is not None else None
        if (
            owner is None
            and isinstance(func, cst.Name)
            and scope.function is not None
            and (scope.function, func.value) not in self._locals
        ):
            owner = holders.get(("name", None, func.value))
        return owner

    def _registries(self) -> list[Declaration]:
        found = []
        for name, assignments in self._module_names.items():
            if not REGISTRY_NAME.match(name):
                continue
            tasks: list[str] = []
            sources: list[TaskLiteral] = []
            for assignment in assignments:
                if not isinstance(assignment.value, cst.Dict):
                    continue
                for entry in assignment.value.elements:
                    if isinstance(entry, cst.DictElement) and isinstance(entry.value, cst.Dict):
                        task = _element(entry.value, "task")
                        if task is not None:
                            self._strings(task, assignment.scope, tasks, sources)
            if sources:
                found.append(Declaration(name, tuple(dict.fromkeys(tasks)), tuple(sources)))
        return found

    def _strings(
        self,
        node: cst.BaseExpression,
        scope: Placement,
        tasks: list[str],
        sources: list[TaskLiteral],
    ) -> None:
        for terminal in self.follow(node, scope) or ():
            value = string_value(terminal.node)
            if value is not None:
                assert isinstance(terminal.node, (cst.SimpleString, cst.ConcatenatedString))
                tasks.append(value)
                sources.append(terminal.node)

    # --- following values -------------------------------------------------------------------------

    def follow(
        self, node: cst.BaseExpression, scope: Placement, via: set[str] | None = None
    ) -> list[Terminal] | None:
        """The expressions `node` may evaluate to, following names, `self` attributes, dict
        lookups and `or`/`if` alternatives; None when one of them cannot be followed. `via`
        collects how: `local`, `constant`, `attribute`, `registry`."""
        return self._follow(node, scope, set() if via is None else via, frozenset())

    def _follow(
        self, node: cst.BaseExpression, scope: Placement, via: set[str], seen: frozenset[int]
    ) -> list[Terminal] | None:
        if id(node) in seen or len(seen) > 24:
            return None
        seen = seen | {id(node)}
        if isinstance(node, cst.Name):
            if node.value == "None":
                return [Terminal(node, scope)]
            found = self._name_values(node.value, scope)
            if found is None:
                return None
            kind, assignments = found
            via.add(kind)
            return self._union(((a.value, a.scope) for a in assignments), via, seen)
        if _is_self_attribute(node) and scope.class_def is not None:
            assert isinstance(node, cst.Attribute)
            held = self._attributes.get((scope.class_def, node.attr.value))
            if not held:
                return None
            via.add("attribute")
            return self._union(((a.value, a.scope) for a in held), via, seen)
        if isinstance(node, cst.Subscript):
            key = _subscript_key(node)
            if key is _UNUSABLE:
                return None
            containers = self._follow(node.value, scope, via, seen)
            return self._lookup(containers, key, None, via, seen)
        if _is_get_call(node):
            assert isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
            key = string_value(node.args[0].value) if node.args else None
            default = node.args[1].value if len(node.args) > 1 else cst.Name("None")
            containers = self._follow(node.func.value, scope, via, seen)
            return self._lookup(containers, key, (default, scope), via, seen)
        if isinstance(node, cst.BooleanOperation):
            return self._union(((node.left, scope), (node.right, scope)), via, seen)
        if isinstance(node, cst.IfExp):
            return self._union(((node.body, scope), (node.orelse, scope)), via, seen)
        return [Terminal(node, scope)]

    def _union(
        self,
        values: Iterable[tuple[cst.BaseExpression, Placement]],
        via: set[str],
        seen: frozenset[int],
    ) -> list[Terminal] | None:
        result: list[Terminal] = []
        for value, scope in values:
            terminals = self._follow(value, scope, via, seen)
            if terminals is None:
                return None
            result.extend(terminals)
        return result

    def _lookup(
        self,
        containers: list[Terminal] | None,
        key: str | object | None,
        default: tuple[cst.BaseExpression, Placement] | None,
        via: set[str],
        seen: frozenset[int],
    ) -> list[Terminal] | None:
        """`container[key]` (or `.get(key, default)`) for each container; key None: any key."""
        if containers is None:
            return None
        values: list[tuple[cst.BaseExpression, Placement]] = []
        for container in containers:
            if _is_none(container.node):
                continue
            if not isinstance(container.node, cst.Dict):
                return None
            elements = [e for e in container.node.elements if isinstance(e, cst.DictElement)]
            if key is None:
                via.add("registry")
                values.extend((e.value, container.scope) for e in elements)
                if default is not None:
                    values.append(default)
                continue
            matching = [e.value for e in elements if string_value(e.key) == key]
            if matching:
                values.extend((value, container.scope) for value in matching)
            elif default is not None:
                values.append(default)
        return self._union(values, via, seen)

    def _name_values(self, name: str, scope: Placement) -> tuple[str, list[Assignment]] | None:
        function = scope.function
        if function is not None:
            if name in parameter_names(function):
                return None
            local = self._locals.get((function, name))
            if local:
                return "local", local
        module_level = self._module_names.get(name)
        return ("constant", module_level) if module_level else None

    # --- tasks ---------------------------------------------------------------------------------

    def task_written(
        self, call: cst.Call, scope: Placement
    ) -> tuple[cst.BaseExpression, ...] | None:
        """Where the task of a `pipeline(...)` call is written (`PipelineCall.task_written`); None
        when it cannot be known: a `*args`, or a `**kwargs` whose dict cannot be followed to its
        literal (a parameter, a copy) or is changed in ways not followed (`kwargs.update(...)`,
        `kwargs[key] = ...`)."""
        arg = task_argument(call)
        if arg is not None:
            return (arg.value,)
        written: list[cst.BaseExpression] = []
        for arg in call.args:
            if arg.star == "*":
                return None
            if arg.star == "**":
                values = self.dict_entries(arg.value, scope, "task")
                if values is None:
                    return None
                written.extend(values)
        return tuple(written)

    def dict_entries(
        self, node: cst.BaseExpression, scope: Placement, key: str
    ) -> list[cst.BaseExpression] | None:
        """The values the dict `node` holds (or may hold) under `key`: its literal's entries (a
        `{...}` or `dict(...)`) and the `node[key] = value` assignments to what holds it (a local
        or `self.<attr>`); None when that cannot be known statically."""
        terminals = self.follow(node, scope)
        if terminals is None:
            return None
        values: list[cst.BaseExpression] = []
        for terminal in terminals:
            entries = dict_literal_entries(terminal.node)
            if entries is None:
                return None
            values.extend(value for name, value in entries if name == key)
        holder = _holder_key(node, scope)
        if holder is None:
            return values if isinstance(node, cst.Dict) else None
        for assignment in self._collector.assignments:
            target = assignment.target
            if (
                isinstance(target, cst.Subscript)
                and _holder_key(target.value, assignment.scope) == holder
            ):
                written = _subscript_key(target)
                if not isinstance(written, str):
                    return None
                if written == key:
                    values.append(assignment.value)
        for call, where in self._collector.calls:
            func = call.func
            if (
                isinstance(func, cst.Attribute)
                and func.attr.value not in _READING_METHODS
                and _holder_key(func.value, where) == holder
            ):
                return None  # `kwargs.update(...)`, `kwargs.pop(...)`: not followed
        return values

    def _task(self, written: tuple[cst.BaseExpression, ...] | None, scope: Placement) -> TaskValue:
        if written is None:
            return TaskValue(UNRESOLVED)
        via: set[str] = set()
        terminals: list[Terminal] = []
        for expression in written:
            found = self.follow(expression, scope, via)
            if found is None:
                return TaskValue(UNRESOLVED)
            terminals.extend(found)
        tasks: list[str] = []
        sources: list[TaskLiteral] = []
        for terminal in terminals:
            if _is_none(terminal.node):
                continue  # `.get("task")` of an unregistered model id: the registry's values count
            value = string_value(terminal.node)
            if value is None:
                return TaskValue(UNRESOLVED)
            assert isinstance(terminal.node, (cst.SimpleString, cst.ConcatenatedString))
            tasks.append(value)
            sources.append(terminal.node)
        if not tasks:
            return TaskValue(MISSING)
        how = STATED if via <= {"local", "constant"} else INDIRECT
        return TaskValue(how, tuple(dict.fromkeys(tasks)), tuple(sources))

    def declarations(self, call: PipelineCall) -> list[Declaration]:
        """Tasks the file declares that the call's own task does not come from: its registries,
        and `self.task` in the call's class."""
        found = list(self.registries)
        if call.scope.class_def is not None:
            found.extend(self._task_attribute(call.scope.class_def))
        own = set(call.task.sources)
        return [d for d in found if not own.intersection(d.sources)]

    def all_declarations(self) -> list[Declaration]:
        """The registries, and `self.task` in every class."""
        found = list(self.registries)
        classes = dict.fromkeys(
            owner for owner, attribute in self._attributes if attribute == "task"
        )
        for class_def in classes:
            found.extend(self._task_attribute(class_def))
        return found

    def _task_attribute(self, class_def: cst.ClassDef) -> list[Declaration]:
        tasks: list[str] = []
        sources: list[TaskLiteral] = []
        for assignment in self._attributes.get((class_def, "task"), ()):
            self._strings(assignment.value, assignment.scope, tasks, sources)
        return (
            [Declaration("self.task", tuple(dict.fromkeys(tasks)), tuple(sources))]
            if sources
            else []
        )

    # --- inputs --------------------------------------------------------------------------------

    def input_kind(self, node: cst.BaseExpression, scope: Placement) -> tuple[str | None, bool]:
        """What an input is (text, location, image, audio, array; None if unknown) and, for text,
        whether it carries a mask token."""
        terminals = self.follow(node, scope)
        if not terminals:
            return None, False
        kinds = [classify(terminal.node) for terminal in terminals]
        first = kinds[0]
        if first[0] is None or any(kind[0] != first[0] for kind in kinds):
            return None, False
        return first[0], all(kind[1] for kind in kinds)

    def class_inputs(self, class_def: cst.ClassDef) -> Iterator[tuple[str, str, bool]]:
        """(attribute, kind, masked) for the attributes `__init__` sets to a known kind of input."""
        for (owner, attribute), assignments in self._attributes.items():
            if owner is not class_def:
                continue
            if not any(_in_init(a) for a in assignments):
                continue
            kind, masked = self.input_kind(
                cst.Attribute(cst.Name("self"), cst.Name(attribute)), Placement(None, class_def)
            )
            if kind is not None:
                yield attribute, kind, masked


# --- small helpers ----------------------------------------------------------------------------------


def task_argument(call: cst.Call) -> cst.Arg | None:
    """`pipeline(task=...)` or the first positional argument."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "task":
            return arg
    if call.args and call.args[0].keyword is None and call.args[0].star == "":
        return call.args[0]
    return None


# Dict methods that leave the dict as it was.
_READING_METHODS = frozenset({"get", "items", "keys", "values", "copy"})


def _is_name(node: cst.CSTNode, value: str) -> bool:
    return isinstance(node, cst.Name) and node.value == value


def _is_self_attribute(node: cst.CSTNode) -> bool:
    return (
        isinstance(node, cst.Attribute)
        and isinstance(node.value, cst.Name)
        and node.value.value == "self"
    )


def _is_none(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def _is_get_call(node: cst.CSTNode) -> bool:
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "get"
        and 1 <= len(node.args) <= 2
        and all(arg.keyword is None and arg.star == "" for arg in node.args)
    )


_UNUSABLE = object()


def _subscript_key(node: cst.Subscript) -> str | object | None:
    """The string key of `x["key"]`; None for any other single index; _UNUSABLE for slices."""
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return _UNUSABLE
    return string_value(node.slice[0].slice.value)


def _element(node: cst.Dict, key: str) -> cst.BaseExpression | None:
    for element in node.elements:
        if isinstance(element, cst.DictElement) and string_value(element.key) == key:
            return element.value
    return None


def _holder_key(node: cst.CSTNode, scope: Placement) -> tuple[object, ...] | None:
    """The identity of what holds a pipeline: a local or module name, or `self.<attr>`."""
    if isinstance(node, cst.Name):
        return ("name", scope.function, node.value)
    if _is_self_attribute(node) and scope.class_def is not None:
        assert isinstance(node, cst.Attribute)
        return ("attr", scope.class_def, node.attr.value)
    return None


def _in_init(assignment: Assignment) -> bool:
    function = assignment.scope.function
    return function is not None and function.name.value == "__init__"
