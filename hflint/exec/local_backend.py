"""`hflint exec --backend local` (the default): one warm worker on this machine."""

from __future__ import annotations

from collections.abc import Mapping

from hflint.exec.backend_protocol import BackendError, OnResult
from hflint.exec.hardware import Hardware
from hflint.exec.protocol import Job
from hflint.exec.worker_client import Worker, WorkerFailed, expect, run_jobs, start_worker


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

    def run(self, jobs: list[Job], parallel: int, on_result: OnResult) -> None:
        run_jobs(self.worker, jobs, parallel, on_result)

    def close(self) -> None:
        self.worker.close()
