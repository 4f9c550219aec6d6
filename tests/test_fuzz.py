"""The engine under fuzzing (tests/fuzzing.py): a few hundred inputs with a fixed seed, so that a
run is the same every time (bench/fuzz runs ten thousand and more). Hypothesis shrinks a failure
to a small input; put it under fixtures/fuzz/ (tests/test_fuzz_regressions.py runs those)."""

from __future__ import annotations

import fuzzing
from hypothesis import HealthCheck, Phase, given, settings

# Derandomized: the same inputs on every run, none saved between runs.
FIXED = settings(
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
)


@settings(FIXED, max_examples=150)
@given(fuzzing.cases())
def test_lint_and_fix_keep_their_properties(case: fuzzing.Case) -> None:
    problems = fuzzing.check_lint(case) + fuzzing.check_fix(case)
    assert not problems, f"{case.describe()}\n" + "\n".join(problems)


@settings(FIXED, max_examples=60)
@given(fuzzing.file_cases())
def test_files_round_trip_through_the_runner(case: fuzzing.FileCase) -> None:
    problems = fuzzing.check_file_round_trip(case)
    assert not problems, f"{case.describe()}\n" + "\n".join(problems)
