"""Start a timer read before its assignment when its function starts (HF402).

`load_time = time.time() - start_time` above `start_time = time.time()`: the function gets
`start_time = time.time()` as its first statement (after its docstring), a copy of the first
assignment, which stays where it is. The function is named by its dotted qualified name
(`TestBertModels.test_pipeline`; with `occurrence` to pick among functions defined twice under one
name). Only for a first assignment that reads a clock of the standard library (see
`hflint.edits.assignment_move`); otherwise the file is skipped.
"""

from __future__ import annotations

import libcst as cst
from hflint.codemods._function_variable import FunctionVariableCommand

from hflint.edits.assignment_move import start_clock


class StartClockCommand(FunctionVariableCommand):
    DESCRIPTION = "Start a timer read before its assignment when its function starts."
    FUNCTION_EXAMPLE = "TestBertModels.test_pipeline"
    VARIABLE_HELP = "the timer read before its assignment"

    def rewrite(self, module: cst.Module, function: cst.FunctionDef) -> cst.FunctionDef | None:
        return start_clock(module, function, self.variable)

    def skip_reason(self) -> str:
        return f"the first assignment to `{self.variable}` in {self.function} reads no clock"
