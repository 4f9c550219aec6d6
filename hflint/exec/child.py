"""What runs in the forked child, one per test file: limits, output capture, the model, the run.

The child inherits the warm worker's torch and transformers, so it only imports the test file (by
path: `test_hf_gpt-j.py` is not an importable name), builds `Test<Model>Models(model_id=...,
device=...)` and calls `run_tests()`. Whatever happens it ends with `os._exit`, never returning
into the worker's loop, and reports through a pipe the worker reads; a child that dies before
reporting is classified by the worker from its exit status.
"""

from __future__ import annotations

import contextlib
import faulthandler
import importlib.util
import json
import os
import resource
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import Any, NoReturn

from hflint.exec import standins
from hflint.naming import TEST_CLASS_PATTERN, expected_class_name

# The child exits with this when hflint itself failed in it (never a test file's own status).
INTERNAL_FAILURE = 70
_TEXT_LIMIT = 8000  # characters of a traceback or an error kept in the record


def main(job: dict[str, Any], output_fd: int, result_fd: int, close_fds: list[int]) -> NoReturn:
    try:
        _isolate(job, output_fd, close_fds)
        result = execute(job)
    except BaseException:  # hflint's own failure: still report, never fall back into the worker
        result = {"status": "error", "reason": "hflint failed in the child", "error": _trace()}
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:
        pass
    try:
        _write_all(result_fd, json.dumps(result, default=str).encode("utf-8"))
    except BaseException:
        os._exit(INTERNAL_FAILURE)
    # Skip the worker's atexit handlers and buffered-file cleanup: they are the worker's, not ours.
    os._exit(0)


def _isolate(job: dict[str, Any], output_fd: int, close_fds: list[int]) -> None:
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
    timeout = float(job["timeout"])
    faulthandler.dump_traceback_later(max(timeout - 0.5, timeout * 0.9), exit=False)
    _limit_memory(job.get("memory_cap"))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # abort() and segfaults leave no core file
    os.chdir(job["workdir"])  # files that save results write into the run's scratch directory
    sys.argv = [job["file"]]  # argparse at import time must not see hflint's arguments
    import torch  # already imported by the worker: free

    torch.set_num_threads(max(1, int(job.get("threads", 1))))


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


