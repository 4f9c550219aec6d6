"""How the child runs a file of each style (`hflint.analysis.styles`), once it is isolated and what
the file loads is ready. Each runner returns the file's outcome from its tests' outcomes; an
exception it lets through (the file's import raised, `sys.exit` at import time, a memory cap hit)
is the child's to report, naming `progress.phase`.

- script: import the file by path, build `Test<Model>Models(model_id=..., device=...)`, call
  `run_tests()` and read what it returns (`hflint.exec.results`);
- unittest: import the file by path and run what unittest's loader finds in it;
- pytest: `pytest.main()` on the file with a plugin that collects each test's outcome.

All three print to the child's stdout and stderr, which the worker captures.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
import unittest
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hflint.analysis.styles import PYTEST, SCRIPT, UNITTEST
from hflint.exec.protocol import ERROR, FAILED, PASSED, SKIPPED, CaseOutcome, Job, Outcome
from hflint.exec.results import error_line, evaluate, one_line, verdict
from hflint.naming import TEST_CLASS_PATTERN, expected_class_name


@dataclass
class Progress:
    """Where a run is, for the report of an exception that ends it."""

    phase: str = "import"
    started: float = field(default_factory=time.perf_counter)
    import_seconds: float | None = None  # importing and building (or collecting) the tests

    def imported(self, next_phase: str) -> None:
        self.import_seconds = round(time.perf_counter() - self.started, 4)
        self.phase = next_phase


Runner = Callable[[Job, str | None, Progress], Outcome]


def run_script(job: Job, model_id: str | None, progress: Progress) -> Outcome:
    module = import_by_path(job.file, job.module)
    progress.phase = "construction"
    test_class = _test_class(module, job.class_name, job.model_name)
    if test_class is None:
        return Outcome(status=ERROR, reason="the file has no Test<Model>Models class")
    tester = test_class(model_id=model_id, device=job.device)
    progress.imported("run_tests()")
    return evaluate(tester.run_tests())


def import_by_path(path: str, name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses, pickling and typing look the module up by name
    sys.path.insert(0, os.path.dirname(path))  # so the file can import its neighbours
    spec.loader.exec_module(module)
    return module


def _test_class(module: Any, class_name: str | None, model_name: str | None) -> Any:
    names = [class_name, expected_class_name(model_name) if model_name else None]
    for name in names:
        found = getattr(module, name, None) if name else None
        if isinstance(found, type):
            return found
    for name, value in vars(module).items():
        if isinstance(value, type) and TEST_CLASS_PATTERN.match(name):
            return value
    return None


# --- unittest ------------------------------------------------------------------------------------


def run_unittest(job: Job, model_id: str | None, progress: Progress) -> Outcome:
    module = import_by_path(job.file, job.module)
    suite = unittest.defaultTestLoader.loadTestsFromModule(module)
    progress.imported("the tests")
    runner = unittest.TextTestRunner(stream=sys.stderr, verbosity=2, resultclass=_Collected)
    result = runner.run(suite)
    assert isinstance(result, _Collected)
    if not result.cases:
        return Outcome(status=ERROR, reason="unittest found no tests in the file")
    return verdict(result.cases)


class _Collected(unittest.TextTestResult):
    """unittest's text result (the output stays as unittest prints it), and each test's outcome."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cases: dict[str, CaseOutcome] = {}
        self._started: dict[str, float] = {}

    def startTest(self, test: unittest.TestCase) -> None:
        self._started[test.id()] = time.perf_counter()
        super().startTest(test)

    def _record(self, test: unittest.TestCase, status: str, message: str | None = None) -> None:
        started = self._started.get(test.id())
        seconds = round(time.perf_counter() - started, 4) if started is not None else None
        # `module.Class.test_x` -> `Class.test_x`; class-level errors keep unittest's own name.
        name = test.id().removeprefix(test.__class__.__module__ + ".")
        self.cases[name] = CaseOutcome(status, message, seconds)

    def addSuccess(self, test: unittest.TestCase) -> None:
        super().addSuccess(test)
        self._record(test, PASSED)

    def addFailure(self, test: unittest.TestCase, err: Any) -> None:
        super().addFailure(test, err)
        self._record(test, FAILED, self.failures[-1][1])

    def addError(self, test: unittest.TestCase, err: Any) -> None:
        super().addError(test, err)
        self._record(test, FAILED, self.errors[-1][1])

    def addSkip(self, test: unittest.TestCase, reason: str) -> None:
        super().addSkip(test, reason)
        self._record(test, SKIPPED, reason)

    def addExpectedFailure(self, test: unittest.TestCase, err: Any) -> None:
        super().addExpectedFailure(test, err)
        self._record(test, SKIPPED, "expected failure")

    def addUnexpectedSuccess(self, test: unittest.TestCase) -> None:
        super().addUnexpectedSuccess(test)
        self._record(test, FAILED, "unexpected success of a test marked expectedFailure")

    def addSubTest(self, test: unittest.TestCase, subtest: unittest.TestCase, err: Any) -> None:
        super().addSubTest(test, subtest, err)
        if err is not None:  # a failing subtest is a test of its own; passing ones are not listed
            listed = self.failures if issubclass(err[0], test.failureException) else self.errors
            self._record(subtest, FAILED, listed[-1][1])


