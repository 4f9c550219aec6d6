"""Devices in test files, for the device rules (HF301-HF303) and their codemods.

What selects a device (a `select_device()`-style function, or an availability probe used to choose
one), what hard-codes one (`device="cuda"`, `.cuda()`...), and which `self.<name>` attributes a test
class assigns and reads.

The analyses are classes of `visit_<Node>`/`leave_<Node>` handlers. A rule inherits one, so it runs
in the linter's single batched visit; a codemod runs the same handlers over its module with `drive`,
so the fix and the diagnostic always agree on what they look at. Lint-path code: isinstance checks,
no matchers, no codemod imports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import libcst as cst

from hflint.analysis.nodes import child_fields, iter_nodes
from hflint.analysis.testclass import find_test_class, top_level_classes, top_level_function

# An accelerator named as a string: "cuda", "cuda:1", "mps", "xpu:0". ROCm builds of torch say "cuda".
ACCELERATOR = re.compile(r"(cuda|mps|xpu)(?::(\d+))?")
# A function (or method) whose name says it picks the device: select_device, get_device,
# _pick_device, get_best_device, detect_torch_device...
SELECTOR_NAME = re.compile(
    r"_*(?:select|get|pick|choose|detect|find|resolve|determine|auto|best|default)_(?:\w+_)?device"
)
SELECT_DEVICE = "select_device"
DEVICE = "device"
# Keyword arguments that place a model or tensor.
DEVICE_KEYWORDS = frozenset({"device", "device_map"})
# Calls where an integer device means a GPU index (`pipeline(device=0)`, `.to(0)`).
INTEGER_DEVICE_CALLS = frozenset({"pipeline", "from_pretrained", "to"})


def drive(handlers: object, node: cst.CSTNode) -> None:
    """Run an object's `visit_<Node>`/`leave_<Node>` methods over a tree in source order, trivia
    aside, as the linter's batched visit does; for codemods, which have no batched visit."""
    name = type(node).__name__
    visit = getattr(handlers, f"visit_{name}", None)
    if visit is not None:
        visit(node)
    for field_name in child_fields(type(node), False):
        value = getattr(node, field_name)
        if isinstance(value, cst.CSTNode):
            drive(handlers, value)
        elif isinstance(value, (list, tuple)):
            for child in value:
                if isinstance(child, cst.CSTNode):
                    drive(handlers, child)
    leave = getattr(handlers, f"leave_{name}", None)
    if leave is not None:
        leave(node)


# ---------------------------------------------------------------------------------------------
# Literals, probes and checks


def string_value(node: cst.CSTNode) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def accelerator_index(node: cst.CSTNode, *, integers: bool) -> int | None:
    """The GPU index a hard-coded accelerator names (0 when it names none), else None.

    `"cuda"` -> 0, `"cuda:1"` -> 1, and with `integers`, `0` -> 0 and `2` -> 2.
    """
    text = string_value(node)
    if text is not None:
        match = ACCELERATOR.fullmatch(text)
        return None if match is None else int(match.group(2) or 0)
    if integers and isinstance(node, cst.Integer):
        try:
            return int(node.value.replace("_", ""), 0)
        except ValueError:
            return None
    return None


def is_device_literal(node: cst.CSTNode) -> bool:
    """A device string ("cuda", "cuda:0", "mps", "xpu", "cpu") or `torch.device(<one>)`."""
    if isinstance(node, cst.Call) and _is_torch_device(node.func) and node.args:
        node = node.args[0].value
    text = string_value(node)
    return text is not None and (text == "cpu" or ACCELERATOR.fullmatch(text) is not None)


def is_probe_call(node: cst.CSTNode) -> bool:
    """`torch.cuda.is_available()`, `torch.backends.mps.is_available()`, `xpu.is_available()`..."""
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "is_available"
    )


