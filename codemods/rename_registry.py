"""Rename the registry constant to the one the file's model gives (HF404):
`BERT_MODELS_REGISTRY` -> `ROBERTA_MODELS_REGISTRY` in `test_hf_roberta.py`.

Every reference to the constant is renamed, and every whole-word mention of it in strings (a
docstring that lists "the checkpoints in BERT_MODELS_REGISTRY", a `globals()["..."]` lookup) and
comments. Without `--new-name` the name is derived from the file name (`test_hf_<model>.py`).
"""

from __future__ import annotations

import argparse
import re
from typing import TypeVar

import libcst as cst
from hflint.codemods import skeletons
from libcst.codemod import CodemodContext, SkipFile, VisitorBasedCodemodCommand

from hflint.analysis.modelrefs import expected_registry_name
from hflint.analysis.testclass import module_level_names

# What holds text that can mention the name.
TextNode = TypeVar("TextNode", cst.SimpleString, cst.FormattedStringText, cst.Comment)


class RenameRegistryCommand(VisitorBasedCodemodCommand):
    DESCRIPTION = (
        "Rename a <MODEL>_MODELS_REGISTRY constant (and its references) for the file's model."
    )

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument(
            "--old-name", dest="old_name", required=True, help="registry constant to rename"
        )
        arg_parser.add_argument(
            "--new-name",
            dest="new_name",
            default=None,
            help="new name (default: <MODEL>_MODELS_REGISTRY from the file name)",
        )

    def __init__(self, context: CodemodContext, old_name: str, new_name: str | None = None) -> None:
        super().__init__(context)
        self.old_name = old_name
        self.new_name = new_name
        self._word = re.compile(rf"(?<![\w]){re.escape(old_name)}(?![\w])")

    def visit_Module(self, node: cst.Module) -> None:
        if self.new_name is None:
            self.new_name = expected_registry_name(skeletons.model_name_for(self.context, None))
            if self.new_name is None:
                raise SkipFile("the file's model name gives no valid constant name")
        if self.new_name == self.old_name:
            raise SkipFile(f"{self.old_name} is already the expected name")
        taken = re.compile(rf"(?<![\w]){re.escape(self.new_name)}(?![\w])")
        if self.new_name in module_level_names(node) or taken.search(node.code):
            raise SkipFile(
                f"{self.new_name} is already used in the file; renaming would merge them"
            )

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        if updated_node.value == self.old_name and self.new_name is not None:
            return updated_node.with_changes(value=self.new_name)
        return updated_node

    def leave_SimpleString(
        self, original_node: cst.SimpleString, updated_node: cst.SimpleString
    ) -> cst.SimpleString:
        return self._in_text(updated_node)

    def leave_FormattedStringText(
        self, original_node: cst.FormattedStringText, updated_node: cst.FormattedStringText
    ) -> cst.FormattedStringText:
        return self._in_text(updated_node)

    def leave_Comment(self, original_node: cst.Comment, updated_node: cst.Comment) -> cst.Comment:
        return self._in_text(updated_node)

    def _in_text(self, node: TextNode) -> TextNode:
        """A string, f-string part or comment with the name renamed where it stands as a word."""
        value = self._renamed(node.value)
        return node if value == node.value else node.with_changes(value=value)

    def _renamed(self, text: str) -> str:
        if self.new_name is None or self.old_name not in text:
            return text
        return self._word.sub(self.new_name, text)
