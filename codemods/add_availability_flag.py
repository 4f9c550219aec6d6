"""Define a `HAS_<X>` availability flag that the file reads but never sets (HF401).

Adds a guarded import after the file's other guarded imports (or after its imports):

    try:
        import sentencepiece  # noqa: F401
        HAS_SENTENCEPIECE = True
    except ImportError:
        HAS_SENTENCEPIECE = False

The module defaults to the one the flag names (`HAS_PIL` -> `PIL`, otherwise the lower-cased
suffix). Skipped when the file already binds the flag at module level.
"""

from __future__ import annotations

import argparse

import libcst as cst
from libcst.codemod import CodemodContext, SkipFile, VisitorBasedCodemodCommand

from hflint.analysis.flags import flag_module
from hflint.analysis.testclass import module_level_names
from hflint.edits.module_statements import (
    check_dotted,
    insert_module_statements,
    parse_statement,
)


class AddAvailabilityFlagCommand(VisitorBasedCodemodCommand):
    DESCRIPTION = "Set a HAS_<X> flag from a guarded `import <x>` (try / except ImportError)."

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument(
            "--flag", dest="flag", required=True, help="the flag to define (HAS_SENTENCEPIECE)"
        )
        arg_parser.add_argument(
            "--module",
            dest="module",
            default=None,
            help="the module whose import sets it (default: from the flag's name)",
        )

    def __init__(self, context: CodemodContext, flag: str, module: str | None = None) -> None:
        super().__init__(context)
        self.flag = flag
        self.module_name = module

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        check_dotted(self.flag, "flag")
        if "." in self.flag:
            raise SkipFile(f"{self.flag!r} is not a single identifier")
        module = self.module_name or flag_module(self.flag)
        if module is None:
            raise SkipFile(f"no module to import for {self.flag}; give --module")
        check_dotted(module, "module")
        if self.flag in module_level_names(updated_node):
            raise SkipFile(f"`{self.flag}` is already defined at module level")
        block = parse_statement(
            f"try:\n    import {module}  # noqa: F401\n    {self.flag} = True\n"
            f"except ImportError:\n    {self.flag} = False\n"
        )
        return insert_module_statements(
            updated_node, definitions=[block], defines=[self.flag], after_guarded_imports=True
        )
