"""What the device codemods (HF301-HF303) share: the file's model and test class, `--unsafe`, values
rewritten in place, and `select_device()` taken from the skeleton. The rewrites themselves are
`hflint.edits.devices`'s.
"""

from __future__ import annotations

import argparse
from typing import ClassVar

import libcst as cst
from hflint.codemods import skeletons
from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand

from hflint.catalog import catalog_in
from hflint.edits.devices import with_select_device
from hflint.naming import expected_class_name, model_name_from_path


class DeviceCommand(VisitorBasedCodemodCommand):
    """Base of the device codemods. A file whose name gives no model is still fixed: the test class
    is then the first `Test*Models` class, and `select_device()` comes from any skeleton."""

    def __init__(self, context: CodemodContext, model_name: str | None = None) -> None:
        super().__init__(context)
        self.model_name = model_name

    @property
    def file_model(self) -> str | None:
        """The model given, else the one the file's name gives (read per file: `libcst.tool` runs
        one command over many files)."""
        filename = self.context.filename
        return self.model_name or (model_name_from_path(filename) if filename else None)

    @property
    def expected_class(self) -> str | None:
        model = self.file_model
        return expected_class_name(model) if model else None

    def with_select_device(self, module: cst.Module) -> cst.Module:
        """The module with the skeleton's `select_device()`, when it does not bind that name; its
        placeholders do not matter to `select_device()`, so any model's skeleton serves."""
        skeleton = skeletons.filled_skeleton(
            self.file_model or "skeleton", catalog_in(self.context.scratch)
        )
        return with_select_device(module, skeleton)


class DeviceRewriteCommand(DeviceCommand):
    """Base of the fixes that rewrite values in place (HF301, HF302): planned in `visit_Module`, as
    the new value of each assignment keyed by its original node; `--unsafe` allows the rewrites that
    drop a choice the file made."""

    UNSAFE_HELP: ClassVar[str]

    @classmethod
    def add_args(cls, arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument(
            "--unsafe", dest="unsafe", action="store_true", help=cls.UNSAFE_HELP
        )

    def __init__(
        self, context: CodemodContext, unsafe: bool = False, model_name: str | None = None
    ) -> None:
        super().__init__(context, model_name)
        self.unsafe = unsafe
        self.values: dict[cst.CSTNode, cst.BaseExpression] = {}

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign) -> cst.Assign:
        value = self.values.get(original_node)
        return updated_node if value is None else updated_node.with_changes(value=value)

    def leave_AnnAssign(
        self, original_node: cst.AnnAssign, updated_node: cst.AnnAssign
    ) -> cst.AnnAssign:
        value = self.values.get(original_node)
        return updated_node if value is None else updated_node.with_changes(value=value)