def probe_flags(module: cst.Module) -> frozenset[str]:
    """Module-level names bound to the result of a probe (`HAS_CUDA = ... torch.cuda.is_available()`),
    including those bound inside `if`/`try` blocks (guarded imports). Remembered for the last module
    asked about, since each device rule asks."""
    if _FLAGS_CACHE and _FLAGS_CACHE[0][0] is module:
        return _FLAGS_CACHE[0][1]
    flags: set[str] = set()
    for statement in _module_statements(module.body):
        for small in statement.body:
            if isinstance(small, cst.Assign):
                targets = [t.target for t in small.targets]
            elif isinstance(small, cst.AnnAssign) and small.value is not None:
                targets = [small.target]
            else:
                continue
            value = small.value
            # A flag is a boolean expression; registries and other containers are not looked into.
            if isinstance(value, _FLAG_VALUES) and any(
                is_probe_call(n) for n in iter_nodes(value, prune=_is_container)
            ):
                flags.update(t.value for t in targets if isinstance(t, cst.Name))
    result = frozenset(flags)
    _FLAGS_CACHE[:] = [(module, result)]
    return result


_FLAGS_CACHE: list[tuple[cst.Module, frozenset[str]]] = []
_FLAG_VALUES = (cst.Call, cst.BooleanOperation, cst.UnaryOperation, cst.Comparison, cst.IfExp)


def _is_container(node: cst.CSTNode) -> bool:
    return isinstance(node, (cst.Dict, cst.List, cst.Tuple, cst.Set, cst.Lambda))


def _module_statements(statements: Iterable[cst.CSTNode]) -> Iterator[cst.SimpleStatementLine]:
    for statement in statements:
        if isinstance(statement, cst.SimpleStatementLine):
            yield statement
        elif isinstance(statement, (cst.If, cst.Try, cst.With)):
            for block in _blocks(statement):
                yield from _module_statements(block)


def _blocks(statement: cst.CSTNode) -> Iterator[Iterable[cst.CSTNode]]:
    parts: list[cst.CSTNode] = [statement]
    orelse = getattr(statement, "orelse", None)
    while orelse is not None:
        parts.append(orelse)
        orelse = getattr(orelse, "orelse", None) if isinstance(orelse, cst.If) else None
    parts.extend(getattr(statement, "handlers", ()))
    final = getattr(statement, "finalbody", None)
    if final is not None:
        parts.append(final)
    for part in parts:
        body = getattr(part, "body", None)
        if isinstance(body, cst.IndentedBlock):
            yield body.body


def has_probe(node: cst.CSTNode, flags: frozenset[str]) -> bool:
    return any(
        is_probe_call(n) or (isinstance(n, cst.Name) and n.value in flags) for n in iter_nodes(node)
    )


def is_check(test: cst.CSTNode, flags: frozenset[str]) -> bool:
    """A condition about the device: an availability probe, or a comparison with a device name
    (`device == "cuda"`, `"cuda" in str(device)`, `self.device != "cpu"`)."""
    return any(
        is_probe_call(n) or (isinstance(n, cst.Name) and n.value in flags) or is_device_literal(n)
        for n in iter_nodes(test)
    )


def is_inline_selection(node: cst.If | cst.IfExp, flags: frozenset[str]) -> bool:
    """A probe used to choose a device: `"cuda" if torch.cuda.is_available() else "cpu"`, or
    `if HAS_CUDA:` with a branch that returns or assigns a device."""
    if not has_probe(node.test, flags):
        return False
    if isinstance(node, cst.IfExp):
        return is_device_literal(node.body) or is_device_literal(node.orelse)
    return any(
        isinstance(inner, (cst.Return, cst.Assign, cst.AnnAssign))
        and inner.value is not None
        and is_device_literal(inner.value)
        for inner in iter_nodes(node.body)
    )


def callee_name(call: cst.Call) -> str | None:
    func = call.func
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return None


def _is_torch_device(func: cst.BaseExpression) -> bool:
    return (
        isinstance(func, cst.Attribute)
        and func.attr.value == "device"
        and isinstance(func.value, cst.Name)
        and func.value.value == "torch"
    )


def select_device_usable(module: cst.Module) -> bool:
    """`select_device()` can be called here: the file has none (the skeleton's is added, or it is
    imported), or its own takes no required argument."""
    function = top_level_function(module, SELECT_DEVICE)
    if function is None:
        return True
    params = function.params
    return all(
        p.default is not None
        for p in (*params.posonly_params, *params.params, *params.kwonly_params)
    )


def method_receiver(function: cst.FunctionDef) -> str | None:
    """The instance parameter of a method (`self`), None for static and class methods."""
    for decorator in function.decorators:
        target = decorator.decorator
        if isinstance(target, cst.Name) and target.value in ("staticmethod", "classmethod"):
            return None
    params = (*function.params.posonly_params, *function.params.params)
    return params[0].name.value if params else None


