"""Hard-coded devices (HF302): `device="cuda"`, `.cuda()`, `.to(0)`, `torch.device("cuda")`,
`device = "cuda"`, outside code that checked the device exists, and where each one sits.

`HardcodedDeviceScan` is a class of `visit_<Node>`/`leave_<Node>` handlers: the rule inherits it
and runs in the linter's single batched visit; its codemod drives the same handlers over its
module (`hflint.analysis.nodes.drive`), so the fix and the diagnostic agree on what they look at.
What a fix writes at each site is `hflint.edits.devices`'s.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from hflint.analysis.device_skips import (
    class_skips,
    decorated_skip,
    ends_in_skip,
    last_small_statement,
    module_marked,
    skip_aliases,
)
from hflint.analysis.devices import (
    DEVICE,
    SELECTOR_NAME,
    accelerator_index,
    is_check,
    is_device_attribute,
    is_torch_device,
)
from hflint.analysis.facts import FileFacts
from hflint.analysis.nodes import callee_name, method_receiver, parameter_names, target_names
from hflint.analysis.testclass import find_test_class

# Keyword arguments that place a model or tensor.
DEVICE_KEYWORDS = frozenset({"device", "device_map"})
# Calls where an integer device means a GPU index (`pipeline(device=0)`, `.to(0)`).
INTEGER_DEVICE_CALLS = frozenset({"pipeline", "from_pretrained", "to"})


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
    if is_torch_device(call.func):
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
class _Function:
    node: cst.FunctionDef
    receiver: str | None
    device_parameter: bool
    selector: bool
    device_bound: bool = False
    # An earlier `if not torch.cuda.is_available(): return` (or an assert) checked availability,
    # or the test skips where the device is missing (a skip mark on it or on its class).
    guarded: bool = False


class HardcodedDeviceScan:
    """`visit_`/`leave_` handlers that find hard-coded devices outside code that checked
    availability: an enclosing `if`/conditional expression about the device, an earlier guard clause
    or assert in the same function, a `select_device()`-style function, a test that skips where the
    device is missing (`hflint.analysis.device_skips`: skip marks on it, its class or its module,
    a guard in its class's `setUp`), or module code after a module-level skip."""

    def begin_device_scan(self, facts: FileFacts, expected_class: str | None) -> None:
        self.device_flags = facts.device_flags
        self.device_test_class = find_test_class(facts.module, expected_class)
        self.device_sites: list[DeviceSite] = []
        self._device_stack: list[cst.ClassDef | _Function] = []
        self._device_checks: list[bool] = []
        self._skip_aliases = skip_aliases(facts.module, self.device_flags)
        # `pytestmark = pytest.mark.skipif(...)`: every test function skips (not module code).
        self._module_marked = module_marked(facts.module, self.device_flags, self._skip_aliases)
        self._skipping_classes: set[cst.ClassDef] = set()
        # An earlier module-level `if not torch.cuda.is_available(): pytest.skip(...)`.
        self._module_guarded = False

    def _device_function(self) -> _Function | None:
        for entry in reversed(self._device_stack):
            if isinstance(entry, _Function):
                return entry
        return None

    def _device_checked(self) -> bool:
        return (
            self._module_guarded
            or any(self._device_checks)
            or any(
                isinstance(e, _Function) and (e.selector or e.guarded) for e in self._device_stack
            )
        )

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if class_skips(node, self.device_flags, self._skip_aliases):
            self._skipping_classes.add(node)
        self._device_stack.append(node)

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self._device_stack.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        stack = self._device_stack
        in_test_class = bool(stack) and stack[-1] is self.device_test_class
        self._device_stack.append(
            _Function(
                node,
                receiver=method_receiver(node) if in_test_class else None,
                device_parameter=DEVICE in parameter_names(node),
                selector=SELECTOR_NAME.fullmatch(node.name.value) is not None,
                guarded=self._module_marked
                or decorated_skip(node.decorators, self.device_flags, self._skip_aliases)
                or any(isinstance(e, cst.ClassDef) and e in self._skipping_classes for e in stack),
            )
        )

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._device_stack.pop()

    def visit_If(self, node: cst.If) -> None:
        self._device_checks.append(is_check(node.test, self.device_flags))

    def leave_If(self, node: cst.If) -> None:
        checked = self._device_checks.pop()
        if not checked or node.orelse is not None or not _ends_in_exit(node.body):
            return
        frame = self._device_function()
        if frame is not None:
            frame.guarded = True
        elif not self._device_stack:
            self._module_guarded = True  # `pytest.skip(..., allow_module_level=True)`, a raise

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
        if frame is not None and any(name.value == DEVICE for name in target_names(target)):
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
        elif is_device_attribute(target, placement.receiver):
            kind = "attribute-assignment"
        else:
            return
        self.device_sites.append(DeviceSite(node, node.value, kind, index, placement))


def _ends_in_exit(body: cst.BaseSuite) -> bool:
    """The block leaves the test: `return`, `raise`, `continue`, a skip (`pytest.skip(...)`,
    `self.skipTest(...)`) or `sys.exit(...)`."""
    last = last_small_statement(body)
    if isinstance(last, (cst.Return, cst.Raise, cst.Continue)) or ends_in_skip(body):
        return True
    return (
        isinstance(last, cst.Expr)
        and isinstance(last.value, cst.Call)
        and callee_name(last.value) == "exit"
    )
