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

import argparse

import libcst as cst
from hflint.codemods._device_support import skeleton_for, with_select_device
from libcst.codemod import CodemodContext, SkipFile, VisitorBasedCodemodCommand

from hflint.analysis.devices import (
    DEVICE,
    DeviceSite,
    HardcodedDeviceScan,
    class_attributes,
    drive,
    select_device_usable,
    selected_device,
)
from hflint.naming import expected_class_name, model_name_from_path

# `.cuda()` keyword arguments that `.to()` takes too.
KEPT_CUDA_KEYWORDS = ("non_blocking", "memory_format")


class UseSelectedDeviceCommand(VisitorBasedCodemodCommand):
    DESCRIPTION = "Replace hard-coded devices (device='cuda', .cuda()) with the selected device."

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument(
            "--unsafe",
            dest="unsafe",
            action="store_true",
            help="also replace devices that name a GPU other than the first (cuda:1)",
        )

    def __init__(
        self, context: CodemodContext, unsafe: bool = False, model_name: str | None = None
    ) -> None:
        super().__init__(context)
        self.unsafe = unsafe
        self.model_name = model_name
        self.rewrites: dict[cst.CSTNode, tuple[DeviceSite, cst.BaseExpression]] = {}
        self.uses_select_device = False

    def visit_Module(self, node: cst.Module) -> bool:
        name = self.model_name or (
            model_name_from_path(self.context.filename) if self.context.filename else None
        )
        scan = HardcodedDeviceScan()
        scan.begin_device_scan(node, expected_class_name(name) if name else None)
        drive(scan, node)
        class_defines_device = False
        if scan.device_test_class is not None:
            defined, _ = class_attributes(node, scan.device_test_class)
            class_defines_device = DEVICE in defined
        select_device_ok = select_device_usable(node)
        for site in scan.device_sites:
            if not (site.safe or self.unsafe):
                continue
            code = selected_device(
                site, class_defines_device=class_defines_device, select_device_ok=select_device_ok
            )
            if code is not None:
                self.rewrites[site.node] = (site, cst.parse_expression(code))
                self.uses_select_device |= "select_device()" in code
        if not self.rewrites:
            raise SkipFile("no hard-coded device to replace")
        return True

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        found = self.rewrites.get(original_node)
        if found is None:
            return updated_node
        site, device = found
        if site.kind == "cuda":
            kept = [
                arg
                for arg in updated_node.args
                if arg.keyword is not None and arg.keyword.value in KEPT_CUDA_KEYWORDS
            ]
            assert isinstance(updated_node.func, cst.Attribute)
            return updated_node.with_changes(
                func=updated_node.func.with_changes(attr=cst.Name("to")),
                args=[cst.Arg(device), *kept],
            )
        if site.kind == "torch-device":
            return updated_node.with_changes(args=[cst.Arg(device)])
        args = list(updated_node.args)
        args[site.position] = args[site.position].with_changes(value=device)
        return updated_node.with_changes(args=args)

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign) -> cst.Assign:
        found = self.rewrites.get(original_node)
        return updated_node if found is None else updated_node.with_changes(value=found[1])

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if not self.uses_select_device:
            return updated_node
        return with_select_device(updated_node, skeleton_for(self.context, self.model_name))
