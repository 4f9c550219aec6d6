"""What travels between the parent, the warm worker and the child: one `Job` per file, one `Outcome`.

Both are plain dataclasses of JSON values: they cross the worker's pipes as JSON (`to_dict`,
`from_dict`) and Ray's object store as they are, so every backend and the child share one shape.
A child fills in what it learned (status, tests, its own timings); the worker adds what only it
can see (wall time, output, exit status, peak memory); a backend adds the Ray node.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from hflint.analysis.styles import TestStyle
from hflint.result_shapes import FAILED as FAILED
from hflint.result_shapes import PASSED as PASSED
from hflint.result_shapes import SKIPPED as SKIPPED

# A file's statuses (`hflint.exec.records` says what each means); a test's within it are the
# first three (`hflint.result_shapes`, shared with lint).
ERROR, CRASHED, TIMEOUT = "error", "crashed", "timeout"
CASE_STATUSES = (PASSED, FAILED, SKIPPED)


@dataclass(frozen=True)
class Job:
    """One file to run, and everything the child needs to run it without asking."""

    id: int
    file: str  # absolute path
    module: str  # the importable name the file is imported under
    style: TestStyle  # script, unittest, pytest (`hflint.analysis.styles`)
    class_name: str | None  # script style: the test class to build
    model_name: str | None  # from the file's name
    model_type: str | None
    task: str | None
    hub_id: str | None  # the file's own default checkpoint
    # The checkpoints the file loads by itself: {id, model_type, tasks, origin} or {id, reason}
    # (`hflint.analysis.checkpoints.StandIn.to_job`), for `hflint.exec.standins`.
    standins: list[dict[str, Any]]
    source: str  # synth, hub, auto (`--model-source`)
    device: str
    dtype: str | None  # None: as the file loads it
    timeout: float
    memory_cap: int | None  # bytes the child may map beyond the warm worker; None: no cap
    threads: int
    output_limit: int  # bytes of output kept (head and tail)
    model_cache: str | None  # where tiny models are cached (None: the default)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Job:
        return cls(**data)


@dataclass(frozen=True)
class CaseOutcome:
    """One test of a file: an entry of `run_tests()`'s results, a unittest or a pytest test."""

    status: str  # passed, failed, skipped
    message: str | None = None  # why it failed (error, traceback) or why it was skipped
    seconds: float | None = None


@dataclass(frozen=True)
class Outcome:
    """How one file's run ended. Every field but `status` may be unknown (None)."""

    status: str
    reason: str | None = None  # one line: why skipped, or what went wrong
    error: str | None = None  # the long form: traceback, failing tests
    tests: dict[str, CaseOutcome] = field(default_factory=dict)
    # What the file ran against (the child's).
    model_source: str | None = None  # synth, hub
    model_id: str | None = None  # what a script-style class got (None: its own default)
    hub_error: str | None = None  # why `--model-source auto` fell back to a tiny model
    # The hub ids the file loads by itself -> the tiny model each ran on, or why none.
    standins: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Timings (the child's): the tiny model, import and construction (or collection), and the
    # load and inference times the file's results report.
    build_seconds: float | None = None
    import_seconds: float | None = None
    load_seconds: float | None = None
    inference_seconds: float | None = None
    # What only the worker sees.
    seconds: float | None = None  # wall time of the child
    peak_memory_mb: float | None = None
    exit_code: int | None = None
    signal: str | None = None
    output: str = ""
    output_bytes: int = 0
    output_truncated: bool = False
    node: str | None = None  # the Ray node that ran it

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Outcome:
        """Raises TypeError or ValueError for a dict that is not an outcome."""
        tests = {str(name): CaseOutcome(**case) for name, case in data.get("tests", {}).items()}
        return cls(**{**data, "tests": tests})
