"""Move a local variable's first assignment up to just before its first read (HF402).

The function is named by its dotted qualified name (`TestBertModels.test_from_pretrained`; with
`occurrence` to pick among functions defined twice under one name). The move is made only when it
keeps the rest of the function meaning the same (see `hflint.edits.assignment_move`); otherwise
the file is skipped. Unsafe: the assignment's right-hand side runs earlier than it did.
"""

from __future__ import annotations

import argparse

import libcst as cst
from libcst.codemod import CodemodContext, SkipFile, VisitorBasedCodemodCommand

from hflint.edits.assignment_move import functions, move_assignment


class MoveAssignmentUpCommand(VisitorBasedCodemodCommand):
    DESCRIPTION = "Move a variable's first assignment up to just before its first read."

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument(
            "--function",
            dest="function",
            required=True,
            help="dotted name of the function (TestBertModels.test_from_pretrained)",
        )
        arg_parser.add_argument(
            "--name", dest="name", required=True, help="the variable read before its assignment"
        )
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

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        matches = [f for q, f in functions(updated_node) if q == self.function]
        if len(matches) <= self.occurrence:
            raise SkipFile(f"no function {self.function} (occurrence {self.occurrence})")
        function = matches[self.occurrence]
        moved = move_assignment(function, self.variable)
        if moved is None:
            raise SkipFile(
                f"the first assignment to `{self.variable}` in {self.function} cannot be moved "
                "up safely"
            )
        result = updated_node.deep_replace(function, moved)
        assert isinstance(result, cst.Module)
        return result
