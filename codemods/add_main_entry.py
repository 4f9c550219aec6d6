"""Give the file an entry point whose exit status reflects its results (HF105).

Adds `if __name__ == "__main__": sys.exit(main())` where there is no entry guard, wraps a bare
`main()` call in an existing guard as `sys.exit(main())`, and adds the skeleton's `main()` where the
file has none. With `replace_main`, a `main()` that returns nothing is replaced by the skeleton's,
which returns 0 only when every test passed: that drops the old `main()`'s own arguments and output,
so it is an unsafe fix.
"""

from __future__ import annotations

import argparse

import libcst as cst
import libcst.matchers as m
from hflint.codemods import skeletons
from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand

from hflint.analysis.testclass import find_test_class, main_guards, top_level_function
from hflint.catalog import catalog_in
from hflint.edits.module_statements import (
    definition,
    insert_before_entry,
    insert_support,
    support_for,
)
from hflint.naming import expected_class_name

BARE_MAIN_CALL = m.SimpleStatementLine(body=[m.Expr(value=m.Call(func=m.Name("main")))])


class AddMainEntryCommand(VisitorBasedCodemodCommand):
    DESCRIPTION = (
        "Add or correct the `if __name__ == '__main__'` entry so the exit status reflects results."
    )

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument(
            "--replace-main", dest="replace_main", action="store_true", help="replace main()"
        )

    def __init__(
        self, context: CodemodContext, replace_main: bool = False, model_name: str | None = None
    ) -> None:
        super().__init__(context)
        self.replace_main = replace_main
        self.model_name = model_name

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        model_name = skeletons.model_name_for(self.context, self.model_name)
        test_class = find_test_class(updated_node, expected_class_name(model_name))
        skeleton = skeletons.filled_skeleton(
            model_name,
            catalog_in(self.context.scratch),
            class_name=None if test_class is None else test_class.name.value,
        )
        module = updated_node
        added: list[cst.CSTNode] = []
        existing_main = top_level_function(module, "main")
        if existing_main is None or self.replace_main:
            new_main = definition(skeleton, "main")
            added.append(new_main)
            if existing_main is None:
                module = insert_before_entry(module, [new_main], before="main")
            else:
                module = module.with_changes(
                    body=[new_main if s is existing_main else s for s in module.body]
                )
        guards = list(main_guards(module))
        if guards:
            exit_call = _exit_call(skeleton)
            module = module.with_changes(
                body=[
                    _wrap_bare_main(s, exit_call) if isinstance(s, cst.If) and s in guards else s
                    for s in module.body
                ]
            )
            added.append(exit_call)
        else:
            guard = skeletons.entry_guard(skeleton)
            module = module.with_changes(body=[*module.body, guard])
            added.append(guard)
        support = support_for(skeleton, added, module)
        return insert_support(module, support)


def _exit_call(skeleton: cst.Module) -> cst.SimpleStatementLine:
    """`sys.exit(main())`, the statement in the skeleton's entry guard."""
    statement = skeletons.entry_guard(skeleton).body.body[0]
    assert isinstance(statement, cst.SimpleStatementLine)
    return statement


def _wrap_bare_main(guard: cst.If, exit_call: cst.SimpleStatementLine) -> cst.If:
    body = guard.body
    assert isinstance(body, cst.IndentedBlock)
    statements = [
        exit_call.with_changes(
            leading_lines=s.leading_lines, trailing_whitespace=s.trailing_whitespace
        )
        if isinstance(s, cst.SimpleStatementLine) and m.matches(s, BARE_MAIN_CALL)
        else s
        for s in body.body
    ]
    return guard.with_changes(body=body.with_changes(body=statements))
