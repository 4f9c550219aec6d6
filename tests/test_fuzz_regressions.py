"""Inputs the fuzzer (tests/fuzzing.py, bench/fuzz) found crashing or misreported, one file each
under fixtures/fuzz/: every fuzzing property holds on them, in process and as files."""

from __future__ import annotations

from pathlib import Path

import fuzzing
import pytest

from hflint.linter import NESTED_TOO_DEEPLY, lint_text
from hflint.source import decode_source

CASES = sorted((fuzzing.FIXTURES / "fuzz").glob("*.py"))


def _case(path: Path) -> fuzzing.Case:
    text = decode_source(path, path.read_bytes()).text
    return fuzzing.Case(path.name, text, text, ())


@pytest.mark.parametrize("path", CASES, ids=lambda path: path.stem)
def test_fuzz_regression_keeps_every_property(path: Path) -> None:
    case = _case(path)
    assert fuzzing.check_lint(case) == []
    assert fuzzing.check_fix(case) == []
    assert fuzzing.check_file_round_trip(fuzzing.FileCase(path.name, path.read_bytes(), "")) == []


def test_a_tree_too_deep_to_visit_is_reported_as_hf001() -> None:
    case = _case(fuzzing.FIXTURES / "fuzz" / "test_hf_bert_deep_expression.py")
    linted = lint_text(case.path, case.text, fuzzing.rules())
    assert linted.module is None  # no rule looks at the tree: the file is not analysed
    [finding] = [f for f in linted.findings if f.code == "HF001"]
    assert finding.start.row == 1
    assert NESTED_TOO_DEEPLY in finding.report.message
    assert finding.report.fix is None


def test_a_bom_left_in_the_text_is_a_syntax_error() -> None:
    case = _case(fuzzing.FIXTURES / "fuzz" / "test_hf_bert_two_boms.py")
    assert case.text.startswith("\ufeff")
    linted = lint_text(case.path, case.text, fuzzing.rules())
    assert linted.module is None
    [finding] = [f for f in linted.findings if f.code == "HF001"]
    assert "U+FEFF" in finding.report.message


def test_a_nul_in_a_comment_is_a_syntax_error() -> None:
    case = _case(fuzzing.FIXTURES / "fuzz" / "test_hf_bert_nul_in_comment.py")
    linted = lint_text(case.path, case.text, fuzzing.rules())
    assert linted.module is None
    [finding] = [f for f in linted.findings if f.code == "HF001"]
    assert finding.start.row == 2
