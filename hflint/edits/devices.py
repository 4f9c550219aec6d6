"""Device rewrites (HF301-HF303): what the selected device is where a device is hard-coded, the
rewrite of a hard-coded site, a `self.device = ...` that falls back on `select_device()`, and
taking `select_device()` from a skeleton. The rules use these to word and grade their fixes; the
codemods to make them.
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from hflint.analysis.attributes import class_attributes
from hflint.analysis.device_selection import DeviceAssignment
from hflint.analysis.device_sites import DeviceSite, HardcodedDeviceScan
from hflint.analysis.devices import DEVICE, SELECT_DEVICE, is_torch_device, select_device_usable
from hflint.edits.module_statements import insert_support, support_for

# `.cuda()` keyword arguments that `.to()` takes too.
KEPT_CUDA_KEYWORDS = ("non_blocking", "memory_format")


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


def site_replacements(
    module: cst.Module, scan: HardcodedDeviceScan
) -> Iterator[tuple[DeviceSite, str | None]]:
    """Each hard-coded site a scan of `module` found, with the code of the device to put there
    (None where there is none to use)."""
    class_defines_device = False
    test_class = scan.device_test_class
    if test_class is not None and any(s.placement.receiver for s in scan.device_sites):
        defined, _ = class_attributes(module, test_class)
        class_defines_device = DEVICE in defined
    select_device_ok = select_device_usable(module)
    for site in scan.device_sites:
        yield (
            site,
            selected_device(
                site, class_defines_device=class_defines_device, select_device_ok=select_device_ok
            ),
        )


def placed_on(site: DeviceSite, call: cst.Call, device: cst.BaseExpression) -> cst.Call:
    """The hard-coded call of `site` (as updated by the codemod) placing on `device` instead:
    `.cuda()` becomes `.to(device)`, the device argument becomes `device`."""
    if site.kind == "cuda":
        kept = [
            arg
            for arg in call.args
            if arg.keyword is not None and arg.keyword.value in KEPT_CUDA_KEYWORDS
        ]
        assert isinstance(call.func, cst.Attribute)
        return call.with_changes(
            func=call.func.with_changes(attr=cst.Name("to")), args=[cst.Arg(device), *kept]
        )
    if site.kind == "torch-device":
        return call.with_changes(args=[cst.Arg(device)])
    args = list(call.args)
    args[site.position] = args[site.position].with_changes(value=device)
    return call.with_changes(args=args)


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
    if isinstance(value, cst.Call) and is_torch_device(value.func) and len(value.args) == 1:
        inner, safe = with_selection(
            DeviceAssignment(assignment.node, value.args[0].value, parameters), selector
        )
        return value.with_changes(args=[value.args[0].with_changes(value=inner)]), safe
    return _or(value, call), False


def _or(left: cst.BaseExpression, right: cst.BaseExpression) -> cst.BooleanOperation:
    if isinstance(left, (cst.IfExp, cst.Lambda, cst.BooleanOperation, cst.NamedExpr)):
        left = left.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return cst.BooleanOperation(left=left, operator=cst.Or(), right=right)


def with_select_device(module: cst.Module, skeleton: cst.Module) -> cst.Module:
    """The module with the skeleton's `select_device()` added, when it does not bind that name."""
    support = support_for(skeleton, [cst.Name(SELECT_DEVICE)], module)
    if not support:
        return module
    body = list(insert_support(module, support).body)
    last = max(i for i, statement in enumerate(body) if statement in support)
    if body[0] in support:
        # At the very top of a file (no docstring, no imports): no blank lines before it.
        body[0] = body[0].with_changes(leading_lines=[])
    following = body[last + 1] if last + 1 < len(body) else None
    if isinstance(following, (cst.ClassDef, cst.FunctionDef)) and not following.leading_lines:
        # Two blank lines between the added function and the definition that now follows it.
        body[last + 1] = following.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])
    return module.with_changes(body=body)
