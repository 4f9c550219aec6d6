"""Per-test outcomes out of whatever a script-style file's `run_tests()` returned, and a file's
verdict out of its tests' outcomes (shared by the three styles).

Real suites return their results in several shapes (README, "The result shapes exec reads"):

- `{"results": {name: {"success": bool, ...}}, "metadata": {...}}`, the suite's contract;
- per-test dicts beside `metadata`, with no `results` level;
- flat `<test>_success` keys, with `<test>_error`, `<test>_error_type`, ... beside them;
- a `results` (or `tests`, or `status`) dict beside `examples`, `performance`, `hardware`, whose
  entries are per-device dicts of prefixed keys (`"pipeline_cpu": {"pipeline_success": ...}`);
- status strings instead of bools (`"Success (REAL)"`, `"Failed CPU handler"`, `"skipped"`).

What is not a test never counts: `metadata` (whose own `success` is usually an OR of two tests),
`examples`, `performance`, `hardware` and the like, and values that are neither a test's dict, a
`<test>_success` key nor a status string. Returned values where no test can be found are an `error`
whose reason shows what came back (keys and value types, truncated).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from hflint.exec.protocol import ERROR, FAILED, PASSED, SKIPPED, CaseOutcome, Outcome
from hflint.result_shapes import (
    CONTAINERS,
    ERROR_KEY,
    NOT_TESTS,
    STATUS,
    SUCCESS,
    is_flat_success,
    is_mock,
    status_of,
)

TEXT_LIMIT = 8000  # characters of a file's error or traceback kept in its record
CASE_TEXT_LIMIT = 2000  # characters of one test's error or traceback


@dataclass(frozen=True)
class _Read:
    """One test read from the results, with the times it reports."""

    case: CaseOutcome
    load_time: float | None = None
    inference_time: float | None = None


def evaluate(returned: object) -> Outcome:
    """The outcome of a script-style file from what its `run_tests()` returned."""
    read = read_tests(returned)
    if not read:
        return Outcome(
            status=ERROR,
            reason=f"run_tests() returned no test results hflint can read: {describe(returned)}",
            error="run_tests() returned " + describe(returned, depth=3, limit=2000),
        )
    outcome = verdict({name: test.case for name, test in read.items()})
    loads = [t.load_time for t in read.values() if t.load_time is not None]
    inferences = [t.inference_time for t in read.values() if t.inference_time is not None]
    if not loads and not inferences:
        return outcome
    return replace(
        outcome, load_seconds=round(sum(loads), 4), inference_seconds=round(sum(inferences), 4)
    )


def read_tests(returned: object) -> dict[str, _Read]:
    """Every test in the returned value, by name (empty when none can be found)."""
    if not isinstance(returned, Mapping):
        return {}
    container: Mapping[object, object] = returned
    for container_key in CONTAINERS:
        nested = returned.get(container_key)
        if isinstance(nested, Mapping):
            container = nested
            break
    found: dict[str, _Read] = {}
    prefixes = _prefixes(container)
    for key, value in container.items():
        name = str(key)
        if name in NOT_TESTS or any(name.startswith(p) for p in prefixes):
            continue  # a flat test's own keys are read with its `<test>_success`
        if isinstance(value, Mapping):
            found.update(_entry_tests(name, value))
        elif isinstance(value, str) and status_of(value) is not None:
            found[name] = _Read(_case_from_string(value))
    for prefix in prefixes:
        found[prefix.removesuffix("_")] = _read(container, prefix)
    if not found and SUCCESS in container:
        found["run_tests"] = _read(container, "")  # one test's own dict, returned as it is
    return found


def _prefixes(entry: Mapping[object, object]) -> list[str]:
    """`pipeline_` for a `pipeline_success` key: the flat tests of a dict."""
    return [key.removesuffix(SUCCESS) for key in entry if is_flat_success(key)]


def _entry_tests(name: str, entry: Mapping[object, object]) -> dict[str, _Read]:
    """The test (or, with several `<test>_success` keys, the tests) one dict entry holds."""
    if SUCCESS in entry:
        return {name: _read(entry, "")}
    prefixes = _prefixes(entry)
    if len(prefixes) == 1:  # a per-device entry: "pipeline_cpu": {"pipeline_success": ...}
        return {name: _read(entry, prefixes[0])}
    if prefixes:
        return {f"{name}.{p.removesuffix('_')}": _read(entry, p) for p in prefixes}
    status = entry.get(STATUS)
    if isinstance(status, str):
        return {name: _read(entry, "", status)}
    error = entry.get(ERROR_KEY)
    if isinstance(error, str) and error:  # no success marker, but it says what went wrong
        return {name: _Read(CaseOutcome(FAILED, clip(error)))}
    return {}


def _read(entry: Mapping[object, object], prefix: str, status: object = None) -> _Read:
    """One test from the keys of `entry` that start with `prefix` (`success`, `error`, ...)."""

    def get(key: str) -> object:
        return entry.get(prefix + key)

    value = get(SUCCESS) if status is None else status
    if value is True:
        case = CaseOutcome(PASSED)
    elif isinstance(value, str):
        case = _case_from_string(value, failure=_failure_message(get))
    else:
        described = "False" if value is False else f"{value!r}, not a bool"
        case = CaseOutcome(FAILED, _failure_message(get) or f"{prefix}success is {described}")
    return _Read(
        replace(case, seconds=_number(get("seconds"))),
        _number(get("load_time")),
        _number(get("inference_time")),
    )


def _failure_message(get: Callable[[str], object]) -> str | None:
    """The entry's error, else its error type (`"none"` is the suites' word for no error)."""
    for key in ("error", "error_message", "exception", "error_type"):
        value = get(key)
        if value not in (None, "", "none", "None"):
            return clip(str(value))
    return None


def _case_from_string(text: str, failure: str | None = None) -> CaseOutcome:
    status = status_of(text)
    if status == PASSED:
        return CaseOutcome(PASSED)
    if status == SKIPPED:
        why = "ran on mock objects, not the model" if is_mock(text) else None
        return CaseOutcome(SKIPPED, f"{why}: {text!r}" if why else clip(text))
    if status == FAILED:
        return CaseOutcome(FAILED, failure or clip(text))
    return CaseOutcome(FAILED, failure or f"status {clip(text)!r} is not a success")


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def verdict(tests: Mapping[str, CaseOutcome]) -> Outcome:
    """A file's status from its tests': failed when one failed; passed when none failed and one
    passed; skipped when every test was skipped (with the reasons); error when there were none."""
    failing = [name for name, case in tests.items() if case.status == FAILED]
    skipped = [name for name, case in tests.items() if case.status == SKIPPED]
    if not tests:
        return Outcome(status=ERROR, reason="no tests were found")
    first = error_line(tests[failing[0]].message or "failed") if failing else ""
    tests = {
        name: replace(case, message=clip(case.message, CASE_TEXT_LIMIT)) if case.message else case
        for name, case in tests.items()
    }
    if failing:
        errors = "\n".join(f"{name}: {tests[name].message or 'failed'}" for name in failing)
        return Outcome(
            status=FAILED,
            reason=f"{len(failing)} of {len(tests)} failed ({_names(failing)}): {first}",
            error=errors if len(errors) <= TEXT_LIMIT else errors[:TEXT_LIMIT] + "\n...",
            tests=tests,
        )
    if len(skipped) == len(tests):
        reasons = "; ".join(f"{name}: {one_line(tests[name].message or '')}" for name in skipped)
        return Outcome(status=SKIPPED, reason=f"every test skipped ({reasons})", tests=tests)
    reason = f"{len(skipped)} of {len(tests)} skipped ({_names(skipped)})" if skipped else None
    return Outcome(status=PASSED, reason=reason, tests=tests)


def _names(names: list[str], shown: int = 6) -> str:
    more = f", and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


_TRACEBACK_HEADERS = (
    "Traceback (most recent call last)",
    "During handling of the above exception",
    "The above exception was the direct cause",
)


def error_line(text: str) -> str:
    """The line of a failure's text that says what went wrong: in a traceback, the exception's
    line (the first unindented line after the last frame); pytest's first `E   ...` line; else
    the first line."""
    lines = [line for line in text.splitlines() if line.strip()]
    if any(line.startswith((*_TRACEBACK_HEADERS, '  File "')) for line in lines):
        found = None
        for line in lines:
            if line.startswith('  File "'):
                found = None  # a frame: the exception comes after the last one
            elif found is None and not line.startswith((" ", *_TRACEBACK_HEADERS)):
                found = line
        if found is not None:
            return one_line(found)
    marked = [line[1:].strip() for line in lines if line.startswith("E ")]
    return one_line(marked[0] if marked else text)


def one_line(error: object) -> str:
    text = str(error).strip().splitlines()
    first = text[0] if text else repr(error)
    return first if len(first) <= 300 else first[:297] + "..."


def clip(text: str, limit: int = TEXT_LIMIT) -> str:
    """A long text's first line and its end: a traceback ends with what went wrong."""
    if len(text) <= limit:
        return text
    head = text.split("\n", 1)[0][:200]
    return f"{head}\n...\n{text[len(head) + 5 - limit :]}"


def describe(value: object, depth: int = 2, limit: int = 300) -> str:
    """What a value is, for a record: `dict {results: dict {pipeline: NoneType}, metadata: dict}`
    (keys and value types, `depth` levels deep, cut at `limit` characters)."""
    text = _shape(value, depth)
    return text if len(text) <= limit else text[: limit - 4] + " ..."


def _shape(value: object, depth: int) -> str:
    if isinstance(value, Mapping):
        if depth <= 0 or not value:
            return f"dict ({len(value)} keys)" if value else "dict (empty)"
        parts = [f"{key}: {_shape(item, depth - 1)}" for key, item in list(value.items())[:12]]
        more = f", ... {len(value) - 12} more" if len(value) > 12 else ""
        return "dict {" + ", ".join(parts) + more + "}"
    if isinstance(value, (list, tuple)):
        return f"{type(value).__name__} of {len(value)}"
    if isinstance(value, str):
        return f"str {clip(value)[:40]!r}"
    return type(value).__name__
