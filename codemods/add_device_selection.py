"""Make the test class select its device (HF301).

Each `self.device = <value>` in the test class (and its base classes in the file) that selects
nothing falls back on `select_device()`: `self.device = device` becomes
`self.device = device or select_device()`, and the skeleton's canonical `select_device()` (explicit
choice, then cuda/ROCm, mps, xpu, cpu) is added when the file has none. Without `unsafe`, only
values that mean "no device chosen" (a parameter, `None`) are rewritten; with it, fixed choices
such as `"cpu"` are replaced too.
"""

from __future__ import annotations

import libcst as cst
from hflint.codemods._device_support import DeviceRewriteCommand
from libcst.codemod import SkipFile

from hflint.analysis.device_selection import SelectionScan
from hflint.analysis.facts import FileFacts
from hflint.analysis.nodes import drive
from hflint.edits.devices import with_selection


class AddDeviceSelectionCommand(DeviceRewriteCommand):
    DESCRIPTION = "Make the test class's device fall back on select_device() (added if missing)."
    UNSAFE_HELP = "also replace fixed choices such as self.device = 'cpu'"

    def visit_Module(self, node: cst.Module) -> bool:
        scan = SelectionScan()
        scan.begin_selection_scan(FileFacts(node), self.expected_class)
        drive(scan, node)
        for assignment in scan.unselected_assignments():
            value, safe = with_selection(assignment)
            if safe or self.unsafe:
                self.values[assignment.node] = value
        if not self.values:
            raise SkipFile("the test class's device is selected already (or needs --unsafe)")
        return True

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        return self.with_select_device(updated_node)
