"""What runs in the forked child, one per test file: limits, output capture, the model, the run.

The child inherits the warm worker's torch and transformers. `execute` makes ready what the file
loads (a tiny model for a script-style class), then runs the file as its style says
(`hflint.exec.runners`: build `Test<Model>Models(model_id=..., device=...)` and call `run_tests()`;
unittest's loader; pytest). Whatever happens the child ends with `os._exit`, never returning into
the worker's loop, and reports its `Outcome` through a pipe the worker reads; a child that dies
before reporting is classified by the worker from its exit status.
"""

from __future__ import annotations

import contextlib
import faulthandler
import json
import os
import resource
import signal
import sys
import time
import traceback
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NoReturn

from hflint.analysis.styles import SCRIPT
from hflint.exec import standins
from hflint.exec.protocol import ERROR, SKIPPED, Job, Outcome
from hflint.exec.results import clip, one_line
from hflint.exec.runners import RUNNERS, Progress

# The child exits with this when hflint itself failed in it (never a test file's own status).
INTERNAL_FAILURE = 70


def main(job: Job, workdir: str, output_fd: int, result_fd: int, close_fds: list[int]) -> NoReturn:
    try:
        _isolate(job, workdir, output_fd, close_fds)
        outcome = execute(job, workdir)
    except BaseException:  # hflint's own failure: still report, never fall back into the worker
        outcome = Outcome(status=ERROR, reason="hflint failed in the child", error=_trace())
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:
        pass
    try:
        _write_all(result_fd, json.dumps(outcome.to_dict(), default=str).encode("utf-8"))
    except BaseException:
        os._exit(INTERNAL_FAILURE)
    # Skip the worker's atexit handlers and buffered-file cleanup: they are the worker's, not ours.
    os._exit(0)


def _isolate(job: Job, workdir: str, output_fd: int, close_fds: list[int]) -> None:
    # Its own process group: a timeout kills whatever the file started too.
    os.setpgid(0, 0)
    # The worker's signal set-up belongs to the worker (its wake-up pipe above all).
    signal.set_wakeup_fd(-1)
    for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT, signal.SIGPIPE):
        signal.signal(signum, signal.SIG_DFL)
    # The worker's other pipes: a sibling's output pipe held open here would delay its EOF.
    for fd in close_fds:
        with contextlib.suppress(OSError):
            os.close(fd)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    # Both streams into one pipe, at the descriptor level, so C libraries' output is caught too.
    os.dup2(output_fd, 1)
    os.dup2(output_fd, 2)
    os.close(output_fd)
    for stream in (sys.stdout, sys.stderr):
        # Line buffering: what a file printed before it hung or crashed still reaches the worker.
        stream.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    # A crash leaves a Python traceback in the output; a hang, the stack it hung in.
    faulthandler.enable(file=sys.stderr, all_threads=True)
    faulthandler.dump_traceback_later(max(job.timeout - 0.5, job.timeout * 0.9), exit=False)
    _limit_memory(job.memory_cap)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # abort() and segfaults leave no core file
    os.chdir(workdir)  # files that save results write into the run's scratch directory
    sys.argv = [job.file]  # argparse at import time must not see hflint's arguments
    import torch  # already imported by the worker: free

    torch.set_num_threads(max(1, job.threads))


def _limit_memory(cap: int | None) -> None:
    """RLIMIT_AS at the worker's current size plus `cap`: the cap is what a file may add, so one
    setting fits whatever torch itself maps (several hundred MiB, varying by build)."""
    if cap is None:
        return
    limit = _address_space() + int(cap)
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _address_space() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0  # not Linux: the cap is absolute (macOS does not enforce RLIMIT_AS anyway)


def execute(job: Job, workdir: str) -> Outcome:
    if job.dtype:
        _force_dtype(job.dtype)
    # 1. Make ready what the file loads, before it is imported.
    started = time.perf_counter()
    models = prepare_models(job, workdir)
    prepared = Outcome(
        status=SKIPPED,
        reason=models.skip,
        model_source=models.source,
        model_id=models.model_id,
        hub_error=models.hub_error,
        standins=models.standins,
        build_seconds=round(time.perf_counter() - started, 4),
    )
    if models.skip is not None:
        return prepared
    # 2. Import the file and run its tests, the way its style runs them.
    progress = Progress()
    try:
        ran = RUNNERS[job.style](job, models.model_id, progress)
    except BaseException as error:  # from the file: its import, sys.exit, a memory cap hit...
        ran = Outcome(status=ERROR, reason=_failure(error, progress.phase, job), error=_trace())
    return replace(
        ran,
        model_source=prepared.model_source,
        model_id=prepared.model_id,
        hub_error=prepared.hub_error,
        standins=prepared.standins,
        build_seconds=prepared.build_seconds,
        import_seconds=progress.import_seconds,
    )