def parameter_names(function: cst.FunctionDef) -> frozenset[str]:
    params = function.params
    names = {p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)}
    return frozenset(names)


def in_file_bases(module: cst.Module, class_def: cst.ClassDef) -> tuple[list[cst.ClassDef], bool]:
    """The class and its base classes defined in the module (nearest first), and whether some base
    comes from elsewhere (an import), which makes the class's attributes unknowable here."""
    classes = {c.name.value: c for c in top_level_classes(module)}
    found: list[cst.ClassDef] = []
    unknown = False
    pending = [class_def]
    while pending:
        current = pending.pop(0)
        if current in found:
            continue
        found.append(current)
        for base in current.bases:
            if base.keyword is not None:
                continue
            if isinstance(base.value, cst.Name) and base.value.value in classes:
                pending.append(classes[base.value.value])
            elif not (isinstance(base.value, cst.Name) and base.value.value == "object"):
                unknown = True
    return found, unknown


# ---------------------------------------------------------------------------------------------
# HF303: the attributes a class assigns and reads


@dataclass
class ClassAttributes:
    """What one top-level class does with `self.<name>`."""

    node: cst.ClassDef
    defined: set[str] = field(default_factory=set)
    # The first read of each attribute, in source order.
    reads: dict[str, cst.Attribute] = field(default_factory=dict)
    # Attributes the class asks about (`hasattr(self, "x")`, `getattr(self, "x", default)`).
    guarded: set[str] = field(default_factory=set)
    # Attributes can appear by name at run time: setattr with a computed name, `__getattr__`,
    # `self.__dict__`, `vars(self)`.
    dynamic: bool = False


@dataclass
class _AttributeFrame:
    owner: ClassAttributes | None
    # The method's instance parameter (None in a class body, or where `self` means nothing).
    receiver: str | None = None
    is_class: bool = False


