"""The base of the HF402 codemods: one rewrite of one function, for one of its local variables.

The function is named by its dotted qualified name (`TestBertModels.test_pipeline`; with
`occurrence` to pick among functions defined twice under one name); a subclass says how the
function is rewritten, and why a file is skipped when it cannot be.
"""

from __future__ import annotations

import argparse
from typing import ClassVar

import libcst as cst
from libcst.codemod import CodemodContext, SkipFile, VisitorBasedCodemodCommand

from hflint.edits.assignment_move import functions


class FunctionVariableCommand(VisitorBasedCodemodCommand):
    # How `--function` and `--name` are described on the command line.
    FUNCTION_EXAMPLE: ClassVar[str]
    VARIABLE_HELP: ClassVar[str]

    @classmethod
    def add_args(cls, arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument(
            "--function",
            dest="function",
            required=True,
            help=f"dotted name of the function ({cls.FUNCTION_EXAMPLE})",
        )
        arg_parser.add_argument("--name", dest="name", required=True, help=cls.VARIABLE_HELP)
        arg_parser.add_argument(
            "--occurrence",
            dest="occurrence",
            type=int,
            default=0,
            help="which function of that name, counting from 0 (default: the first)",
        )

    def __init__(
        self, context: CodemodContext, function: str, name: str, occurrence: int = 0
    ) -> None:
        super().__init__(context)
        self.function = function
        self.variable = name
        self.occurrence = occurrence

    def rewrite(self, module: cst.Module, function: cst.FunctionDef) -> cst.FunctionDef | None:
        """The function rewritten, or None when this file must be skipped."""
        raise NotImplementedError

    def skip_reason(self) -> str:
        """Why the named function cannot be rewritten."""
        raise NotImplementedError

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        matches = [f for q, f in functions(updated_node) if q == self.function]
        if len(matches) <= self.occurrence:
            raise SkipFile(f"no function {self.function} (occurrence {self.occurrence})")
        function = matches[self.occurrence]
        rewritten = self.rewrite(updated_node, function)
        if rewritten is None:
            raise SkipFile(self.skip_reason())
        result = updated_node.deep_replace(function, rewritten)
        assert isinstance(result, cst.Module)
        return result
