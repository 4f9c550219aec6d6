"""Import a standard-library module (or one of its members) that the file reads but never
imports (HF401).

`import <module>` joins the file's top-level imports; with `name`, `from <module> import <name>`
(for a name used as the module's same-named member, such as `datetime.now()`). The import goes
before any module-level statement that already reads the name. Skipped when the file already binds
the name at module level.
"""

from __future__ import annotations

import argparse

import libcst as cst
from libcst.codemod import CodemodContext, SkipFile, VisitorBasedCodemodCommand

from hflint.analysis.testclass import module_level_names
from hflint.edits.module_statements import (
    check_dotted,
    insert_module_statements,
    parse_statement,
)


class AddMissingImportCommand(VisitorBasedCodemodCommand):
    DESCRIPTION = "Import a module (or `from module import name`) that the file uses but lacks."

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument(
            "--module", dest="module", required=True, help="module to import (datetime, os.path)"
        )
        arg_parser.add_argument(
            "--name",
            dest="name",
            default=None,
            help="import this member of the module instead (from MODULE import NAME)",
        )

    def __init__(self, context: CodemodContext, module: str, name: str | None = None) -> None:
        super().__init__(context)
        self.module_name = module
        self.member = name

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        check_dotted(self.module_name, "module")
        if self.member is not None:
            check_dotted(self.member, "name")
            if "." in self.member:
                raise SkipFile(f"name {self.member!r} is not a single identifier")
        bound = self.member or self.module_name.split(".")[0]
        if bound in module_level_names(updated_node):
            raise SkipFile(f"`{bound}` is already defined at module level")
        code = (
            f"import {self.module_name}"
            if self.member is None
            else f"from {self.module_name} import {self.member}"
        )
        return insert_module_statements(
            updated_node, imports=[parse_statement(code)], defines=[bound]
        )
