"""Add a method of the canonical skeleton's test class to a file's test class (HF103, HF104)."""

from __future__ import annotations

import argparse

import libcst as cst
from hflint.codemods import skeletons
from libcst.codemod import CodemodContext, SkipFile, VisitorBasedCodemodCommand

from hflint.analysis.testclass import find_test_class
from hflint.catalog import catalog_in
from hflint.edits.module_statements import insert_support, support_for
from hflint.naming import expected_class_name


class AddTestMethodCommand(VisitorBasedCodemodCommand):
    DESCRIPTION = (
        "Add a method (test_pipeline, run_tests...) from hflint's skeleton to the test class."
    )

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument("--method", dest="method", required=True, help="method to add")

    def __init__(self, context: CodemodContext, method: str, model_name: str | None = None) -> None:
        super().__init__(context)
        self.method = method
        self.model_name = model_name

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        model_name = skeletons.model_name_for(self.context, self.model_name)
        target = find_test_class(updated_node, expected_class_name(model_name))
        if target is None:
            raise SkipFile("the file has no test class to add the method to")
        skeleton = skeletons.filled_skeleton(
            model_name, catalog_in(self.context.scratch), class_name=target.name.value
        )
        new_method = skeletons.method(skeleton, self.method)
        body = target.body
        assert isinstance(body, cst.IndentedBlock), "a one-line class body has no methods to keep"
        extended = target.with_changes(body=body.with_changes(body=[*body.body, new_method]))
        module = updated_node.with_changes(
            body=[extended if statement is target else statement for statement in updated_node.body]
        )
        support = support_for(skeleton, [new_method], module)
        return insert_support(module, support)
