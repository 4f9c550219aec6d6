"""The batched visit: deep node handlers, positions, noqa, shared facts, failing fixes, selection."""

from __future__ import annotations

import libcst as cst
import pytest

from hflint.analysis.facts import TASKS
from hflint.diagnostics import Applicability, Location
from hflint.fixer import fix_text
from hflint.linter import lint_text
from hflint.rule import CodemodFix, Rule, matches_code, select_rules

SOURCE = """\
class TestBertModels:
    def test_pipeline(self):
        return pipeline("fill-mask", device="cuda")  # noqa: HF998


def helper():
    return pipeline("fill-mask", device="cuda")
"""


def _unregistered(cls: type[Rule], code: str, name: str) -> type[Rule]:
    # Setting the code after the class exists keeps these test rules out of the registry.
    cls.code = code
    cls.name = name
    return cls


class _CallsInsideFunctions(Rule):
    """Reports every call returned from a function (exercises nested handlers)."""

    MESSAGE = "call"

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.depth = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.depth += 1

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.depth -= 1

    def visit_Return(self, node: cst.Return) -> None:
        if self.depth and isinstance(node.value, cst.Call):
            self.report(node.value, f"call in a function, depth {self.depth}")


class _PipelineCalls(Rule):
    """Reports how many pipeline calls the engine's `tasks` fact found."""

    MESSAGE = "pipelines"
    FACTS = frozenset({TASKS})

    def leave_Module(self, node: cst.Module) -> None:
        self.report(node, f"{len(self.facts.tasks.calls)} pipeline calls")


class _BrokenFix(Rule):
    """Offers a fix whose codemod raises (it is given an argument it does not take)."""

    MESSAGE = "broken"

    def visit_Module(self, node: cst.Module) -> None:
        fix = CodemodFix(
            title="never applies",
            applicability=Applicability.SAFE,
            command="rename_test_class.RenameTestClassCommand",
            arguments={"no_such_argument": 1},
        )
        self.report(node, fix=fix)


CALLS = _unregistered(_CallsInsideFunctions, "HF998", "calls-inside-functions")
PIPELINES = _unregistered(_PipelineCalls, "HF997", "pipeline-calls")
BROKEN = _unregistered(_BrokenFix, "HF996", "broken-fix")


def test_deep_handlers_positions_and_noqa() -> None:
    findings = lint_text("test_hf_bert.py", SOURCE, [CALLS]).findings
    # The first call is suppressed by its noqa comment; the second is reported at its exact span.
    assert [(f.start, f.end, f.report.message) for f in findings] == [
        (Location(7, 12), Location(7, 48), "call in a function, depth 1")
    ]


def test_a_declared_fact_is_fed_by_the_visit_and_an_undeclared_one_computed() -> None:
    """A fact is the same whether the engine fed it in its visit or the rule's reading computed it,
    and whether other rules run beside the one that declares it."""
    undeclared = _unregistered(
        type("_Undeclared", (_PipelineCalls,), {"FACTS": frozenset()}), "HF995", "undeclared"
    )
    for rules in ([PIPELINES], [undeclared], [CALLS, PIPELINES]):
        messages = [f.report.message for f in lint_text("test_hf_bert.py", SOURCE, rules).findings]
        assert "2 pipeline calls" in messages, rules


def test_a_codemod_that_raises_is_reported_not_swallowed() -> None:
    linted = lint_text("test_hf_bert.py", SOURCE, [BROKEN])
    [diagnostic] = linted.diagnostics(with_edits=True)
    assert diagnostic.fix is None  # not advertised
    [error] = linted.fix_errors
    assert error.startswith("HF996 fix at 1:1 not offered: its codemod ")
    assert "rename_test_class.RenameTestClassCommand raised TypeError" in error
    result = fix_text("test_hf_bert.py", SOURCE, [BROKEN], unsafe=True)
    assert result.text == SOURCE and result.messages == [error]


@pytest.mark.parametrize(
    ("select", "ignore", "expected"),
    [
        (["ALL"], [], True),
        (["HF1"], [], True),
        (["HF2"], [], False),
        (["ALL"], ["HF1"], False),
        (["HF102"], ["HF1"], True),  # the more specific selector wins
        (["HF1"], ["HF102"], False),
        (["HF1"], ["ALL"], True),
    ],
)
def test_selection_precedence(select: list[str], ignore: list[str], expected: bool) -> None:
    chosen = {rule.code for rule in select_rules(select, ignore)}
    assert ("HF102" in chosen) is expected


def test_prefixes_match_codes() -> None:
    assert matches_code("HF102", ["HF1"]) and not matches_code("HF102", ["HF2"])
