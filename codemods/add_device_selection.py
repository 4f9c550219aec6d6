"""Make the test class select its device (HF301).

Each `self.device = <value>` in the test class (and its base classes in the file) that selects
nothing falls back on `select_device()`: `self.device = device` becomes
`self.device = device or select_device()`, and the skeleton's canonical `select_device()` (explicit
choice, then cuda/ROCm, mps, xpu, cpu) is added when the file has none. Without `unsafe`, only
values that mean "no device chosen" (a parameter, `None`) are rewritten; with it, fixed choices
such as `"cpu"` are replaced too.
"""

from __future__ import annotations

import argparse

import libcst as cst
from hflint.codemods._device_support import skeleton_for, with_select_device
from libcst.codemod import CodemodContext, SkipFile, VisitorBasedCodemodCommand

from hflint.analysis.devices import SelectionScan, drive, with_selection
from hflint.naming import expected_class_name, model_name_from_path


class AddDeviceSelectionCommand(VisitorBasedCodemodCommand):
    DESCRIPTION = "Make the test class's device fall back on select_device() (added if missing)."

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument(
            "--unsafe",
            dest="unsafe",
            action="store_true",
            help="also replace fixed choices such as self.device = 'cpu'",
        )

    def __init__(
        self, context: CodemodContext, unsafe: bool = False, model_name: str | None = None
    ) -> None:
        super().__init__(context)
        self.unsafe = unsafe
        self.model_name = model_name
        self.rewrites: dict[cst.CSTNode, cst.BaseExpression] = {}

    def visit_Module(self, node: cst.Module) -> bool:
        name = self.model_name or (
            model_name_from_path(self.context.filename) if self.context.filename else None
        )
        scan = SelectionScan()
        scan.begin_selection_scan(node, expected_class_name(name) if name else None)
        drive(scan, node)
        for assignment in scan.unselected_assignments():
            value, safe = with_selection(assignment)
            if safe or self.unsafe:
                self.rewrites[assignment.node] = value
        if not self.rewrites:
            raise SkipFile("the test class's device is selected already (or needs --unsafe)")
        return True

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign) -> cst.Assign:
        value = self.rewrites.get(original_node)
        return updated_node if value is None else updated_node.with_changes(value=value)

    def leave_AnnAssign(
        self, original_node: cst.AnnAssign, updated_node: cst.AnnAssign
    ) -> cst.AnnAssign:
        value = self.rewrites.get(original_node)
        return updated_node if value is None else updated_node.with_changes(value=value)

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        return with_select_device(updated_node, skeleton_for(self.context, self.model_name))
