"""`hflint exec --backend ray`: the same per-file jobs, run by actors on a Ray cluster.

Each actor holds one warm worker (the same process the local backend uses, started on the actor's
node), so a file still runs in an isolated child of a process that imported torch and
transformers once, with the same timeout, memory cap and crash containment. An actor asks Ray for
one GPU when the device is a GPU (Ray sets its `CUDA_VISIBLE_DEVICES`, so the file sees `cuda`) and
for its share of the CPUs otherwise. The file's bytes travel with the job, so the cluster's nodes
need hflint and the exec extra installed, not the suite.

Without `--address` (and without `RAY_ADDRESS`), `ray.init()` starts a local Ray instance for the
run and stops it at the end.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import socket
import tempfile
import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import ray
import ray.exceptions

from hflint.exec.backend_protocol import BackendError, OnResult
from hflint.exec.hardware import DeviceError, Hardware
from hflint.exec.protocol import ERROR, TIMEOUT, Job, Outcome
from hflint.exec.worker_client import (
    STARTUP_TIMEOUT,
    WATCHDOG_SLACK,
    Worker,
    WorkerFailed,
    expect,
    run_jobs,
    start_worker,
)

_GPU_KINDS = ("cuda", "rocm")


class ExecActor:
    """Runs on a cluster node: one warm worker, one file at a time."""

    def __init__(self, environment: Mapping[str, str]) -> None:
        self.environment = dict(environment)
        self.files = tempfile.mkdtemp(prefix="hflint-ray-")
        self.node = str(ray.util.get_node_ip_address())  # type: ignore[no-untyped-call]
        self.worker, self.hello = self._start()

    def _start(self) -> tuple[Worker, dict[str, Any]]:
        worker = start_worker(self.environment)
        return worker, expect(worker, "hello")

    def hardware(self) -> dict[str, Any]:
        hardware: dict[str, Any] = self.hello["hardware"]
        return hardware

    def run(self, job: Job, source: bytes) -> Outcome:
        """The outcome of one file, written under the actor's own directory by its own name."""
        directory = Path(self.files, str(job.id))
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / Path(job.file).name
        path.write_bytes(source)
        found: list[Outcome] = []
        try:
            if self.worker.process.poll() is not None:  # the last run broke it: a fresh one
                self.worker.close()
                self.worker, self.hello = self._start()
            run_jobs(self.worker, [replace(job, file=str(path))], 1, lambda _, o: found.append(o))
        except WorkerFailed as error:
            if not found:
                found.append(Outcome(status=ERROR, reason="the warm worker failed"))
            found[0] = replace(found[0], error=found[0].error or str(error))
            self.worker.close()
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        outcome = found[0]

        # Tracebacks and stacks name the file where the user has it, not the actor's copy.
        def where_the_user_has_it(text: str) -> str:
            return text.replace(str(path), job.file)

        return replace(
            outcome,
            reason=where_the_user_has_it(outcome.reason) if outcome.reason else None,
            error=where_the_user_has_it(outcome.error) if outcome.error else None,
            output=where_the_user_has_it(outcome.output),
            node=self.node,
        )

    def close(self) -> None:
        self.worker.close()
        shutil.rmtree(self.files, ignore_errors=True)


_RemoteExecActor = ray.remote(ExecActor)
# Seconds to wait for a cluster's port to take a connection.
_CONNECT_TIMEOUT = 10.0


def _check_reachable(address: str) -> None:
    """Fail at once when a `HOST:PORT` (or `ray://HOST:PORT`) takes no connection: `ray.init`
    itself retries for minutes, printing warnings, before it gives up."""
    host, colon, port = address.removeprefix("ray://").rpartition(":")
    if not colon or not port.isdigit():
        return  # "auto": Ray finds the cluster itself
    try:
        socket.create_connection((host or "127.0.0.1", int(port)), _CONNECT_TIMEOUT).close()
    except OSError as error:
        raise BackendError(
            f"cannot reach the Ray cluster at {address}: {error.strerror or error}"
        ) from None