def _failure(error: BaseException, phase: str, job: Job) -> str:
    if isinstance(error, SystemExit):
        return f"sys.exit({error.code!r}) during {phase}"
    if isinstance(error, MemoryError):
        cap = job.memory_cap
        limit = f" (memory cap: {cap / 1024**2:.0f} MiB over the warm worker)" if cap else ""
        return f"out of memory during {phase}{limit}"
    return f"{type(error).__name__} during {phase}: {one_line(error)}"


@dataclass(frozen=True)
class Models:
    """What `prepare_models` made ready for the file."""

    model_id: str | None = None  # what a script-style class is built with (None: its own default)
    source: str | None = None  # synth, hub
    hub_error: str | None = None  # why `auto` fell back to synthesis
    skip: str | None = None  # why the file cannot run: no model for it
    # The hub ids the file loads by itself -> the tiny model each runs on (`hflint.exec.standins`).
    standins: dict[str, dict[str, Any]] = field(default_factory=dict)


def prepare_models(job: Job, workdir: str) -> Models:
    """`hub`: the file's own checkpoints; `synth`: tiny models built offline, one for a
    script-style class and a stand-in for each checkpoint the file loads by itself; `auto`: the
    hub id when it resolves, else synthesis. unittest and pytest files load their own checkpoints:
    with `synth` or `auto` they run on their stand-ins alone."""
    if job.source == "hub":
        return Models(source="hub")
    if job.style != SCRIPT:
        return _with_standins(Models(source="synth"), job, workdir)
    hub_error = None
    if job.source == "auto" and job.hub_id:
        try:
            import transformers

            transformers.AutoConfig.from_pretrained(job.hub_id)
            return Models(source="hub")
        except Exception as error:
            hub_error = one_line(error)
    synth = Models(source="synth", hub_error=hub_error)
    if job.model_type is None:
        return replace(
            synth, skip="no tiny model: the file's name is not a model type transformers knows"
        )
    if job.task is None:
        return replace(synth, skip=f"no tiny model: no pipeline task known for {job.model_type}")
    try:
        from hflint.exec.tiny import TinyModelUnavailable, build_tiny_model
    except Exception as error:  # missing, or broken: either way no model, so the file is skipped
        reason = f"no tiny model: the tiny-model builder is not available ({error})"
        return replace(synth, skip=reason)
    try:
        cache = Path(job.model_cache) if job.model_cache else None
        tiny = build_tiny_model(job.model_type, job.task, cache_dir=cache)
    except TinyModelUnavailable as error:
        return replace(synth, skip=f"no tiny {job.model_type} model for {job.task}: {error}")
    return _with_standins(replace(synth, model_id=str(tiny.path)), job, workdir)


def _with_standins(models: Models, job: Job, workdir: str) -> Models:
    """`models` and the stand-ins of the checkpoints the file loads by itself, installed."""
    return replace(models, standins=standins.install(job.standins, workdir, job.model_cache))


def _force_dtype(name: str) -> None:
    """Load models in `name` unless the file asks for a dtype itself: `pipeline()` and
    `from_pretrained()` get it as a default keyword (in this child only)."""
    import torch
    import transformers
    from transformers import PreTrainedModel

    dtype = getattr(torch, name)
    make_pipeline = transformers.pipeline

    def pipeline(*args: Any, **kwargs: Any) -> Any:
        if "dtype" not in kwargs and "torch_dtype" not in kwargs:
            kwargs["dtype"] = dtype
        return make_pipeline(*args, **kwargs)

    transformers.pipeline = pipeline
    transformers.pipelines.pipeline = pipeline
    load = PreTrainedModel.from_pretrained.__func__

    def from_pretrained(cls: type, *args: Any, **kwargs: Any) -> Any:
        if "dtype" not in kwargs and "torch_dtype" not in kwargs:
            kwargs["dtype"] = dtype
        return load(cls, *args, **kwargs)

    PreTrainedModel.from_pretrained = classmethod(from_pretrained)


def _trace() -> str:
    return clip(traceback.format_exc())


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
