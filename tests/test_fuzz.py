"""The engine under fuzzing (tests/fuzzing.py): a few hundred inputs, derandomized so that every run
checks the same ones (bench/fuzz runs ten thousand and more). Hypothesis shrinks a failure to a
small input; keep it under fixtures/fuzz/ (tests/test_fuzz_regressions.py runs those)."""

from __future__ import annotations

import fuzzing
from hypothesis import HealthCheck, Phase, given, settings

# The same inputs on every run, none saved between runs; fixing costs several lints, so the
# fix and file properties get fewer inputs than lint.
FIXED = settings(
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
)


@settings(FIXED, max_examples=200)
@given(fuzzing.cases())
def test_lint_never_raises_and_reports_what_does_not_parse(case: fuzzing.Case) -> None:
    problems = fuzzing.check_lint(case)
    assert not problems, f"{case.describe()}\n" + "\n".join(problems)


@settings(FIXED, max_examples=80)
@given(fuzzing.cases())
def test_fix_keeps_its_properties(case: fuzzing.Case) -> None:
    problems = fuzzing.check_fix(case)
    assert not problems, f"{case.describe()}\n" + "\n".join(problems)


@settings(FIXED, max_examples=40)
@given(fuzzing.file_cases())
def test_files_round_trip_through_the_runner(case: fuzzing.FileCase) -> None:
    problems = fuzzing.check_file_round_trip(case)
    assert not problems, f"{case.describe()}\n" + "\n".join(problems)