class RayBackend:
    def __init__(self, address: str | None, environment: Mapping[str, str]) -> None:
        self.environment = dict(environment)
        self.actors: list[Any] = []
        self.options: dict[str, Any] = {}
        if address is not None:
            _check_reachable(address)
        try:
            ray.init(
                address=address,
                include_dashboard=False,
                log_to_driver=False,
                logging_level=logging.WARNING,
            )
        except Exception as error:  # Ray raises ConnectionError, RuntimeError, ValueError ...
            where = f"the Ray cluster at {address}" if address else "a local Ray instance"
            raise BackendError(f"could not start or reach {where}: {error}") from None
        self.resources: dict[str, float] = dict(ray.cluster_resources())  # type: ignore[no-untyped-call]

    def hardware(self, requested: str) -> Hardware:
        """Starts the first actor, with the resources the device needs, and asks its node."""
        name, _, index = requested.strip().lower().partition(":")
        if index:
            raise DeviceError(
                f"--device {requested}: with --backend ray each file gets the device Ray assigns "
                f"to its actor; ask for {name!r} without an index"
            )
        gpus = self.resources.get("GPU", 0.0)
        wants_gpu = name in ("cuda", "rocm") or (name == "auto" and gpus > 0)
        if wants_gpu and gpus < 1:
            raise DeviceError(f"the Ray cluster has no GPU (its resources: {self._described()})")
        self.options = {"num_gpus": 1, "num_cpus": 1} if wants_gpu else {"num_cpus": 1}
        first = self._actor()
        try:
            found: dict[str, Any] = ray.get(first.hardware.remote(), timeout=STARTUP_TIMEOUT)
        except ray.exceptions.GetTimeoutError:
            raise BackendError(
                f"no exec actor started on the Ray cluster in {STARTUP_TIMEOUT:g} s "
                f"(it asks for {self.options}; the cluster has {self._described()})"
            ) from None
        except ray.exceptions.RayError as error:
            raise BackendError(
                f"the exec actor failed to start on the Ray cluster: {error}"
            ) from None
        return Hardware.from_dict(found)

    def slots(self, kind: str) -> int | None:
        return max(1, int(self.resources.get("GPU" if kind in _GPU_KINDS else "CPU", 1)))

    def run(self, jobs: list[Job], parallel: int, on_result: OnResult) -> None:
        while len(self.actors) < min(parallel, len(jobs)):
            self._actor()
        idle = list(self.actors)
        queue = list(reversed(jobs))
        flying: dict[Any, tuple[Any, Job, float]] = {}
        while queue or flying:
            while queue and idle:
                job = queue.pop()
                try:
                    source = Path(job.file).read_bytes()
                except OSError as error:  # gone or unreadable since it was planned
                    reason = f"cannot read the file: {error.strerror or error}"
                    on_result(job.id, Outcome(status=ERROR, reason=reason))
                    continue
                actor = idle.pop()
                reference = actor.run.remote(job, source)
                # An actor still importing torch takes its start-up time on top.
                limit = job.timeout + WATCHDOG_SLACK + STARTUP_TIMEOUT
                flying[reference] = (actor, job, time.monotonic() + limit)
            if not flying:
                continue
            ready, _ = ray.wait(list(flying), num_returns=1, timeout=1.0)
            for reference in ready:
                actor, job, _ = flying.pop(reference)
                try:
                    outcome: Outcome = ray.get(reference)
                except ray.exceptions.RayError as error:
                    outcome = Outcome(status=ERROR, reason="the Ray actor died", error=str(error))
                    actor = self._replace(actor)
                on_result(job.id, outcome)
                idle.append(actor)
            now = time.monotonic()
            for reference, (actor, job, deadline) in list(flying.items()):
                if now >= deadline:  # the actor itself is stuck: its worker's watchdog failed
                    del flying[reference]
                    on_result(
                        job.id,
                        Outcome(status=TIMEOUT, reason="the Ray actor did not answer in time"),
                    )
                    idle.append(self._replace(actor))

    def close(self) -> None:
        for actor in self.actors:
            with contextlib.suppress(Exception):
                ray.get(actor.close.remote(), timeout=30)
            with contextlib.suppress(Exception):
                ray.kill(actor)
        self.actors.clear()
        ray.shutdown()

    def _actor(self) -> Any:
        actor = _RemoteExecActor.options(**self.options).remote(self.environment)
        self.actors.append(actor)
        return actor

    def _replace(self, actor: Any) -> Any:
        with contextlib.suppress(Exception):
            ray.kill(actor)
        self.actors.remove(actor)
        return self._actor()

    def _described(self) -> str:
        shown = {key: value for key, value in self.resources.items() if "node:" not in key}
        return ", ".join(f"{key} {value:g}" for key, value in sorted(shown.items())) or "nothing"
