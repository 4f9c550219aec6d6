"""What names, probes and checks a device in a test file: the vocabulary of the device rules
(HF301-HF303), of their scans (`device_sites`, `device_selection`) and of their fixes
(`hflint.edits.devices`).

Lint-path code: isinstance checks, no matchers, no codemod imports.
"""

from __future__ import annotations

import re

import libcst as cst

from hflint.analysis.nodes import iter_nodes, module_statements, string_value
from hflint.analysis.testclass import top_level_function

# An accelerator named as a string: "cuda", "cuda:1", "mps", "xpu:0". ROCm builds of torch say "cuda".
ACCELERATOR = re.compile(r"(cuda|mps|xpu)(?::(\d+))?")
# A name about an accelerator: HAS_CUDA, cuda_available, has_gpu, MPS_AVAILABLE, `torch.cuda`.
ACCELERATOR_WORD = re.compile(r"(?:^|_)(?:cuda|gpus?|mps|xpu|rocm|accelerators?)(?:_|$)", re.I)
# A function (or method) whose name says it picks the device: select_device, get_device,
# _pick_device, get_best_device, detect_torch_device...
SELECTOR_NAME = re.compile(
    r"_*(?:select|get|pick|choose|detect|find|resolve|determine|auto|best|default)_(?:\w+_)?device"
)
SELECT_DEVICE = "select_device"
DEVICE = "device"

_FLAG_VALUES = (cst.Call, cst.BooleanOperation, cst.UnaryOperation, cst.Comparison, cst.IfExp)


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


def is_torch_device(func: cst.BaseExpression) -> bool:
    """`torch.device`, the callee of `torch.device("cuda")`."""
    return (
        isinstance(func, cst.Attribute)
        and func.attr.value == "device"
        and isinstance(func.value, cst.Name)
        and func.value.value == "torch"
    )


def is_device_literal(node: cst.CSTNode) -> bool:
    """A device string ("cuda", "cuda:0", "mps", "xpu", "cpu") or `torch.device(<one>)`."""
    if isinstance(node, cst.Call) and is_torch_device(node.func) and node.args:
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
    including those bound inside blocks (guarded imports). A per-file fact: rules and codemods read
    it as `FileFacts.device_flags`, computed once."""
    flags: set[str] = set()
    for statement in module_statements(module.body):
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
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
    return frozenset(flags)


def _is_container(node: cst.CSTNode) -> bool:
    return isinstance(node, (cst.Dict, cst.List, cst.Tuple, cst.Set, cst.Lambda))


def has_probe(node: cst.CSTNode, flags: frozenset[str]) -> bool:
    return any(
        is_probe_call(n) or (isinstance(n, cst.Name) and n.value in flags) for n in iter_nodes(node)
    )


def is_check(test: cst.CSTNode, flags: frozenset[str]) -> bool:
    """A condition about the device: an availability probe, a comparison with a device name
    (`device == "cuda"`, `"cuda" in str(device)`, `self.device != "cpu"`), or a name that says it is
    about an accelerator (`HAS_CUDA` imported from a helper module, `torch.cuda.device_count()`)."""
    return any(
        is_probe_call(n)
        or (isinstance(n, cst.Name) and (n.value in flags or ACCELERATOR_WORD.search(n.value)))
        or is_device_literal(n)
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


def is_device_attribute(node: cst.CSTNode, receiver: str | None) -> bool:
    """`self.device`, for the method's instance parameter `receiver`."""
    return (
        isinstance(node, cst.Attribute)
        and node.attr.value == DEVICE
        and isinstance(node.value, cst.Name)
        and node.value.value == receiver
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
