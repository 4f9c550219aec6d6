"""The kind of input an expression passes a pipeline (text, image, audio, array...), read from its
form alone: literals, `Image.open(...)`, `np.zeros(...)`, dicts with `raw`/`array` keys.
"""

from __future__ import annotations

import libcst as cst

from hflint import task_inputs as ti
from hflint.analysis.nodes import dotted_name, string_value

_IMAGE_CALLS = ("Image.new", "Image.open", "Image.fromarray", "Image.frombytes")


_IMAGE_METHODS = frozenset({"convert", "resize", "crop", "rotate", "copy", "transpose"})


_ARRAY_MODULES = frozenset({"np", "numpy", "torch"})


def classify(node: cst.BaseExpression) -> tuple[str | None, bool]:
    """The kind of a terminal input expression, and whether (as text) it carries a mask token."""
    value = string_value(node)
    if value is not None:
        return ti.string_kind(value), ti.has_mask_marker(value)
    if isinstance(node, cst.FormattedString):
        masked = False
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText) and ti.has_mask_marker(part.value):
                masked = True
            elif isinstance(part, cst.FormattedStringExpression):
                expression = part.expression
                masked = masked or (
                    isinstance(expression, cst.Attribute) and expression.attr.value == "mask_token"
                )
        return ti.TEXT, masked
    if isinstance(node, cst.Dict):
        keys = {string_value(e.key) for e in node.elements if isinstance(e, cst.DictElement)}
        return (ti.AUDIO, False) if keys & {"raw", "array"} else (None, False)
    if isinstance(node, cst.Call):
        return _classify_call(node), False
    if isinstance(node, cst.BinaryOperation):
        sides = {classify(node.left)[0], classify(node.right)[0]}
        return (ti.ARRAY, False) if ti.ARRAY in sides else (None, False)
    if isinstance(node, (cst.List, cst.Tuple)) and node.elements:
        kinds = {classify(element.value) for element in node.elements}
        return kinds.pop() if len(kinds) == 1 else (None, False)
    return None, False


def _classify_call(node: cst.Call) -> str | None:
    name = dotted_name(node.func)
    if name.endswith(_IMAGE_CALLS) or name == "load_image":
        return ti.IMAGE
    if isinstance(node.func, cst.Attribute):
        method = node.func.attr.value
        if method in _IMAGE_METHODS and classify(node.func.value)[0] == ti.IMAGE:
            return ti.IMAGE
        if method == "astype":
            return ti.ARRAY
    if name.split(".")[0] in _ARRAY_MODULES and "." in name:
        return ti.ARRAY
    return None
