"""The warm worker: imports torch and transformers once, then forks one child per test file.

Started by `hflint.exec.worker_client` as `python -c "from hflint.exec.worker import main; main()"`, it
speaks JSON lines: on stdout it sends `hello` (the hardware, right after `import torch`), `ready`
(after transformers), then `started` and `result` per file, and `done` per request; on stdin it
takes requests, `{"jobs": [...], "parallel": N}`, one at a time, until `{"stop": true}` or EOF.
EOF while files run means the parent is gone: the worker kills its children and leaves.

One thread, one `selectors` loop: it drains every child's output pipe as it comes (a file printing
megabytes never blocks, and only the head and the tail are kept), reads each child's result pipe,
reaps children on SIGCHLD (through the wake-up fd) and kills those past their deadline. The worker
never initialises CUDA itself (the hardware probe runs in a throwaway child), since a process that
has cannot use CUDA in the children it forks.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import selectors
import shutil
import signal
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, BinaryIO

from hflint.exec.protocol import CRASHED, ERROR, TIMEOUT, Job, Outcome

# A child that has exited but whose pipes stay open (a grandchild holds them) gets this long after
# its process group is killed before the worker stops waiting for EOF.
_EXIT_GRACE = 1.0
_PROBE_TIMEOUT = 120.0
_READ_SIZE = 65536


class ParentGone(Exception):
    """stdin closed: nobody will read the results."""


class Capture:
    """The head and the tail of a stream, `limit` bytes in all, and how much there was."""

    def __init__(self, limit: int) -> None:
        self.half = max(1, limit // 2)
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0

    def add(self, data: bytes) -> None:
        self.total += len(data)
        room = self.half - len(self.head)
        if room > 0:
            self.head += data[:room]
            data = data[room:]
        if data:
            self.tail += data
            if len(self.tail) > self.half:
                del self.tail[: len(self.tail) - self.half]

    @property
    def truncated(self) -> bool:
        return self.total > len(self.head) + len(self.tail)

    def text(self) -> str:
        if not self.truncated:
            return (self.head + self.tail).decode("utf-8", errors="replace")
        dropped = self.total - len(self.head) - len(self.tail)
        return (
            self.head.decode("utf-8", errors="replace")
            + f"\n[... {dropped} bytes of output not kept ...]\n"
            + self.tail.decode("utf-8", errors="replace")
        )


@dataclass
class Running:
    job: Job
    pid: int
    started: float
    deadline: float
    output: Capture
    open_fds: dict[int, str]  # fd -> "output" or "result"
    result: bytearray = field(default_factory=bytearray)
    wait_status: int | None = None
    rusage: Any = None
    ended: float | None = None
    timed_out: bool = False


def main() -> None:
    # The protocol gets its own descriptor; fd 1 becomes stderr, so that anything an import prints
    # cannot corrupt the stream the parent parses.
    protocol = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)
    signal.signal(signal.SIGTERM, _terminate)
    started = time.perf_counter()
    import torch  # noqa: F401  (the point of the worker: imported once, inherited by every child)

    torch_seconds = time.perf_counter() - started
    send = _sender(protocol)
    send(
        {"event": "hello", "hardware": _probe_in_child(), "torch_seconds": round(torch_seconds, 3)}
    )
    import transformers
    import transformers.pipelines  # noqa: F401  (pipeline() pulls most of the 5-7 s of imports)

    # Warm too when it imports; when it does not, each child reports why (the file is skipped).
    # The catalog is loaded here once (it is cached) rather than in every child (15 ms each).
    with contextlib.suppress(Exception):
        import hflint.exec.tiny  # noqa: F401
        from hflint.catalog import load_catalog

        load_catalog()
    with contextlib.suppress(Exception):  # pytest-style files: pytest is imported once too
        from hflint.exec.runners import warm_pytest

        warm_pytest()
    # What was imported is there for good: in the permanent generation a child's collections
    # neither scan it nor write to its pages (which would copy them, page by page, after the fork).
    gc.freeze()
    send({"event": "ready", "import_seconds": round(time.perf_counter() - started, 3)})
    workdir = tempfile.mkdtemp(prefix="hflint-exec-")
    try:
        # One request per batch until told to stop: a Ray actor keeps one worker for many files.
        while not (request := json.loads(_read_line(0) or b'{"stop": true}')).get("stop"):
            jobs = [Job.from_dict(job) for job in request["jobs"]]
            parallel = int(request.get("parallel", 1))
            serve(jobs, parallel, workdir, send, protocol.fileno())
            send({"event": "done"})
    except ParentGone:
        pass
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through `serve`, which kills the children


def _sender(stream: BinaryIO) -> Callable[[dict[str, Any]], None]:
    def send(message: dict[str, Any]) -> None:
        data = memoryview(json.dumps(message, default=str).encode("utf-8") + b"\n")
        try:
            # An unbuffered write to a full pipe returns early when a signal (a child's SIGCHLD)
            # interrupts it after part of the message went through: the rest is written after it.
            while data:
                data = data[os.write(stream.fileno(), data) :]
        except BrokenPipeError:
            raise ParentGone from None

    return send


def _read_line(fd: int) -> bytes:
    data = bytearray()
    while not data.endswith(b"\n"):
        chunk = os.read(fd, _READ_SIZE)
        if not chunk:
            break
        data += chunk
    return bytes(data)


def _probe_in_child() -> dict[str, Any]:
    """`hardware.probe()` in a forked child: probing initialises CUDA, which must not happen in
    the process that forks the test children."""
    from hflint.exec.hardware import probe, probe_cpu

    read_fd, write_fd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the probe child
        status = 0
        try:
            os.close(read_fd)
            report = json.dumps(probe().to_dict()).encode("utf-8")
            while report:
                report = report[os.write(write_fd, report) :]
        except BaseException:
            status = 1
        os._exit(status)
    os.close(write_fd)
    data = bytearray()
    deadline = time.monotonic() + _PROBE_TIMEOUT
    with selectors.DefaultSelector() as selector:
        selector.register(read_fd, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if selector.select(deadline - time.monotonic()):
                chunk = os.read(read_fd, _READ_SIZE)
                if not chunk:
                    break
                data += chunk
    os.close(read_fd)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)  # a probe stuck in a driver call
    os.waitpid(pid, 0)
    try:
        hardware: dict[str, Any] = json.loads(data)
        return hardware
    except ValueError:
        import platform

        import torch

        from hflint.exec.hardware import Hardware

        return Hardware(
            python=platform.python_version(),
            platform=f"{platform.system()}-{platform.machine()}",
            torch=str(torch.__version__),
            transformers=None,
            cuda_version=None,
            hip_version=None,
            cpu=probe_cpu(),
            problems=("hardware probe failed: only the CPU is known",),
        ).to_dict()


# --- the loop ----------------------------------------------------------------------------------


def serve(
    jobs: list[Job],
    parallel: int,
    workdir: str,
    send: Callable[[dict[str, Any]], None],
    protocol_fd: int,
) -> None:
    queue = deque(jobs)
    running: dict[int, Running] = {}
    by_fd: dict[int, Running] = {}
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_read, False)
    os.set_blocking(wake_write, False)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)
    signal.set_wakeup_fd(wake_write)
    selector = selectors.DefaultSelector()
    selector.register(wake_read, selectors.EVENT_READ)
    selector.register(0, selectors.EVENT_READ)
    try:
        while queue or running:
            while queue and len(running) < parallel:
                inherited = [protocol_fd, wake_read, wake_write, *by_fd]
                child = _spawn(queue.popleft(), workdir, inherited)
                running[child.pid] = child
                for fd in child.open_fds:
                    by_fd[fd] = child
                    selector.register(fd, selectors.EVENT_READ)
                send({"event": "started", "id": child.job.id})
            _wait(selector, running, by_fd, wake_read)
            _reap(running)
            now = time.monotonic()
            for child in running.values():
                if child.wait_status is None and now >= child.deadline and not child.timed_out:
                    child.timed_out = True
                    _kill(child)
            for child in [c for c in running.values() if _finished(c, now)]:
                _close(child, selector, by_fd)
                del running[child.pid]
                send({"event": "result", "id": child.job.id, "outcome": outcome(child).to_dict()})
    finally:
        signal.set_wakeup_fd(-1)
        for child in running.values():
            _kill(child)
        for child in running.values():
            with contextlib.suppress(ChildProcessError):
                os.waitpid(child.pid, 0)
        selector.close()
        for fd in (wake_read, wake_write, *by_fd):
            with contextlib.suppress(OSError):
                os.close(fd)


def _spawn(job: Job, workdir: str, worker_fds: list[int]) -> Running:
    from hflint.exec import child

    output_read, output_write = os.pipe()
    result_read, result_write = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(output_read)
            os.close(result_read)
            child.main(job, workdir, output_write, result_write, worker_fds)
        finally:  # whatever happens, the child never returns into the worker's loop
            os._exit(child.INTERNAL_FAILURE)
    # The child makes itself a group leader too; doing it here as well closes the window in which
    # a timeout's killpg would find no group.
    with contextlib.suppress(OSError):
        os.setpgid(pid, pid)
    os.close(output_write)
    os.close(result_write)
    for fd in (output_read, result_read):
        os.set_blocking(fd, False)
    now = time.monotonic()
    return Running(
        job=job,
        pid=pid,
        started=now,
        deadline=now + job.timeout,
        output=Capture(job.output_limit),
        open_fds={output_read: "output", result_read: "result"},
    )


def _wait(
    selector: selectors.BaseSelector,
    running: dict[int, Running],
    by_fd: dict[int, Running],
    wake_read: int,
) -> None:
    now = time.monotonic()
    pending = [c.deadline for c in running.values() if c.wait_status is None and not c.timed_out]
    ended = [c.ended + _EXIT_GRACE for c in running.values() if c.ended is not None]
    # Capped at a second: SIGCHLD is not the only way a child can end up reapable unnoticed.
    timeout = min([*pending, *ended, now + 1.0]) - now
    for key, _ in selector.select(max(0.0, timeout)):
        fd = key.fd
        if fd == wake_read:
            with contextlib.suppress(BlockingIOError):
                while os.read(wake_read, _READ_SIZE):
                    pass
        elif fd == 0:
            if not os.read(0, _READ_SIZE):
                raise ParentGone
        else:
            _read_child(by_fd[fd], fd, selector, by_fd)


def _read_child(
    child: Running, fd: int, selector: selectors.BaseSelector, by_fd: dict[int, Running]
) -> None:
    try:
        data = os.read(fd, _READ_SIZE)
    except BlockingIOError:
        return
    if data:
        if child.open_fds[fd] == "output":
            child.output.add(data)
        else:
            child.result += data
        return
    selector.unregister(fd)
    os.close(fd)
    del child.open_fds[fd]
    del by_fd[fd]


def _reap(running: dict[int, Running]) -> None:
    for pid, child in running.items():
        if child.wait_status is not None:
            continue
        try:
            reaped, status, rusage = os.wait4(pid, os.WNOHANG)
        except ChildProcessError:
            reaped, status, rusage = pid, 0, None
        if reaped:
            child.wait_status, child.rusage, child.ended = status, rusage, time.monotonic()
            # Whatever the file started dies with it (and stops holding the pipes open).
            _kill(child)


def _finished(child: Running, now: float) -> bool:
    if child.ended is None:
        return False
    return not child.open_fds or now >= child.ended + _EXIT_GRACE


def _close(child: Running, selector: selectors.BaseSelector, by_fd: dict[int, Running]) -> None:
    for fd in list(child.open_fds):
        with contextlib.suppress(BlockingIOError, OSError):
            while data := os.read(fd, _READ_SIZE):
                if child.open_fds[fd] == "output":
                    child.output.add(data)
                else:
                    child.result += data
        selector.unregister(fd)
        os.close(fd)
        del by_fd[fd]
    child.open_fds.clear()


def _kill(child: Running) -> None:
    """SIGKILL to the child's process group: the child and whatever it started."""
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except ProcessLookupError:
        # No group: at least the child itself, while it is unreaped (its pid cannot have been
        # reused by another process yet).
        if child.wait_status is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(child.pid, signal.SIGKILL)
    except PermissionError:
        pass


