"""Where `hflint exec` runs the files: this machine's warm worker, or a Ray cluster's.

A backend says what hardware the files will see (`hardware`), how many files it can run at once
by default (`slots`), runs a batch of jobs calling back once per file (`run`), and cleans up
(`close`). The job dictionaries and the outcomes are the same for every backend, so records,
formats and exit codes do not depend on where the files ran.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from hflint.exec.hardware import Hardware
from hflint.exec.runner import Worker, WorkerFailed, expect, run_jobs, start_worker

OnResult = Callable[[int, dict[str, Any]], None]


class BackendError(Exception):
    """The backend could not start (no torch, no Ray, no cluster); the message says why."""


class Backend(Protocol):
    def hardware(self, requested: str) -> Hardware:
        """The hardware a file will see when `requested` (a --device value) is asked for.
        Raises BackendError when nothing could be started, DeviceError for a device the
        backend cannot provide."""
        ...

    def slots(self, kind: str) -> int | None:
        """Files at once when neither --jobs nor the config says; None: the device's default."""
        ...

    def run(self, jobs: list[dict[str, Any]], parallel: int, on_result: OnResult) -> None:
        """Run the jobs, `parallel` at once; `on_result(id, outcome)` once per job. Raises
        WorkerFailed when the run broke (every job still got an outcome)."""
        ...

    def close(self) -> None: ...


class LocalBackend:
    """One warm worker on this machine, forking a child per file."""

    def __init__(self, environment: Mapping[str, str]) -> None:
        # Started now: the worker's imports overlap with the parent's linting and planning.
        self.worker: Worker = start_worker(environment)

    def hardware(self, requested: str) -> Hardware:
        try:
            hello = expect(self.worker, "hello")
        except WorkerFailed as error:
            raise BackendError(
                f"the exec worker did not start (is torch installed?): {error}"
            ) from None
        return Hardware.from_dict(hello["hardware"])

    def slots(self, kind: str) -> int | None:
        return None

    def run(self, jobs: list[dict[str, Any]], parallel: int, on_result: OnResult) -> None:
        run_jobs(self.worker, jobs, parallel, on_result)

    def close(self) -> None:
        self.worker.close()


def open_backend(name: str, address: str | None, environment: Mapping[str, str]) -> Backend:
    if name == "local":
        if address is not None:
            raise BackendError("--address needs --backend ray")
        return LocalBackend(environment)
    try:
        from hflint.exec.ray_backend import RayBackend
    except ImportError as error:
        raise BackendError(
            f"--backend ray needs Ray (pip install 'hflint[ray]'): {error}"
        ) from None
    return RayBackend(address, environment)
