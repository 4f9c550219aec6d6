"""Move a local variable's first assignment up to just before its first read (HF402).

The function is named by its dotted qualified name (`TestBertModels.test_from_pretrained`; with
`occurrence` to pick among functions defined twice under one name). The move is made only when it
keeps the rest of the function meaning the same (see `hflint.edits.assignment_move`); otherwise
the file is skipped. Unsafe: the assignment's right-hand side runs earlier than it did.
"""

from __future__ import annotations

import libcst as cst
from hflint.codemods._function_variable import FunctionVariableCommand

from hflint.edits.assignment_move import move_assignment


class MoveAssignmentUpCommand(FunctionVariableCommand):
    DESCRIPTION = "Move a variable's first assignment up to just before its first read."
    FUNCTION_EXAMPLE = "TestBertModels.test_from_pretrained"
    VARIABLE_HELP = "the variable read before its assignment"

    def rewrite(self, module: cst.Module, function: cst.FunctionDef) -> cst.FunctionDef | None:
        return move_assignment(function, self.variable)

    def skip_reason(self) -> str:
        return (
            f"the first assignment to `{self.variable}` in {self.function} cannot be moved "
            "up safely"
        )
