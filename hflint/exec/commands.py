"""`hflint hardware` and `hflint exec`: the click commands (registered at the end of hflint.cli).

Importing this module imports neither torch nor transformers: `hflint hardware` imports torch when
it runs; `hflint exec` leaves both to its warm worker.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import json
import os
import platform
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import click

from hflint import __version__
from hflint.catalog import CATALOG_DIR_ENV, Catalog
from hflint.command_support import (
    EXIT_CLEAN,
    EXIT_ERROR,
    Failure,
    catalog,
    config_option,
    emit,
    error,
    format_option,
    output_file_option,
    settings_for,
    warn,
)
from hflint.discovery import discover, suite_id
from hflint.exec import records as rec
from hflint.exec import selection
from hflint.exec.backend_protocol import Backend, BackendError
from hflint.exec.backends import open_backend
from hflint.exec.hardware import DEVICE_CHOICES, DeviceError, Hardware, best_device, resolve_device
from hflint.exec.options import (
    BACKENDS,
    DEFAULT_OUTPUT_LIMIT,
    DTYPES,
    MODEL_SOURCES,
    DeviceSettings,
    ExecOptionError,
    check_device_name,
    device_settings,
    exec_table,
    format_size,
    parse_size,
)
from hflint.exec.protocol import Job, Outcome
from hflint.exec.worker_client import WorkerFailed
from hflint.naming import importable_name, model_name_from_path, resolve_model_name
from hflint.runner import display_path
from hflint.settings import Settings

# What a record takes from its file's outcome (the rest it knows from the plan).
_OUTCOME_FIELDS = tuple(
    f.name
    for f in dataclasses.fields(Outcome)
    if f.name in {r.name for r in dataclasses.fields(rec.Record)}
)


def _require(command: str, packages: tuple[str, ...]) -> None:
    """Exit 2 naming what to install when `packages` are missing (found without importing them:
    a run must not pay torch's start-up only to learn it is there)."""
    missing = [name for name in packages if importlib.util.find_spec(name) is None]
    if missing:
        raise Failure(
            f"hflint {command} needs {' and '.join(missing)}, not installed in {sys.prefix}: "
            f"install the torch build for this machine (README, 'Installing torch'), then "
            f"`pip install 'hflint[exec]'`"
        )


@dataclasses.dataclass(frozen=True)
class ExecRequest:
    """What one `hflint exec` run asks for, once its flags and config are read and checked."""

    files: tuple[Path, ...]  # selected (discovered, changed since, in the shard), not yet gated
    settings: Settings
    table: Mapping[str, Any]  # [tool.hflint.exec]
    flags: Mapping[str, Any]  # the per-device settings given as flags, keyed as in the table
    device: str  # as asked for (`auto`, `cuda`, `cuda:1`, ...), resolved once the backend says
    source: str  # synth, hub, auto
    sample: int | None
    seed: int
    lint_gate: bool
    use_cache: bool  # the lint gate's .hflint_cache/
    backend: str
    address: str | None


# --- hflint hardware ---------------------------------------------------------------------------


@click.command(
    "hardware",
    epilog="""\b
Examples:
  hflint hardware
  hflint hardware --format json
  hflint hardware --device cuda:1     (does it exist here, and what would exec use on it?)""",
)
@format_option(["text", "json"])
@click.option("--device", help=f"Check a device and show its settings: {DEVICE_CHOICES}.")
@config_option("with [tool.hflint.exec]")
def hardware_command(format_name: str, device: str | None, config_path: Path | None) -> int:
    """What `hflint exec` can run on here: CPU, CUDA, ROCm, MPS and XPU devices, torch's version."""
    table = exec_table(settings_for(config_path))
    _require("hardware", ("torch",))
    try:
        from hflint.exec.hardware import probe

        hardware = probe()
    except ImportError as problem:
        raise Failure(
            f"hflint hardware needs torch (pip install 'hflint[exec]'): {problem}"
        ) from None
    best, best_kind = best_device(hardware)
    chosen_name, chosen_kind = best, best_kind
    if device is not None:
        try:
            chosen_name, chosen_kind = resolve_device(
                check_device_name(device, "--device"), hardware
            )
        except (DeviceError, ExecOptionError) as problem:
            raise Failure(str(problem)) from None
    chosen = device_settings(table, chosen_name, chosen_kind, hardware.cpu.usable_cores, {})
    if format_name == "json":
        record = {
            **hardware.to_dict(),
            "best_device": best,
            "device": {"name": chosen_name, "kind": chosen_kind, **dataclasses.asdict(chosen)},
        }
        click.echo(json.dumps(record, indent=2))
        return EXIT_CLEAN
    from hflint.exec.hardware import render_text

    dtype = chosen.dtype or "as the file loads it"
    click.echo(render_text(hardware), nl=False)
    click.echo(f"best device   {best}")
    click.echo(
        f"exec on {chosen_name}: timeout {chosen.timeout:g} s, memory cap "
        f"{format_size(chosen.memory_cap)}, dtype {dtype}, {chosen.jobs} at a time"
    )
    return EXIT_CLEAN


# --- hflint exec -------------------------------------------------------------------------------


@click.command(
    "exec",
    epilog="""\b
Examples:
  hflint exec fixed_tests/
  hflint exec --device cuda --sample 20 --seed 7 fixed_tests/
  hflint exec --shard 2/4 --format junit -o exec.xml fixed_tests/     (one job of a CI matrix)
  hflint exec --changed-since origin/main --model-source auto .
  hflint exec --backend ray --address ray://head:10001 --device cuda fixed_tests/""",
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--device", help=f"Where to run: {DEVICE_CHOICES} [default: auto].")
@click.option(
    "--model-source",
    type=click.Choice(MODEL_SOURCES),
    help="synth: tiny models built offline; hub: the file's own checkpoint; auto: the hub "
    "checkpoint when it resolves, else synth [default: synth].",
)
@click.option("--sample", type=click.IntRange(min=1), help="Run N files chosen by --seed.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of --sample.")
@click.option("--shard", help="Run shard K of N (K/N, 1-based), split by a hash of each path.")
@click.option("--changed-since", metavar="REF", help="Only files changed since git REF.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Files run at once.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), help="Seconds per file.")
@click.option(
    "--memory-cap", help="Memory a file may map beyond the warm worker (8GiB, 512MB, none)."
)
@click.option("--dtype", type=click.Choice(DTYPES), help="Load models in this dtype.")
@click.option(
    "--no-lint-gate",
    is_flag=True,
    help="Run files even when a gate rule (`hflint rules` marks them) finds a problem.",
)
@format_option(rec.FORMATS)
@output_file_option("Write here.")
@config_option("to read [tool.hflint] from")
@click.option("--no-cache", is_flag=True, help="Lint without .hflint_cache/.")
@click.option(
    "--backend",
    type=click.Choice(BACKENDS),
    help="local: a warm worker on this machine; ray: actors on a Ray cluster [default: local].",
)
@click.option(
    "--address",
    metavar="ADDR",
    help="The Ray cluster (auto, HOST:PORT, ray://HOST:PORT) [default: a local Ray instance].",
)
def exec_command(
    paths: tuple[str, ...],
    device: str | None,
    model_source: str | None,
    sample: int | None,
    seed: int,
    shard: str | None,
    changed_since: str | None,
    jobs: int | None,
    timeout: float | None,
    memory_cap: str | None,
    dtype: str | None,
    no_lint_gate: bool,
    format_name: str,
    output_file: Path | None,
    config_path: Path | None,
    no_cache: bool,
    backend: str | None,
    address: str | None,
) -> int:
    """Run lint-clean test files, each in an isolated child of a warm worker, against tiny models.

    Exit status: 0 when every file passed or was skipped, 1 when any failed, errored, crashed or
    timed out, 2 for usage errors (a device this machine does not have, a bad flag or config).
    """
    started = time.monotonic()
    settings = settings_for(config_path, [Path(p) for p in paths])
    table = exec_table(settings)
    flags: dict[str, Any] = {}
    try:
        for key, value in (("timeout", timeout), ("jobs", jobs), ("dtype", dtype)):
            if value is not None:
                flags[key] = value
        if memory_cap is not None:
            flags["memory-cap"] = parse_size(memory_cap, "--memory-cap")
        requested = check_device_name(device or table.get("device", "auto"), "--device")
        shard_spec = selection.parse_shard(shard) if shard else None
    except (ExecOptionError, selection.SelectionError) as problem:
        raise Failure(str(problem)) from None
    source = model_source or table.get("model-source", "synth")
    backend_name = backend or table.get("backend", "local")
    if address is None and backend_name == "ray":
        address = table.get("ray-address")
    if backend_name == "local":  # Ray's workers run wherever the cluster has them installed
        _require("exec", ("torch", "transformers"))

    found = discover(paths, settings)
    if found.missing:
        raise Failure(f"{found.missing[0]}: no such file or directory")
    files = list(found.files)
    try:
        if changed_since:
            files = selection.changed_since(changed_since, files)
    except selection.SelectionError as problem:
        raise Failure(str(problem)) from None
    if shard_spec:
        files = [file for file in files if selection.in_shard(file, settings.root, shard_spec)]
    selection_meta = {
        "discovered": len(found.files),
        "changed_since": changed_since,
        "shard": shard,
        "sample": sample,
        "seed": seed,
        "lint_gate": not no_lint_gate,
    }
    meta: dict[str, Any] = {
        "tool": "hflint",
        "version": __version__,
        # Which suite and machine: `hflint report merge` refuses other suites' results and shows
        # where each file ran (a Ray record names its own node).
        "suite": settings.root.name,
        "suite_id": suite_id(found.files, settings.root),
        "node": platform.node(),
        "selection": selection_meta,
    }
    if not files:
        warn("no test files selected")
        meta["seconds"] = time.monotonic() - started
        emit(rec.render(format_name, [], meta), output_file)
        return EXIT_CLEAN

    meta["backend"] = backend_name
    request = ExecRequest(
        files=tuple(files),
        settings=settings,
        table=table,
        flags=flags,
        device=requested,
        source=source,
        sample=sample,
        seed=seed,
        lint_gate=not no_lint_gate,
        use_cache=not no_cache,
        backend=backend_name,
        address=address,
    )
    records, failure = _run(request, meta)
    records.sort(key=lambda record: record.file)
    meta["seconds"] = round(time.monotonic() - started, 3)
    emit(rec.render(format_name, records, meta), output_file)
    if failure is not None:
        error(failure)
        return EXIT_ERROR
    return rec.exit_status(records)


def _run(request: ExecRequest, meta: dict[str, Any]) -> tuple[list[rec.Record], str | None]:
    """Start the backend, check the device, gate, plan and run; (records, backend failure)."""
    settings, table, files = request.settings, request.table, request.files
    environment = {"TOKENIZERS_PARALLELISM": "false"}  # tokenizers' threads and fork do not mix
    if settings.catalog_dir is not None:  # the worker's tiny models read the run's catalog
        environment[CATALOG_DIR_ENV] = str(settings.catalog_dir)
    if request.source == "synth":
        environment["HF_HUB_OFFLINE"] = "1"  # tiny models are local: a download attempt is a bug
    try:
        backend: Backend = open_backend(request.backend, request.address, environment)
    except BackendError as problem:
        raise Failure(str(problem)) from None
    try:
        try:
            hardware = backend.hardware(request.device)
            device, kind = resolve_device(request.device, hardware)
        except (BackendError, DeviceError) as problem:
            raise Failure(str(problem)) from None
        chosen = device_settings(
            table, device, kind, hardware.cpu.usable_cores, request.flags, backend.slots(kind)
        )
        versions = {
            "torch": hardware.torch,
            "transformers": hardware.transformers,
            "python": hardware.python,
        }
        meta.update(
            device=device,
            device_kind=kind,
            model_source=request.source,
            settings=dataclasses.asdict(chosen),
            hardware=hardware.to_dict(),
            **versions,
        )
        gate = request.lint_gate
        dirty = selection.lint_gate(files, settings, None, request.use_cache) if gate else {}
        runnable = [file for file in files if file not in dirty]
        if request.sample is not None:
            # A sample is drawn from what can run; what the gate left out is a count, not a list.
            runnable = selection.sample(runnable, request.sample, request.seed, settings.root)
            meta["selection"]["left_out_by_lint_gate"] = len(dirty)
            dirty = {}
        chosen_catalog = catalog(settings)
        skipped = [
            _skipped(file, reason, device, versions, _named_type(file, chosen_catalog))
            for file, reason in dirty.items()
        ]
        plans = []
        for file in runnable:
            planned = selection.plan(file, chosen_catalog)
            why = planned.skip_reason(request.source)
            if why is None:
                plans.append(planned)
            else:
                skipped.append(_skipped(file, why, device, versions, planned.model_type))
        cache = table.get("model-cache")
        jobs = [
            _job(index, plan, request.source, device, chosen, hardware, table, settings, cache)
            for index, plan in enumerate(plans)
        ]
        results: dict[int, rec.Record] = {}
        failure = None
        with _progress(len(jobs)) as advance:

            def on_result(index: int, outcome: Outcome) -> None:
                results[index] = _record(plans[index], outcome, device, versions)
                advance()

            try:
                if jobs:
                    backend.run(jobs, min(chosen.jobs, len(jobs)), on_result)
            except WorkerFailed as problem:
                failure = f"the exec worker failed: {problem}"
        return skipped + [results[index] for index in sorted(results)], failure
    finally:
        backend.close()


def _job(
    index: int,
    plan: selection.Plan,
    source: str,
    device: str,
    chosen: DeviceSettings,
    hardware: Hardware,
    table: Mapping[str, Any],
    settings: Settings,
    cache: str | None,
) -> Job:
    parallel = max(1, chosen.jobs)
    return Job(
        id=index,
        file=os.path.abspath(plan.file),
        module=importable_name(plan.file.stem),
        style=plan.style,
        class_name=plan.class_name,
        model_name=model_name_from_path(plan.file),
        model_type=plan.model_type,
        task=plan.task,
        hub_id=plan.hub_id,
        standins=[standin.to_job() for standin in plan.standins],
        source=source,
        device=device,
        dtype=chosen.dtype,
        timeout=chosen.timeout,
        memory_cap=chosen.memory_cap,
        # Children share the cores: each gets its part, so N at once do not oversubscribe.
        threads=max(1, hardware.cpu.usable_cores // parallel),
        output_limit=int(table.get("output-limit", DEFAULT_OUTPUT_LIMIT)),
        model_cache=str(settings.root / cache) if cache else None,
    )


def _record(
    plan: selection.Plan, outcome: Outcome, device: str, versions: dict[str, str | None]
) -> rec.Record:
    record = rec.Record(
        file=plan.path,
        model_type=plan.model_type,
        model_type_from=plan.model_type_from if plan.model_type else None,
        task=plan.task,
        style=plan.style,
        device=device,
        versions=versions,
        **{name: getattr(outcome, name) for name in _OUTCOME_FIELDS},
    )
    if outcome.hub_error and record.reason is None:
        record.reason = (
            f"hub checkpoint {plan.hub_id} unavailable ({outcome.hub_error}); "
            "ran on a tiny synthesised model"
        )
    return record


def _named_type(file: Path, catalog: Catalog) -> str | None:
    """The model type the file's name gives, else the name itself (for a file not run)."""
    name = model_name_from_path(file)
    entry = resolve_model_name(catalog, name).entry if name else None
    return entry.model_type if entry else name


def _skipped(
    file: Path, reason: str, device: str, versions: dict[str, str | None], model_type: str | None
) -> rec.Record:
    return rec.Record(
        file=display_path(file),
        status="skipped",
        model_type=model_type,
        device=device,
        reason=reason,
        versions=versions,
    )


@contextlib.contextmanager
def _progress(total: int) -> Iterator[Any]:
    """A progress bar on stderr when it is a terminal; otherwise nothing at all."""
    if not sys.stderr.isatty() or total == 0:
        yield lambda: None
        return
    with click.progressbar(length=total, label="hflint exec", file=sys.stderr) as bar:
        yield lambda: bar.update(1)
