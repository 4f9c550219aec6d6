"""What the device codemods (HF301-HF303) share: taking `select_device()` from the skeleton."""

from __future__ import annotations

import libcst as cst
from hflint.codemods import skeletons
from libcst.codemod import CodemodContext

from hflint.analysis.devices import SELECT_DEVICE
from hflint.catalog import catalog_in
from hflint.naming import model_name_from_path


def skeleton_for(context: CodemodContext, model_name: str | None = None) -> cst.Module:
    """The skeleton filled for the file's model; its placeholders do not matter to
    `select_device()`, so a file whose name gives no model still gets one."""
    name = model_name or (model_name_from_path(context.filename) if context.filename else None)
    return skeletons.filled_skeleton(name or "skeleton", catalog_in(context.scratch))


def with_select_device(module: cst.Module, skeleton: cst.Module) -> cst.Module:
    """The module with the skeleton's `select_device()` added, when it does not bind that name."""
    support = skeletons.support_for(skeleton, [cst.Name(SELECT_DEVICE)], module)
    if not support:
        return module
    body = list(skeletons.insert_support(module, support).body)
    last = max(i for i, statement in enumerate(body) if statement in support)
    if body[0] in support:
        # At the very top of a file (no docstring, no imports): no blank lines before it.
        body[0] = body[0].with_changes(leading_lines=[])
    following = body[last + 1] if last + 1 < len(body) else None
    if isinstance(following, (cst.ClassDef, cst.FunctionDef)) and not following.leading_lines:
        # Two blank lines between the added function and the definition that now follows it.
        body[last + 1] = following.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])
    return module.with_changes(body=body)
