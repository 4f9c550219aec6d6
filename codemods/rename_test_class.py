"""Rename the test class, and every reference to it in the file, to the name the file's model gives (HF102)."""

from __future__ import annotations

import argparse

import libcst as cst
from hflint.codemods import skeletons
from libcst.codemod import CodemodContext, SkipFile, VisitorBasedCodemodCommand

from hflint.analysis.testclass import module_level_names
from hflint.naming import expected_class_name


class RenameTestClassCommand(VisitorBasedCodemodCommand):
    DESCRIPTION = "Rename a test class (and its references) to Test<Model>Models."

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument(
            "--old-name", dest="old_name", required=True, help="class to rename"
        )

    def __init__(self, context: CodemodContext, old_name: str, new_name: str | None = None) -> None:
        super().__init__(context)
        self.old_name = old_name
        self.new_name = new_name

    def visit_Module(self, node: cst.Module) -> None:
        if self.new_name is None:
            self.new_name = expected_class_name(skeletons.model_name_for(self.context, None))
        if self.new_name in module_level_names(node):
            raise SkipFile(f"{self.new_name} is already defined; renaming would shadow it")

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        if updated_node.value == self.old_name and self.new_name is not None:
            return updated_node.with_changes(value=self.new_name)
        return updated_node