class AttributeScan:
    """`visit_`/`leave_` handlers that collect, for every top-level class, the attributes its
    methods assign (`self.x = ...`, `self.x: T = ...`, `self.x += ...`, tuple targets, `for self.x`,
    `with ... as self.x`, `setattr(self, "x", ...)`) and read, and its class-level names."""

    def begin_attribute_scan(self) -> None:
        self.attribute_classes: dict[cst.ClassDef, ClassAttributes] = {}
        self._attribute_frames: list[_AttributeFrame] = []
        self._attribute_stores: set[cst.CSTNode] = set()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        frames = self._attribute_frames
        if not frames:
            info = ClassAttributes(node)
            self.attribute_classes[node] = info
            frames.append(_AttributeFrame(info, is_class=True))
            return
        if frames[-1].is_class and frames[-1].owner is not None:
            frames[-1].owner.defined.add(node.name.value)
        frames.append(_AttributeFrame(None, is_class=True))

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self._attribute_frames.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        frames = self._attribute_frames
        top = frames[-1] if frames else None
        if top is None or top.owner is None:
            frames.append(_AttributeFrame(None))
        elif top.is_class:
            top.owner.defined.add(node.name.value)
            if node.name.value in ("__getattr__", "__getattribute__"):
                top.owner.dynamic = True
            frames.append(_AttributeFrame(top.owner, method_receiver(node)))
        else:
            # A function nested in a method still sees the method's `self`, unless it rebinds it.
            receiver = top.receiver if top.receiver not in parameter_names(node) else None
            frames.append(_AttributeFrame(top.owner, receiver))

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._attribute_frames.pop()

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._attribute_store(target.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._attribute_store(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._attribute_store(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._attribute_store(node.target)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._attribute_store(node.asname.name)

    def visit_Del(self, node: cst.Del) -> None:
        for target in _flatten(node.target):
            self._attribute_stores.add(target)  # deleting is not reading

    def _attribute_store(self, target: cst.BaseExpression) -> None:
        frames = self._attribute_frames
        if not frames or frames[-1].owner is None:
            return
        top = frames[-1]
        owner = top.owner
        assert owner is not None
        for element in _flatten(target):
            if top.is_class:
                if isinstance(element, cst.Name):
                    owner.defined.add(element.value)
            elif (
                isinstance(element, cst.Attribute)
                and isinstance(element.value, cst.Name)
                and element.value.value == top.receiver
            ):
                owner.defined.add(element.attr.value)
                self._attribute_stores.add(element)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        frames = self._attribute_frames
        if not frames:
            return
        top = frames[-1]
        if top.receiver is None or top.owner is None or node in self._attribute_stores:
            return
        value = node.value
        if isinstance(value, cst.Name) and value.value == top.receiver:
            name = node.attr.value
            if name == "__dict__":
                top.owner.dynamic = True
            elif name not in top.owner.reads:
                top.owner.reads[name] = node

    def visit_Call(self, node: cst.Call) -> None:
        frames = self._attribute_frames
        if not frames:
            return
        top = frames[-1]
        if top.receiver is None or top.owner is None or not isinstance(node.func, cst.Name):
            return
        function = node.func.value
        if function not in ("setattr", "hasattr", "getattr", "vars", "delattr") or not node.args:
            return
        first = node.args[0].value
        if not (isinstance(first, cst.Name) and first.value == top.receiver):
            return
        if function == "vars":
            top.owner.dynamic = True
            return
        name = string_value(node.args[1].value) if len(node.args) > 1 else None
        if function == "setattr":
            if name is None:
                top.owner.dynamic = True
            else:
                top.owner.defined.add(name)
        elif name is not None:
            top.owner.guarded.add(name)


def _flatten(target: cst.BaseExpression) -> Iterator[cst.BaseExpression]:
    if isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from _flatten(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from _flatten(target.value)
    else:
        yield target


def class_attributes(module: cst.Module, class_def: cst.ClassDef) -> tuple[set[str], bool]:
    """The attributes a class and its in-file bases define, and whether they can be known (no base
    from elsewhere, no dynamic attributes). A separate walk, for codemods and rare cases."""
    classes, unknown = in_file_bases(module, class_def)
    scan = AttributeScan()
    scan.begin_attribute_scan()
    defined: set[str] = set()
    for current in classes:
        drive(scan, current)
        info = scan.attribute_classes[current]
        defined |= info.defined
        unknown = unknown or info.dynamic
    return defined, not unknown


# ---------------------------------------------------------------------------------------------
# HF302: hard-coded devices


@dataclass(frozen=True)
class Placement:
    """Where a hard-coded device sits, which decides what the selected device is there."""

    in_function: bool
    # The instance parameter when the code is in a method of the test class.
    receiver: str | None
    # The enclosing function takes a `device` parameter.
    device_parameter: bool
    # A local `device` was bound before this point (`device = device or self.device`, a loop).
    device_bound: bool


@dataclass(frozen=True)
class DeviceSite:
    """A hard-coded device and what a fix rewrites."""

    # The node a fix replaces: the call (`.cuda()`, `.to(...)`, `torch.device(...)`, a call with
    # `device=...`) or the assignment (`device = "cuda"`).
    node: cst.Call | cst.Assign
    # The node the diagnostic points at.
    anchor: cst.CSTNode
    # "argument" (args[position] gets the device), "cuda" (`.cuda()` -> `.to(...)`), "torch-device",
    # "assignment", "attribute-assignment" (`self.device = "cuda"`).
    kind: str
    # The GPU index it names explicitly (0 when none), None when it is not a literal.
    index: int | None
    placement: Placement
    position: int = 0

    @property
    def safe(self) -> bool:
        """Replacing it loses nothing: it names no GPU other than the first."""
        return self.index == 0


def hardcoded_call(call: cst.Call) -> tuple[str, cst.CSTNode, int | None, int] | None:
    """(kind, anchor, GPU index, argument position) when `call` hard-codes a device."""
    name = callee_name(call)
    if _is_torch_device(call.func):
        kind_arg = _argument(call, 0, "type")
        if kind_arg is None:
            return None
        index = accelerator_index(kind_arg.value, integers=False)
        if index is None:
            return None
        index_arg = _argument(call, 1, "index")
        if index_arg is not None:
            index = accelerator_index(index_arg.value, integers=True)
        return "torch-device", call, index, 0
    if name == "cuda" and isinstance(call.func, cst.Attribute):
        index_arg = _argument(call, 0, "device")
        index = 0 if index_arg is None else accelerator_index(index_arg.value, integers=True)
        return "cuda", call.func.attr, index, 0
    integers = name in INTEGER_DEVICE_CALLS
    for position, arg in enumerate(call.args):
        if arg.keyword is not None and arg.keyword.value in DEVICE_KEYWORDS:
            index = accelerator_index(arg.value, integers=integers)
            if index is not None:
                return "argument", arg, index, position
    if name == "to" and isinstance(call.func, cst.Attribute) and call.args:
        first = call.args[0]
        if first.keyword is None and first.star == "":
            index = accelerator_index(first.value, integers=True)
            if index is not None:
                return "argument", first, index, 0
    return None


def _argument(call: cst.Call, position: int, keyword: str) -> cst.Arg | None:
    positional = [a for a in call.args if a.keyword is None and a.star == ""]
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg
    return positional[position] if len(positional) > position else None


@dataclass
class _DeviceFrame:
    node: cst.FunctionDef
    receiver: str | None
    device_parameter: bool
    selector: bool
    device_bound: bool = False
    # An earlier `if not torch.cuda.is_available(): return` (or an assert) checked availability.
    guarded: bool = False


class HardcodedDeviceScan:
    """`visit_`/`leave_` handlers that find hard-coded devices outside code that checked
    availability: an enclosing `if`/conditional expression about the device, an earlier guard clause
    or assert in the same function, or a `select_device()`-style function."""

    def begin_device_scan(self, module: cst.Module, expected_class: str | None) -> None:
        self.device_flags = probe_flags(module)
        self.device_test_class = find_test_class(module, expected_class)
        self.device_sites: list[DeviceSite] = []
        self._device_stack: list[cst.ClassDef | _DeviceFrame] = []
        self._device_checks: list[bool] = []

    def _device_function(self) -> _DeviceFrame | None:
        for entry in reversed(self._device_stack):
            if isinstance(entry, _DeviceFrame):
                return entry
        return None

    def _device_checked(self) -> bool:
        return any(self._device_checks) or any(
            isinstance(e, _DeviceFrame) and (e.selector or e.guarded) for e in self._device_stack
        )

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._device_stack.append(node)

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self._device_stack.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        stack = self._device_stack
        in_test_class = bool(stack) and stack[-1] is self.device_test_class
        self._device_stack.append(
            _DeviceFrame(
                node,
                receiver=method_receiver(node) if in_test_class else None,
                device_parameter=DEVICE in parameter_names(node),
                selector=SELECTOR_NAME.fullmatch(node.name.value) is not None,
            )
        )

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._device_stack.pop()

    def visit_If(self, node: cst.If) -> None:
        self._device_checks.append(is_check(node.test, self.device_flags))

    def leave_If(self, node: cst.If) -> None:
        checked = self._device_checks.pop()
        frame = self._device_function()
        if checked and frame is not None and node.orelse is None and _ends_in_exit(node.body):
            frame.guarded = True

    def visit_IfExp(self, node: cst.IfExp) -> None:
        self._device_checks.append(is_check(node.test, self.device_flags))

    def leave_IfExp(self, node: cst.IfExp) -> None:
        self._device_checks.pop()

    def visit_Assert(self, node: cst.Assert) -> None:
        frame = self._device_function()
        if frame is not None and is_check(node.test, self.device_flags):
            frame.guarded = True

    def visit_For(self, node: cst.For) -> None:
        self._device_bind(node.target)

    def leave_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._device_bind(target.target)

    def leave_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._device_bind(node.target)

    def leave_AugAssign(self, node: cst.AugAssign) -> None:
        self._device_bind(node.target)

    def _device_bind(self, target: cst.BaseExpression) -> None:
        frame = self._device_function()
        if frame is not None and any(
            isinstance(t, cst.Name) and t.value == DEVICE for t in _flatten(target)
        ):
            frame.device_bound = True

    def _device_placement(self) -> Placement:
        frame = self._device_function()
        if frame is None:
            return Placement(False, None, False, False)
        direct = self._device_stack[-1] is frame
        return Placement(
            True,
            frame.receiver if direct else None,
            frame.device_parameter,
            frame.device_bound,
        )

    def visit_Call(self, node: cst.Call) -> None:
        found = hardcoded_call(node)
        if found is None or self._device_checked():
            return
        kind, anchor, index, position = found
        self.device_sites.append(
            DeviceSite(node, anchor, kind, index, self._device_placement(), position)
        )

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) != 1:
            return
        index = accelerator_index(node.value, integers=False)
        if index is None or self._device_checked():
            return
        target = node.targets[0].target
        placement = self._device_placement()
        if isinstance(target, cst.Name) and target.value == DEVICE:
            kind = "assignment"
        elif (
            isinstance(target, cst.Attribute)
            and target.attr.value == DEVICE
            and isinstance(target.value, cst.Name)
            and target.value.value == placement.receiver
        ):
            kind = "attribute-assignment"
        else:
            return
        self.device_sites.append(DeviceSite(node, node.value, kind, index, placement))


def _ends_in_exit(body: cst.BaseSuite) -> bool:
    statements = body.body if isinstance(body, cst.IndentedBlock) else ()
    last = statements[-1] if statements else None
    if isinstance(body, cst.SimpleStatementSuite):
        return bool(body.body) and isinstance(body.body[-1], (cst.Return, cst.Raise))
    if not isinstance(last, cst.SimpleStatementLine):
        return False
    final = last.body[-1]
    if isinstance(final, (cst.Return, cst.Raise, cst.Continue)):
        return True
    # `pytest.skip(...)`, `self.skipTest(...)`, `sys.exit(...)` end the test as well.
    return (
        isinstance(final, cst.Expr)
        and isinstance(final.value, cst.Call)
        and callee_name(final.value) in ("skip", "skipTest", "exit")
    )


def selected_device(
    site: DeviceSite, *, class_defines_device: bool, select_device_ok: bool
) -> str | None:
    """The code for the selected device where `site` is, or None when there is none to use.

    The local `device` when the function already settled it (these files' methods start with
    `device = device or self.device`); else `self.device` in the test class's methods (when the
    class has it), else `select_device()`; a `device` parameter not yet settled comes first
    (`device or self.device`).
    """
    placement = site.placement
    if not placement.in_function:
        return None  # module level or a class body: the fix would run at import time
    fallback = "select_device()" if select_device_ok else None
    if site.kind == "attribute-assignment":
        # `self.device = "cuda"`: the attribute being set is the selected device itself.
        if fallback is None:
            return None
        return f"{DEVICE} or {fallback}" if placement.device_parameter else fallback
    if placement.device_bound and site.kind != "assignment":
        return DEVICE
    if placement.receiver is not None and class_defines_device:
        fallback = f"{placement.receiver}.{DEVICE}"
    if fallback is None:
        return None
    return f"{DEVICE} or {fallback}" if placement.device_parameter else fallback


# ---------------------------------------------------------------------------------------------
# HF301: is a device selected at all?


@dataclass(frozen=True)
class DeviceAssignment:
    """A `self.device = <value>` in the test class or one of its in-file bases."""

    node: cst.Assign | cst.AnnAssign
    value: cst.BaseExpression
    parameters: frozenset[str]


class SelectionScan:
    """`visit_`/`leave_` handlers that find whether anything in the file selects a device (a
    `select_device()`-style function defined or called, an availability probe used to choose one)
    and collect the test class's `self.device = ...` assignments."""

    def begin_selection_scan(self, module: cst.Module, expected_class: str | None) -> None:
        self.selection_flags = probe_flags(module)
        test_class = find_test_class(module, expected_class)
        self._selection_classes = (
            set() if test_class is None else set(in_file_bases(module, test_class)[0])
        )
        self.selects_device = False
        # The file probes the hardware (so it means to pick a device).
        self.probes_hardware = bool(self.selection_flags)
        self.device_assignments: list[DeviceAssignment] = []
        # `self.device` in the classes' methods: assignment targets and reads alike.
        self._device_mentions = 0
        # A class (or, for a function, its receiver in the test class and its parameters).
        self._selection_stack: list[cst.ClassDef | tuple[str | None, frozenset[str]]] = []

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._selection_stack.append(node)

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self._selection_stack.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if SELECTOR_NAME.fullmatch(node.name.value):
            self.selects_device = True
        stack = self._selection_stack
        receiver = None
        if stack and isinstance(stack[-1], cst.ClassDef) and stack[-1] in self._selection_classes:
            receiver = method_receiver(node)
        stack.append((receiver, parameter_names(node)))

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._selection_stack.pop()

    def visit_Call(self, node: cst.Call) -> None:
        if not self.selects_device:
            name = callee_name(node)
            if name is not None and SELECTOR_NAME.fullmatch(name):
                self.selects_device = True
            elif name == "is_available" and is_probe_call(node):
                self.probes_hardware = True

    def visit_If(self, node: cst.If) -> None:
        if not self.selects_device and is_inline_selection(node, self.selection_flags):
            self.selects_device = True

    def visit_IfExp(self, node: cst.IfExp) -> None:
        if not self.selects_device and is_inline_selection(node, self.selection_flags):
            self.selects_device = True

    def visit_Attribute(self, node: cst.Attribute) -> None:
        stack = self._selection_stack
        if (
            node.attr.value == DEVICE
            and stack
            and isinstance(stack[-1], tuple)
            and isinstance(node.value, cst.Name)
            and node.value.value == stack[-1][0]
        ):
            self._device_mentions += 1

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) == 1:
            self._selection_assignment(node, node.targets[0].target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._selection_assignment(node, node.target, node.value)

    def _selection_assignment(
        self,
        node: cst.Assign | cst.AnnAssign,
        target: cst.BaseExpression,
        value: cst.BaseExpression,
    ) -> None:
        stack = self._selection_stack
        if not (stack and isinstance(stack[-1], tuple)):
            return
        receiver, parameters = stack[-1]
        if (
            receiver is not None
            and isinstance(target, cst.Attribute)
            and target.attr.value == DEVICE
            and isinstance(target.value, cst.Name)
            and target.value.value == receiver
        ):
            self.device_assignments.append(DeviceAssignment(node, value, parameters))

    def unselected_assignments(self) -> list[DeviceAssignment]:
        """The `self.device = ...` assignments to report: the class uses its device (it reads
        `self.device`), the file probes the hardware, and nothing in it selects a device."""
        if (
            self.selects_device
            or not self.probes_hardware
            or self._device_mentions <= len(self.device_assignments)
        ):
            return []
        return [
            a
            for a in self.device_assignments
            if not has_probe(a.value, self.selection_flags)
            # `self.device = "cuda"` is HF302's (a hard-coded device), with its own fix.
            and accelerator_index(a.value, integers=False) is None
        ]


def with_selection(
    assignment: DeviceAssignment, selector: str = SELECT_DEVICE
) -> tuple[cst.BaseExpression, bool]:
    """The assignment's value rewritten to fall back on `selector()`, and whether that is safe
    (it only takes effect where the old value was None: no device chosen)."""
    call = cst.Call(cst.Name(selector))
    value = assignment.value
    parameters = assignment.parameters
    default: cst.BaseExpression = _or(cst.Name(DEVICE), call) if DEVICE in parameters else call
    if isinstance(value, cst.Name) and value.value == "None":
        return default, True
    if isinstance(value, cst.Name) and value.value in parameters:
        return _or(value, call), True
    if isinstance(value, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
        return default, False
    if isinstance(value, cst.BooleanOperation) and isinstance(value.operator, cst.Or):
        right = value.right
        if isinstance(right, cst.Name) and right.value == "None":
            return value.with_changes(right=call), True
        if isinstance(right, (cst.SimpleString, cst.ConcatenatedString)):
            return value.with_changes(right=call), False
    if isinstance(value, cst.IfExp):
        # `device if device is not None else "cpu"`: the literal branch is the fallback.
        for branch in ("orelse", "body"):
            literal = getattr(value, branch)
            if isinstance(literal, cst.Name) and literal.value == "None":
                return value.with_changes(**{branch: call}), True
            if isinstance(literal, (cst.SimpleString, cst.ConcatenatedString)):
                return value.with_changes(**{branch: call}), False
    if isinstance(value, cst.Call) and _is_torch_device(value.func) and len(value.args) == 1:
        inner, safe = with_selection(
            DeviceAssignment(assignment.node, value.args[0].value, parameters), selector
        )
        return value.with_changes(args=[value.args[0].with_changes(value=inner)]), safe
    return _or(value, call), False


def _or(left: cst.BaseExpression, right: cst.BaseExpression) -> cst.BooleanOperation:
    if isinstance(left, (cst.IfExp, cst.Lambda, cst.BooleanOperation, cst.NamedExpr)):
        left = left.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return cst.BooleanOperation(left=left, operator=cst.Or(), right=right)
