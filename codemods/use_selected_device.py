"""Replace hard-coded devices with the selected device (HF302).

`device="cuda"` becomes `device=<selected>`, `.cuda()` becomes `.to(<selected>)`, `.to("cuda")`
becomes `.to(<selected>)`, `torch.device("cuda")` becomes `torch.device(<selected>)` and
`device = "cuda"` becomes `device = <selected>`, where the selected device is the function's own
`device` once it has settled one, `self.device` in the test class's methods, else `select_device()`
(the skeleton's is added when the file has none). Code that checked availability first is left
alone, as is code at module level. Without `unsafe`, hard-coded devices naming a GPU other than the
first (`"cuda:1"`, `.cuda(1)`) are kept, since replacing them drops that choice.
"""

from __future__ import annotations

import libcst as cst
from hflint.codemods._device_support import DeviceRewriteCommand
from libcst.codemod import CodemodContext, SkipFile

from hflint.analysis.device_sites import DeviceSite, HardcodedDeviceScan
from hflint.analysis.facts import FileFacts
from hflint.analysis.nodes import drive
from hflint.edits.devices import placed_on, site_replacements


class UseSelectedDeviceCommand(DeviceRewriteCommand):
    DESCRIPTION = "Replace hard-coded devices (device='cuda', .cuda()) with the selected device."
    UNSAFE_HELP = "also replace devices that name a GPU other than the first (cuda:1)"

    def __init__(
        self, context: CodemodContext, unsafe: bool = False, model_name: str | None = None
    ) -> None:
        super().__init__(context, unsafe, model_name)
        self.calls: dict[cst.CSTNode, DeviceSite] = {}
        self.uses_select_device = False

    def visit_Module(self, node: cst.Module) -> bool:
        scan = HardcodedDeviceScan()
        scan.begin_device_scan(FileFacts(node), self.expected_class)
        drive(scan, node)
        for site, code in site_replacements(node, scan):
            if code is None or not (site.safe or self.unsafe):
                continue
            self.values[site.node] = cst.parse_expression(code)
            if isinstance(site.node, cst.Call):
                self.calls[site.node] = site
            self.uses_select_device |= "select_device()" in code
        if not self.values:
            raise SkipFile("no hard-coded device to replace")
        return True

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        site = self.calls.get(original_node)
        if site is None:
            return updated_node
        return placed_on(site, updated_node, self.values[original_node])

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        return self.with_select_device(updated_node) if self.uses_select_device else updated_node
