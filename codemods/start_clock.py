"""Start a timer read before its assignment when its function starts (HF402).

`load_time = time.time() - start_time` above `start_time = time.time()`: the function gets
`start_time = time.time()` as its first statement (after its docstring), a copy of the first
assignment, which stays where it is. The function is named by its dotted qualified name
(`TestBertModels.test_pipeline`; with `occurrence` to pick among functions defined twice under one
name). Only for a first assignment that reads a clock of the standard library (see
`hflint.edits.assignment_move`); otherwise the file is skipped.
"""

from __future__ import annotations

import argparse

import libcst as cst
from libcst.codemod import CodemodContext, SkipFile, VisitorBasedCodemodCommand

from hflint.edits.assignment_move import functions, start_clock


class StartClockCommand(VisitorBasedCodemodCommand):
    DESCRIPTION = "Start a timer read before its assignment when its function starts."

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument(
            "--function",
            dest="function",
            required=True,
            help="dotted name of the function (TestBertModels.test_pipeline)",
        )
        arg_parser.add_argument(
            "--name", dest="name", required=True, help="the timer read before its assignment"
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
        started = start_clock(updated_node, function, self.variable)
        if started is None:
            raise SkipFile(
                f"the first assignment to `{self.variable}` in {self.function} reads no clock"
            )
        result = updated_node.deep_replace(function, started)
        assert isinstance(result, cst.Module)
        return result