def outcome(child: Running) -> Outcome:
    """The child's own report when it made one; otherwise what its end says."""
    ended = child.ended if child.ended is not None else time.monotonic()
    peak = None
    if child.rusage is not None:
        # ru_maxrss is KiB on Linux, bytes on macOS. It counts the pages the child shares with
        # the warm worker too (a fork inherits the high-water mark).
        scale = 1024 * 1024 if sys.platform == "darwin" else 1024
        peak = round(child.rusage.ru_maxrss / scale, 1)
    status = child.wait_status
    seen: dict[str, Any] = {
        "seconds": round(ended - child.started, 4),
        "output": child.output.text(),
        "output_bytes": child.output.total,
        "output_truncated": child.output.truncated,
        "peak_memory_mb": peak,
    }
    signum = None
    if status is not None and os.WIFEXITED(status):
        seen["exit_code"] = os.WEXITSTATUS(status)
    elif status is not None and os.WIFSIGNALED(status):
        signum = os.WTERMSIG(status)
        seen["signal"] = _signal_name(signum)
    report = _report(child.result)
    if report is not None:
        return replace(report, **seen)
    if child.timed_out:
        reason = (
            f"no result after {child.job.timeout:g} s: killed (the output ends with where it hung)"
        )
        return Outcome(status=TIMEOUT, reason=reason, **seen)
    if signum is not None:
        hint = (
            " (out of memory? the kernel's OOM killer sends it)" if signum == signal.SIGKILL else ""
        )
        return Outcome(status=CRASHED, reason=f"killed by {_signal_name(signum)}{hint}", **seen)
    reason = f"exited with status {seen.get('exit_code')} before reporting a result (os._exit()?)"
    return Outcome(status=ERROR, reason=reason, **seen)


def _report(data: bytearray) -> Outcome | None:
    if not data:
        return None
    try:
        return Outcome.from_dict(json.loads(data))
    except (ValueError, TypeError, AttributeError):  # cut short by a crash while writing it
        return None


def _signal_name(signum: int) -> str:
    try:
        return f"{signal.Signals(signum).name} (signal {signum})"
    except ValueError:
        return f"signal {signum}"
