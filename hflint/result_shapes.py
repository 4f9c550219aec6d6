"""The shapes of what a script-style file's `run_tests()` returns, as real suites write them: which
keys hold tests, which never do, and what a status string means. One vocabulary for the reader
`hflint exec` uses (`hflint.exec.results`) and for the rule that reports a `run_tests()` whose
result that reader cannot read (HF107); README's "The result shapes exec reads" shows them.

Lint-safe: plain data and regular expressions, nothing imported from `hflint.exec` or torch.
"""

from __future__ import annotations

import re
from typing import TypeGuard

# A test's outcome (also a file's statuses, with the ones only a whole file has: `hflint.exec`).
PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"

# Where a dict of tests may be nested, in the order they are looked for; without any of them the
# returned dict itself holds the tests.
CONTAINERS = ("results", "tests", "status")
# Names that are never a test, whatever they hold.
NOT_TESTS = frozenset(
    {
        "metadata",
        "examples",
        "performance",
        "performance_stats",
        "hardware",
        "hardware_info",
        "environment",
        "model_info",
        "timings",
        "timing",
        "summary",
        "config",
        "device",
        "error",
        "errors",
        "traceback",
        "message",
        "reason",
        "output",
        "timestamp",
    }
)
# A test's own dict says how it went in `success` (or, failing that, in `status`, or an `error`);
# a flat test is `<test>_success` beside `<test>_error`, `<test>_error_type`...
SUCCESS = "success"
SUCCESS_SUFFIX = "_success"
STATUS = "status"
ERROR_KEY = "error"

# Status strings, by their first word (case aside). A success on mock objects did not run the
# model: it is a skip, not a pass. A string in a `success` or `status` field that none of these
# match is a failure; a loose string value that none match is not a test at all.
_FAILED_WORDS = re.compile(
    r"^\W*(fail|failed|failure|error|errored|exception|crash|crashed)\b", re.I
)
_SKIPPED_WORDS = re.compile(
    r"^\W*(skip|skipped|not run|not available|unavailable|not implemented)\b", re.I
)
_PASSED_WORDS = re.compile(r"^\W*(success|successful|succeeded|passed|pass|ok)\b", re.I)
_MOCK = re.compile(r"\bmock", re.I)


def status_of(text: str) -> str | None:
    """`passed`, `failed` or `skipped` for a status string (a mocked success is a skip), else
    None: the string is no status."""
    if _FAILED_WORDS.match(text):
        return FAILED
    if _SKIPPED_WORDS.match(text):
        return SKIPPED
    if _PASSED_WORDS.match(text):
        return SKIPPED if is_mock(text) else PASSED
    return None


def is_mock(text: str) -> bool:
    """The status says the test ran on mock objects (`"Success (MOCK)"`)."""
    return _MOCK.search(text) is not None


def is_flat_success(key: object) -> TypeGuard[str]:
    """`pipeline_success`: a flat test's outcome key."""
    return isinstance(key, str) and key.endswith(SUCCESS_SUFFIX)
