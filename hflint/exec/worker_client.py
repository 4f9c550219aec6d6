"""The parent's side of a run: start the warm worker, hand it the jobs, collect one outcome each.

The parent never imports torch or transformers. It starts the worker first, so that the worker's
imports overlap with the parent's own work (linting, planning); `hello` arrives after `import torch`
with the hardware, which is enough to check `--device` before anything else is paid for.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import IO, Any

from hflint.exec.protocol import ERROR, Job, Outcome

WORKER_COMMAND = "from hflint.exec.worker import main; main()"
# How long the worker may take to import torch (and then transformers) on a slow, cold disk.
STARTUP_TIMEOUT = 300.0
# A run with files in flight hears from the worker at least once per file timeout; this much more
# and the worker itself is considered hung.
WATCHDOG_SLACK = 60.0


class WorkerFailed(Exception):
    """The worker died, hung or said something unreadable; the message ends with its stderr."""


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    stderr: IO[bytes]
    buffer: bytearray
    ready: bool = False  # `ready` (transformers imported) has been received

    def send(self, message: Mapping[str, Any]) -> None:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(json.dumps(message).encode("utf-8") + b"\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            raise WorkerFailed(self._failure("the worker exited")) from None

    def receive(self, timeout: float) -> dict[str, Any]:
        """The next message; WorkerFailed when none comes in `timeout` seconds or the worker died."""
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while b"\n" not in self.buffer:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    raise WorkerFailed(self._failure(f"the worker said nothing for {timeout:g} s"))
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    raise WorkerFailed(self._failure("the worker exited"))
                self.buffer += chunk
        line, _, rest = self.buffer.partition(b"\n")
        self.buffer = bytearray(rest)
        try:
            message: dict[str, Any] = json.loads(line)
        except ValueError:
            raise WorkerFailed(self._failure(f"unreadable message {bytes(line[:200])!r}")) from None
        return message

    def _failure(self, what: str) -> str:
        self.process.poll()
        code = self.process.returncode
        status = "" if code is None else f" (exit status {code})"
        return f"{what}{status}; its stderr ends:\n{self.stderr_tail()}"

    def stderr_tail(self, limit: int = 4000) -> str:
        self.stderr.flush()
        self.stderr.seek(0, os.SEEK_END)
        size = self.stderr.tell()
        self.stderr.seek(max(0, size - limit))
        return self.stderr.read().decode("utf-8", errors="replace")

    def close(self) -> None:
        """Stop the worker (it kills its children on SIGTERM), then make sure it is gone."""
        if self.process.poll() is None:
            try:
                if self.process.stdin is not None:
                    self.process.stdin.close()  # EOF: a worker waiting for its request leaves
            except OSError:
                pass
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None and not stream.closed:
                stream.close()
        self.stderr.close()


def start_worker(environment: Mapping[str, str]) -> Worker:
    """Start the worker with `environment` added to ours. Its stderr goes to a temporary file
    (nobody has to drain it; its tail explains a worker that died)."""
    stderr = tempfile.TemporaryFile()  # noqa: SIM115  (closed by Worker.close)
    process = subprocess.Popen(
        [sys.executable, "-c", WORKER_COMMAND],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=stderr,
        env={**os.environ, **environment},
    )
    return Worker(process, stderr, bytearray())


def expect(worker: Worker, event: str, timeout: float = STARTUP_TIMEOUT) -> dict[str, Any]:
    message = worker.receive(timeout)
    if message.get("event") != event:
        raise WorkerFailed(worker._failure(f"expected {event!r}, got {message.get('event')!r}"))
    return message


def run_jobs(
    worker: Worker,
    jobs: list[Job],
    parallel: int,
    on_result: Callable[[int, Outcome], None],
) -> None:
    """Send the jobs and call `on_result(id, outcome)` for each as it ends. Jobs the worker never
    finished get an error outcome; WorkerFailed follows so the caller knows the run broke."""
    pending = {job.id for job in jobs}
    longest = max((job.timeout for job in jobs), default=0.0)
    try:
        if not worker.ready:
            expect(worker, "ready")
            worker.ready = True
        worker.send({"jobs": [job.to_dict() for job in jobs], "parallel": parallel})
        while True:
            message = worker.receive(longest + WATCHDOG_SLACK)
            if message.get("event") == "result" and message.get("id") in pending:
                pending.discard(message["id"])
                try:
                    found = Outcome.from_dict(message["outcome"])
                except (KeyError, TypeError, ValueError, AttributeError):
                    unreadable = f"unreadable result {message!r:.200}"
                    raise WorkerFailed(worker._failure(unreadable)) from None
                on_result(message["id"], found)
            elif message.get("event") == "done":
                break  # the worker takes its next request only after this
    except WorkerFailed as failure:
        for job_id in sorted(pending):
            on_result(
                job_id, Outcome(status=ERROR, reason="the warm worker failed", error=str(failure))
            )
        raise
