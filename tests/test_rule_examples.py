"""Every rule's VALID and INVALID examples, collected as test cases (the docs are the tests)."""

from __future__ import annotations

import pytest
from libcst import parse_module

from hflint.fixer import fix_text
from hflint.linter import lint_text
from hflint.project import check_texts
from hflint.rule import Invalid, RenameFix, Rule, Valid, all_rules

VALID_CASES = [
    pytest.param(rule, example, id=f"{code}-valid-{index}")
    for code, rule in all_rules().items()
    for index, example in enumerate(rule.VALID)
]
INVALID_CASES = [
    pytest.param(rule, example, id=f"{code}-invalid-{index}")
    for code, rule in all_rules().items()
    for index, example in enumerate(rule.INVALID)
]


def test_every_rule_has_examples() -> None:
    for code, rule in all_rules().items():
        assert rule.VALID and rule.INVALID, f"{code} needs VALID and INVALID examples"


def _codes(rule: type[Rule], example: Valid | Invalid) -> list[str]:
    """The codes reported on the example, run together with its neighbour files."""
    files = {example.path: example.code, **dict(example.neighbours)}
    return [d.code for d in check_texts(files, [rule])[example.path]]


@pytest.mark.parametrize(("rule", "example"), VALID_CASES)
def test_valid_example_is_not_reported(rule: type[Rule], example: Valid) -> None:
    assert _codes(rule, example) == []


@pytest.mark.parametrize(("rule", "example"), INVALID_CASES)
def test_invalid_example_is_reported_and_fixed(rule: type[Rule], example: Invalid) -> None:
    assert _codes(rule, example) == [rule.code] * example.count
    findings = lint_text(example.path, example.code, [rule]).findings
    result = fix_text(example.path, example.code, [rule], unsafe=True)
    if example.fixed is not None:
        assert result.text == example.fixed
    if result.text != example.code:
        # Whatever a fix produced parses, settles the rule, and a second run changes nothing.
        parse_module(result.text)
        assert lint_text(example.path, result.text, [rule]).findings == []
        assert fix_text(example.path, result.text, [rule], unsafe=True).text == result.text
    else:
        # A rename changes the file's name, not its text (the engine tests cover renaming).
        text_fixes = [
            f for f in findings if f.report.fix and not isinstance(f.report.fix, RenameFix)
        ]
        assert not text_fixes, "a fix was offered but changed nothing"
