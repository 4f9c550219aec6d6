"""Every fix a rule offers through a codemod names a codemod command that exists."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest
from libcst.codemod import Codemod

from hflint.linter import lint_text
from hflint.rule import CodemodFix, Rule, all_rules

RULES = Path(__file__).parent.parent / "rules"
# `command="module.ClassName"` as rules write it, literally or in a constant.
COMMAND = re.compile(r"""["']([a-z_]+\.[A-Z][A-Za-z0-9]*Command)["']""")


def _exists(command: str) -> bool:
    module_name, _, class_name = command.rpartition(".")
    try:
        module = importlib.import_module(f"hflint.codemods.{module_name}")
    except ImportError:
        return False
    codemod = getattr(module, class_name, None)
    return inspect.isclass(codemod) and issubclass(codemod, Codemod)


def test_every_command_named_in_the_rules_exists() -> None:
    named = {match for path in RULES.glob("*.py") for match in COMMAND.findall(path.read_text())}
    assert named  # the pattern still finds how rules name their codemods
    assert sorted(command for command in named if not _exists(command)) == []


@pytest.mark.parametrize("rule", list(all_rules().values()), ids=lambda rule: rule.code)
def test_every_codemod_fix_of_the_examples_names_a_codemod_that_exists(rule: type[Rule]) -> None:
    for example in rule.INVALID:
        linted = lint_text(example.path, example.code, [rule])
        for finding in linted.findings:
            fix = finding.report.fix
            if isinstance(fix, CodemodFix):
                assert _exists(fix.command), (rule.code, fix.command)
