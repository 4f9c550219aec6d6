"""`hflint.transform`: a codemod run on the linted tree, descending only where it can act, gives
what LibCST's own `transform_module` gives, and leaves the rest of the tree as it was."""

from __future__ import annotations

from collections.abc import Collection

import libcst as cst
import libcst.matchers as m
import pytest
from libcst.codemod import CodemodContext, SkipFile, VisitorBasedCodemodCommand
from libcst.metadata import PositionProvider

from hflint.linter import lint_text
from hflint.rule import CodemodFix, Invalid, Rule, all_rules
from hflint.transform import transform

SOURCE = """\
import os


def helper(x):
    return x + 1  # a comment


class TestBertModels:
    def test_one(self):
        value = helper(1)
        return {"a": value, "b": [1, 2, 3]}
"""

CODEMOD_CASES = [
    pytest.param(rule, example, finding_index, id=f"{code}-invalid-{index}-{finding_index}")
    for code, rule in all_rules().items()
    for index, example in enumerate(rule.INVALID)
    for finding_index, finding in enumerate(lint_text(example.path, example.code, [rule]).findings)
    if isinstance(finding.report.fix, CodemodFix)
]


def _outcome(run: object) -> str:
    """The code a run produced, or the exception it raised (by type and message)."""
    try:
        result = run() if callable(run) else run
    except Exception as error:  # the fixer reports a codemod's exception; both must raise alike
        return f"{type(error).__name__}: {error}"
    assert isinstance(result, cst.Module)
    return result.code


@pytest.mark.parametrize(("rule", "example", "finding_index"), CODEMOD_CASES)
def test_every_rule_codemod_gives_what_libcst_gives(
    rule: type[Rule], example: Invalid, finding_index: int
) -> None:
    linted = lint_text(example.path, example.code, [rule])
    fix = linted.findings[finding_index].report.fix
    assert isinstance(fix, CodemodFix) and linted.module is not None
    module = linted.module
    expected = _outcome(lambda: fix.codemod(example.path, linted.catalog).transform_module(module))
    assert (
        _outcome(lambda: transform(fix.codemod(example.path, linted.catalog), module)) == expected
    )


def test_there_are_codemod_cases() -> None:
    assert len(CODEMOD_CASES) > 20


class AddImportAtTheEnd(VisitorBasedCodemodCommand):
    """Handles the module only."""

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        return updated_node.with_changes(
            body=[*updated_node.body, cst.parse_statement("import re")]
        )


class RenameHelper(VisitorBasedCodemodCommand):
    """Handles names."""

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        return (
            updated_node.with_changes(value="aid")
            if updated_node.value == "helper"
            else updated_node
        )


class DoubleEveryInteger(VisitorBasedCodemodCommand):
    """A generic `on_leave` that does not say which nodes it replaces: it gets a full pass."""

    def __init__(self, context: CodemodContext, function: str = "") -> None:
        super().__init__(context)
        self.function = function
        self.targets: set[cst.CSTNode] = set()

    def visit_Module(self, node: cst.Module) -> None:
        self.targets = set(m.findall(node, m.Integer()))

    def on_leave(
        self, original_node: cst.CSTNode, updated_node: cst.CSTNode
    ) -> cst.CSTNode | cst.RemovalSentinel | cst.FlattenSentinel[cst.CSTNode]:
        result = super().on_leave(original_node, updated_node)
        if original_node in self.targets and isinstance(result, cst.Integer):
            return result.with_changes(value=str(2 * int(result.value)))
        return result


class DoubleIntegers(DoubleEveryInteger):
    """The same generic `on_leave`, for the integers of one function, which it names."""

    def visit_Module(self, node: cst.Module) -> None:
        for statement in node.body:
            if isinstance(statement, cst.FunctionDef) and statement.name.value == self.function:
                self.targets = set(m.findall(statement, m.Integer()))
        if not self.targets:
            raise SkipFile(f"no integer in {self.function}")

    def nodes_to_replace(self) -> Collection[cst.CSTNode]:
        return self.targets


class RenameWithAMatcher(VisitorBasedCodemodCommand):
    """A matcher decorator: runs through `transform_module`."""

    @m.leave(m.Name("helper"))
    def rename(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        return updated_node.with_changes(value="aid")


class MarkFirstLine(VisitorBasedCodemodCommand):
    """Metadata dependencies: runs through `transform_module`."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        if self.get_metadata(PositionProvider, original_node).start.line == 1:
            return updated_node.with_changes(value="sys")
        return updated_node


@pytest.mark.parametrize(
    ("command", "arguments", "fixed"),
    [
        (AddImportAtTheEnd, {}, SOURCE + "import re\n"),
        (RenameHelper, {}, SOURCE.replace("helper", "aid")),
        (DoubleIntegers, {"function": "helper"}, SOURCE.replace("x + 1", "x + 2")),
        (
            DoubleEveryInteger,
            {},
            SOURCE.replace("1", "2").replace("2, 2, 3", "2, 4, 6"),
        ),
        (RenameWithAMatcher, {}, SOURCE.replace("helper", "aid")),
        (MarkFirstLine, {}, SOURCE.replace("import os", "import sys")),
    ],
)
def test_a_codemod_gives_what_libcst_gives(
    command: type[VisitorBasedCodemodCommand], arguments: dict[str, str], fixed: str
) -> None:
    module = cst.parse_module(SOURCE)
    assert command(CodemodContext(), **arguments).transform_module(module).code == fixed
    assert transform(command(CodemodContext(), **arguments), module).code == fixed


def test_statements_a_codemod_has_nothing_to_do_in_are_not_rebuilt() -> None:
    module = cst.parse_module(SOURCE)
    result = transform(AddImportAtTheEnd(CodemodContext()), module)
    assert all(new is old for new, old in zip(result.body, module.body, strict=False))
    doubled = transform(DoubleIntegers(CodemodContext(), function="helper"), module)
    assert doubled.body[0] is module.body[0]  # the import
    assert doubled.body[2] is module.body[2]  # the class: no target in it
    assert doubled.body[1] is not module.body[1]


def test_a_codemod_that_names_no_nodes_is_not_pruned() -> None:
    module = cst.parse_module(SOURCE)
    result = transform(DoubleEveryInteger(CodemodContext()), module)
    assert result.code == SOURCE.replace("1", "2").replace("2, 2, 3", "2, 4, 6")


def test_a_skipped_file_raises_as_transform_module_does() -> None:
    module = cst.parse_module(SOURCE)
    with pytest.raises(SkipFile, match="no integer in absent"):
        transform(DoubleIntegers(CodemodContext(), function="absent"), module)
