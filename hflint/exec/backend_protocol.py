"""What every `hflint exec` backend provides (`Backend`) and the error one raises when it cannot start.

A backend says what hardware the files will see (`hardware`), how many files it can run at once
by default (`slots`), runs a batch of jobs calling back once per file (`run`), and cleans up
(`close`). The jobs and the outcomes (`hflint.exec.protocol`) are the same for every backend, so
records, formats and exit codes do not depend on where the files ran.

The backends (`local_backend`, `ray_backend`) import this module and nothing imports them but the
factory, `backends.open_backend`: no backend depends on another.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from hflint.exec.hardware import Hardware
from hflint.exec.protocol import Job, Outcome

OnResult = Callable[[int, Outcome], None]


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

    def run(self, jobs: list[Job], parallel: int, on_result: OnResult) -> None:
        """Run the jobs, `parallel` at once; `on_result(id, outcome)` once per job. Raises
        WorkerFailed when the run broke (every job still got an outcome)."""
        ...

    def close(self) -> None: ...
