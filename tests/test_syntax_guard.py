"""A syntax repair never changes the meaning of what already parsed; what a broken file salvages."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from hflint.salvage import salvaged_module
from hflint.syntax import recover
from hflint.syntax_guard import changed_lines, outside_repairs_violations

FIXTURES = Path(__file__).parent.parent / "fixtures"


def _unparsable_fixtures() -> list[Path]:
    found = []
    for path in sorted(FIXTURES.rglob("test_hf_*.py")):
        try:
            ast.parse(path.read_text(encoding="utf-8-sig"))
        except SyntaxError:
            found.append(path)
    return found


UNPARSABLE = _unparsable_fixtures()


def test_the_fixtures_hold_unparsable_files() -> None:
    names = {path.name for path in UNPARSABLE}
    assert {"test_hf_blip.py", "test_hf_bert.py", "test_hf_t5.py"} <= names


@pytest.mark.parametrize("path", UNPARSABLE, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_repair_keeps_every_statement_outside_the_lines_it_changes(path: Path) -> None:
    source = path.read_text(encoding="utf-8-sig")
    recovery = recover(source, path.name)
    if recovery is None:
        return  # no repair: the rule regenerates the file (tests/test_fix_preservation.py)
    compile(recovery.source, path.name, "exec")
    assert outside_repairs_violations(source, recovery.source) == []
    changed, removed = changed_lines(source, recovery.source)
    assert (changed, removed) == (recovery.changed, recovery.removed)
    assert 0 < recovery.lines_changed <= 30


def test_a_dedented_body_is_indented_not_replaced_by_pass() -> None:
    # `pass` under the guard would make the `return` after it unconditional.
    source = (
        "def test_pipeline(self):\n"
        "    if not HAS_TRANSFORMERS:\n"
        "    return {'success': False}\n"
        "    return run()\n"
    )
    recovery = recover(source, "test_hf_blip.py")
    assert recovery is not None
    assert recovery.source == source.replace("    return {", "        return {")
    assert recovery.changed == (3,)


def test_the_guard_finds_a_statement_swallowed_into_a_string() -> None:
    original = "x = 1\ny = compute(2)\nz = 3\n"
    swallowed = 'x = """\ny = compute(2)\n"""\nz = 3\n'
    [violation] = outside_repairs_violations(original, swallowed)
    assert violation.startswith("line 2:")


def test_the_guard_finds_a_statement_swallowed_into_brackets() -> None:
    original = "x = f(1))\nreport()\n"
    # `report()` keeps its line but becomes an argument: its statement is gone.
    [violation] = outside_repairs_violations(original, "x = f(1,\nreport()\n)\n")
    assert violation.startswith("line 2:")
    assert outside_repairs_violations(original, "x = f(1)\nreport()\n") == []


def test_salvaged_module_keeps_what_parses_alone() -> None:
    source = (
        "import os\n"
        "BERT_MODELS_REGISTRY = {'bert-base-uncased': {'task': 'fill-mask'}}\n"
        "x = = 1\n"
        "class TestBertModels:\n"
        "    def test_kept(self):\n"
        "        return os.sep\n"
        "    def test_broken(self):\n"
        "        x = = 1\n"
        "    @staticmethod\n"
        "    def helper():\n"
        "        return 1\n"
    )
    module = salvaged_module(source)
    assert module.code == (
        "import os\n"
        "BERT_MODELS_REGISTRY = {'bert-base-uncased': {'task': 'fill-mask'}}\n"
        "class TestBertModels:\n"
        "    def test_kept(self):\n"
        "        return os.sep\n"
        "    @staticmethod\n"
        "    def helper():\n"
        "        return 1\n"
    )


def test_salvaged_module_of_nothing_that_parses_is_empty() -> None:
    assert not salvaged_module("def (:\n    pass\n").body
