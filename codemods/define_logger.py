"""Define the module's `logger` that the file uses but never defines (HF401).

Adds `logger = logging.getLogger(__name__)` after the file's imports, with `import logging` when the
file lacks it, before any module-level statement that already reads `logger`. Skipped when the file
already binds the name at module level.
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


class DefineLoggerCommand(VisitorBasedCodemodCommand):
    DESCRIPTION = "Define `logger = logging.getLogger(__name__)` (and import logging) if missing."

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument(
            "--name", dest="name", default="logger", help="the logger's name (default: logger)"
        )

    def __init__(self, context: CodemodContext, name: str = "logger") -> None:
        super().__init__(context)
        self.logger_name = name

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        check_dotted(self.logger_name, "name")
        if "." in self.logger_name:
            raise SkipFile(f"{self.logger_name!r} is not a single identifier")
        defined = module_level_names(updated_node)
        if self.logger_name in defined:
            raise SkipFile(f"`{self.logger_name}` is already defined at module level")
        imports = [] if "logging" in defined else [parse_statement("import logging")]
        definition = parse_statement(f"{self.logger_name} = logging.getLogger(__name__)")
        return insert_module_statements(
            updated_node,
            imports=imports,
            definitions=[definition],
            defines=[self.logger_name, *(["logging"] if imports else [])],
            needs=[] if imports else ["logging"],
        )