# --- pytest --------------------------------------------------------------------------------------


def warm_pytest() -> None:
    """For the warm worker: import what every `pytest.main()` imports (its plugins, and those
    installed packages register), so that each child collects in a tenth of a second, not one."""
    from importlib.metadata import entry_points

    from _pytest.config import get_config

    get_config()
    for plugin in entry_points(group="pytest11"):
        plugin.load()


def run_pytest(job: Job, model_id: str | None, progress: Progress) -> Outcome:
    try:
        import pytest
    except ImportError:
        return Outcome(
            status=ERROR,
            reason="the file's tests are pytest tests, and pytest is not installed for the worker",
        )
    directory = os.path.dirname(job.file)
    progress.phase = "collection"
    # The user's own options would apply to hflint's run too (-n, --cov, a --timeout of its own).
    os.environ.pop("PYTEST_ADDOPTS", None)
    collected = _PytestOutcomes(progress)
    code = pytest.main(
        [
            job.file,
            # Nothing written into the suite (.pytest_cache).
            *("-p", "no:cacheprovider"),
            # Output goes straight to the child's pipe, as a script's does: with pytest's fd
            # capture, what a test printed before it hung or crashed (and faulthandler's dump of
            # where it hung) would be lost in pytest's temporary files.
            *("--capture=no", "-p", "no:faulthandler"),
            # The file's directory is the root: the conftest.py beside it applies, those above it
            # (another project's, hflint's own) do not, nor any ini file's options.
            *("--rootdir", directory, "--confcutdir", directory, "-c", os.devnull),
            # pytest's own tracebacks parse the source of every frame (whole transformers modules,
            # again for each failing test: seconds per file); Python's are as telling.
            "--tb=native",
        ],
        plugins=[collected],
    )
    if collected.internal_error is not None:
        return Outcome(status=ERROR, reason=collected.internal_error)
    if collected.collection_errors:
        where, text = collected.collection_errors[0]
        return Outcome(
            status=ERROR,
            reason=f"pytest could not collect {where}: {error_line(text)}",
            error="\n\n".join(text for _, text in collected.collection_errors),
        )
    if collected.cases:
        return verdict(collected.cases)
    if collected.module_skips:
        return Outcome(status=SKIPPED, reason="; ".join(collected.module_skips))
    return Outcome(status=ERROR, reason=f"pytest collected no tests (exit status {int(code)})")


class _PytestOutcomes:
    """A pytest plugin: each test's outcome, by its node id within the file."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.cases: dict[str, CaseOutcome] = {}
        self.collection_errors: list[tuple[str, str]] = []
        self.module_skips: list[str] = []
        self.internal_error: str | None = None

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed:
            self.collection_errors.append((report.nodeid or "the file", report.longreprtext))
        elif report.skipped:
            self.module_skips.append(_skip_reason(report))

    def pytest_runtestloop(self, session: Any) -> None:
        """Collection went through (its own hooks run even when it broke): the tests start."""
        self.progress.imported("the tests")

    def pytest_internalerror(self, excrepr: Any, excinfo: Any) -> None:
        error = excinfo.value
        what = (
            f"sys.exit({error.code!r})"
            if isinstance(error, SystemExit)
            else f"{type(error).__name__}: {one_line(error)}"
        )
        self.internal_error = f"{what} during {self.progress.phase} (pytest stopped)"

    def pytest_runtest_logreport(self, report: Any) -> None:
        name = report.nodeid.split("::", 1)[-1]
        if report.when == "call":
            if report.passed:
                self.cases[name] = CaseOutcome(PASSED, None, round(report.duration, 4))
            elif report.skipped:
                self.cases[name] = CaseOutcome(SKIPPED, _skip_reason(report))
            else:
                self.cases[name] = CaseOutcome(
                    FAILED, report.longreprtext, round(report.duration, 4)
                )
        elif report.skipped:  # skipped in setup: a skip mark, or a fixture that skipped
            self.cases[name] = CaseOutcome(SKIPPED, _skip_reason(report))
        elif report.failed:  # a fixture failed, before or after the test
            message = f"error in {report.when}:\n{report.longreprtext}"
            self.cases[name] = CaseOutcome(FAILED, message, round(report.duration, 4))


def _skip_reason(report: Any) -> str:
    """`Skipped: CUDA not available` -> `CUDA not available`; an expected failure says so."""
    if getattr(report, "wasxfail", None) is not None:
        return f"expected failure: {report.wasxfail}" if report.wasxfail else "expected failure"
    longrepr = report.longrepr
    text = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
    return str(text).removeprefix("Skipped: ")


RUNNERS: dict[str, Runner] = {SCRIPT: run_script, UNITTEST: run_unittest, PYTEST: run_pytest}
