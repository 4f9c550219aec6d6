"""Replace a name transformers does not export with the one it stands for (HF403):
`transformers.ModelTypeForMaskedLM` -> `transformers.AutoModelForMaskedLM`.

Rewrites `<transformers or its alias>.<old>` reads and `from transformers import <old>`; after a plain
(unaliased) import, every use of the imported name too. Without `--new-name` the replacement is
derived from the file's model (`test_hf_<model>.py`) and the catalog, and the file is skipped when it
is not certain.
"""

from __future__ import annotations

import argparse

import libcst as cst
from hflint.codemods import skeletons
from libcst.codemod import CodemodContext, SkipFile, VisitorBasedCodemodCommand

from hflint.analysis.modelrefs import name_model, replacement_for, transformers_aliases
from hflint.analysis.nodes import iter_nodes
from hflint.analysis.testclass import module_level_names
from hflint.catalog import catalog_in


class FixTransformersNameCommand(VisitorBasedCodemodCommand):
    DESCRIPTION = "Replace a name transformers does not export (a template placeholder) with the class it means."

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument(
            "--old-name", dest="old_name", required=True, help="the name transformers lacks"
        )
        arg_parser.add_argument(
            "--new-name",
            dest="new_name",
            default=None,
            help="the export to use (default: derived from the file's model and the catalog)",
        )

    def __init__(self, context: CodemodContext, old_name: str, new_name: str | None = None) -> None:
        super().__init__(context)
        self.old_name = old_name
        self.new_name = new_name
        self.aliases: set[str] = set()
        self.rename_uses = False
        self._in_transformers_import = False

    def visit_Module(self, node: cst.Module) -> None:
        catalog = catalog_in(self.context.scratch)
        if self.old_name in catalog.exports:
            raise SkipFile(f"transformers exports {self.old_name}; nothing to replace")
        if self.new_name is None:
            model = name_model(catalog, skeletons.model_name_for(self.context, None))
            self.new_name = replacement_for(catalog, self.old_name, model)
            if self.new_name is None:
                raise SkipFile(f"no export certainly replaces {self.old_name}")
        self.aliases = transformers_aliases(node)
        plain_imports = _plain_transformers_imports(node)
        self.rename_uses = self.old_name in plain_imports
        if (
            self.rename_uses
            and self.new_name in module_level_names(node)
            and self.new_name not in plain_imports
        ):
            raise SkipFile(f"{self.new_name} is already defined; renaming would shadow it")

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.Attribute:
        value = updated_node.value
        if (
            self.new_name is not None
            and isinstance(value, cst.Name)
            and value.value in self.aliases
            and updated_node.attr.value == self.old_name
        ):
            return updated_node.with_changes(attr=cst.Name(self.new_name))
        return updated_node

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self._in_transformers_import = _is_transformers_import(node)

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom:
        self._in_transformers_import = False
        return updated_node

    def leave_ImportAlias(
        self, original_node: cst.ImportAlias, updated_node: cst.ImportAlias
    ) -> cst.ImportAlias:
        name = updated_node.name
        if (
            self._in_transformers_import
            and self.new_name is not None
            and isinstance(name, cst.Name)
            and name.value == self.old_name
        ):
            return updated_node.with_changes(name=name.with_changes(value=self.new_name))
        return updated_node

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        if self.rename_uses and self.new_name is not None and updated_node.value == self.old_name:
            return updated_node.with_changes(value=self.new_name)
        return updated_node


def _is_transformers_import(node: cst.ImportFrom) -> bool:
    return (
        not node.relative
        and isinstance(node.module, cst.Name)
        and node.module.value == "transformers"
    )


def _plain_transformers_imports(module: cst.Module) -> set[str]:
    """Names bound by `from transformers import X` (without `as`) anywhere in the file."""
    names: set[str] = set()
    for node in _module_imports(module):
        if _is_transformers_import(node) and not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                if alias.asname is None and isinstance(alias.name, cst.Name):
                    names.add(alias.name.value)
    return names


def _module_imports(module: cst.Module) -> list[cst.ImportFrom]:
    return [node for node in iter_nodes(module) if isinstance(node, cst.ImportFrom)]