def execute(job: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    if job.get("dtype"):
        _force_dtype(job["dtype"])
    started = time.perf_counter()
    model_id, skipped = _model(job, result)
    if skipped is None and result["model_source"] == "synth":
        result["standins"] = standins.install(job)  # the checkpoints the file loads by itself
    result["build_seconds"] = round(time.perf_counter() - started, 4)
    if skipped is not None:
        return {**result, "status": "skipped", "reason": skipped}
    result["model_id"] = model_id
    phase = "import"
    try:
        started = time.perf_counter()
        module = _import_by_path(job["file"], job["module"])
        phase = "construction"
        test_class = _test_class(module, job.get("class_name"), job.get("model_name"))
        if test_class is None:
            return {
                **result,
                "status": "error",
                "reason": "the file has no Test<Model>Models class",
            }
        tester = test_class(model_id=model_id, device=job["device"])
        result["import_seconds"] = round(time.perf_counter() - started, 4)
        phase = "run_tests()"
        returned = tester.run_tests()
    except SystemExit as stop:
        return {
            **result,
            "status": "error",
            "reason": f"sys.exit({stop.code!r}) during {phase}",
            "error": _trace(),
        }
    except MemoryError:
        cap = job.get("memory_cap")
        limit = f" (memory cap: {cap / 1024**2:.0f} MiB over the warm worker)" if cap else ""
        return {
            **result,
            "status": "error",
            "reason": f"out of memory during {phase}{limit}",
            "error": _trace(),
        }
    except BaseException as error:
        return {
            **result,
            "status": "error",
            "reason": f"{type(error).__name__} during {phase}: {_one_line(error)}",
            "error": _trace(),
        }
    return {**result, **evaluate(returned)}


def _model(job: dict[str, Any], result: dict[str, Any]) -> tuple[str | None, str | None]:
    """(model id for the test class, reason to skip). `hub`: None, the file's own default;
    `synth`: a tiny model built offline; `auto`: the hub id when it resolves, else synthesis."""
    source = job["source"]
    if source == "hub":
        result["model_source"] = "hub"
        return None, None
    if source == "auto" and job.get("hub_id"):
        try:
            import transformers

            transformers.AutoConfig.from_pretrained(job["hub_id"])
            result["model_source"] = "hub"
            return None, None
        except Exception as error:
            result["hub_error"] = _one_line(error)
    result["model_source"] = "synth"
    model_type, task = job.get("model_type"), job.get("task")
    if model_type is None:
        return None, "no tiny model: the file's name is not a model type transformers knows"
    if task is None:
        return None, f"no tiny model: no pipeline task known for {model_type}"
    try:
        from hflint.exec.tiny import TinyModelUnavailable, build_tiny_model
    except Exception as error:  # missing, or broken: either way no model, so the file is skipped
        return None, f"no tiny model: the tiny-model builder is not available ({error})"
    try:
        cache = job.get("model_cache")
        tiny = build_tiny_model(model_type, task, cache_dir=Path(cache) if cache else None)
    except TinyModelUnavailable as error:
        return None, f"no tiny {model_type} model for {task}: {error}"
    return str(tiny.path), None


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


def _import_by_path(path: str, name: str) -> Any:
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


def evaluate(returned: object) -> dict[str, Any]:
    """passed when `run_tests()` kept the contract and every entry succeeded; failed otherwise."""
    results = returned.get("results") if isinstance(returned, dict) else None
    if not isinstance(results, dict):
        shape = "a dict without a 'results' dict" if isinstance(returned, dict) else type(returned)
        reason = f"run_tests() returned {shape}, not {{'results': {{...}}, 'metadata': {{...}}}}"
        return {"status": "failed", "reason": reason}
    if not results:
        return {"status": "failed", "reason": "run_tests() returned no results"}
    tests: dict[str, dict[str, Any]] = {}
    load = inference = 0.0
    timed = False
    for name, entry in results.items():
        if not isinstance(entry, dict):
            tests[str(name)] = {"success": False, "error": f"entry is {type(entry).__name__}"}
            continue
        success = entry.get("success") is True
        error = entry.get("error")
        tests[str(name)] = {
            "success": success,
            "error": None if success or error is None else str(error)[:_TEXT_LIMIT],
        }
        if isinstance(entry.get("seconds"), (int, float)):
            tests[str(name)]["seconds"] = float(entry["seconds"])
        if isinstance(entry.get("load_time"), (int, float)):
            load += float(entry["load_time"])
            timed = True
        if isinstance(entry.get("inference_time"), (int, float)):
            inference += float(entry["inference_time"])
            timed = True
    failing = [name for name, test in tests.items() if not test["success"]]
    outcome: dict[str, Any] = {"status": "failed" if failing else "passed", "tests": tests}
    if timed:
        outcome["load_seconds"] = round(load, 4)
        outcome["inference_seconds"] = round(inference, 4)
    if failing:
        first = tests[failing[0]].get("error") or "success is not True"
        outcome["reason"] = (
            f"{len(failing)} of {len(tests)} failed ({', '.join(failing)}): {_one_line(first)}"
        )
        outcome["error"] = "\n".join(
            f"{name}: {tests[name].get('error') or 'success is not True'}" for name in failing
        )
    return outcome


def _one_line(error: object) -> str:
    text = str(error).strip().splitlines()
    first = text[0] if text else repr(error)
    return first if len(first) <= 300 else first[:297] + "..."


def _trace() -> str:
    text = traceback.format_exc()
    return text if len(text) <= _TEXT_LIMIT else "...\n" + text[-_TEXT_LIMIT:]


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
