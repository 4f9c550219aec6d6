"""Is a device selected at all (HF301)? A `select_device()`-style function defined or called, or an
availability probe used to choose one; and the test class's `self.device = ...` assignments.

`SelectionScan` is a class of `visit_<Node>`/`leave_<Node>` handlers: the rule inherits it and runs
in the linter's single batched visit; its codemod drives the same handlers over its module
(`hflint.analysis.nodes.drive`). What a fix writes is `hflint.edits.devices.with_selection`.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from hflint.analysis.devices import (
    SELECTOR_NAME,
    accelerator_index,
    has_probe,
    is_device_attribute,
    is_inline_selection,
    is_probe_call,
)
from hflint.analysis.facts import FileFacts
from hflint.analysis.nodes import callee_name, method_receiver, parameter_names
from hflint.analysis.testclass import find_test_class, in_file_bases


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

    def begin_selection_scan(self, facts: FileFacts, expected_class: str | None) -> None:
        self.selection_flags = facts.device_flags
        test_class = find_test_class(facts.module, expected_class)
        self._selection_classes = (
            set() if test_class is None else set(in_file_bases(facts.module, test_class)[0])
        )
        self.selects_device = False
        # The file probes the hardware (so it means to pick a device).
        self.probes_hardware = bool(self.selection_flags)
        self.device_assignments: list[DeviceAssignment] = []
        # `self.device` in the classes' methods: assignment targets and reads alike.
        self._device_mentions = 0
        # A class (or, for a function, its receiver in the test class and its parameters).
        self._selection_stack: list[cst.ClassDef | tuple[str | None, frozenset[str]]] = []

    def _selection_method(self) -> tuple[str | None, frozenset[str]] | None:
        """(receiver, parameters) of the function the visit is directly in, if any."""
        stack = self._selection_stack
        return stack[-1] if stack and isinstance(stack[-1], tuple) else None

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
        stack.append((receiver, frozenset(parameter_names(node))))

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
        method = self._selection_method()
        if method is not None and is_device_attribute(node, method[0]):
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
        method = self._selection_method()
        if method is None:
            return
        receiver, parameters = method
        if receiver is not None and is_device_attribute(target, receiver):
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
