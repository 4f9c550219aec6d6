"""Add the `Test<Model>Models` class, from the canonical skeleton, to a file that has none (HF101)."""

from __future__ import annotations

import libcst as cst
from hflint.codemods import skeletons
from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand

from hflint.catalog import catalog_in
from hflint.edits.module_statements import insert_before_entry, insert_support, support_for


class AddTestClassCommand(VisitorBasedCodemodCommand):
    DESCRIPTION = "Add the Test<Model>Models class from hflint's canonical skeleton."

    def __init__(self, context: CodemodContext, model_name: str | None = None) -> None:
        super().__init__(context)
        self.model_name = model_name

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        skeleton = skeletons.filled_skeleton(
            skeletons.model_name_for(self.context, self.model_name),
            catalog_in(self.context.scratch),
        )
        test_class = skeletons.test_class(skeleton)
        support = support_for(skeleton, [test_class], updated_node)
        module = insert_support(updated_node, support)
        return insert_before_entry(module, [test_class], before="main")
