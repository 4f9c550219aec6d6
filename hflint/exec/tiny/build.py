"""`build_tiny_model`: resolve the type and task, reuse the cache or build, trying each shrink level.

A directory whose pipeline does not run is never cached: the next, less aggressive level is tried,
then the type is reported unavailable with the reason of the attempt that got furthest.

Nothing here sets environment variables. Building reads only local files; the process that builds
says whether the hub may be reached: `hflint exec` starts its worker with `HF_HUB_OFFLINE=1`
(`hflint.exec.commands`), bench/tiny and the tests set it themselves.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hflint import task_inputs
from hflint.catalog import ModelEntry, load_catalog
from hflint.exec.tiny.cache import (
    cache_root,
    cached_failure,
    model_dir,
    publish,
    read_marker,
    record_failure,
    write_marker,
)
from hflint.exec.tiny.components import Components, build_components, fit_components
from hflint.exec.tiny.model import (
    base_config,
    build_model,
    chat_templates,
    check_task_fits,
    fit_model_input_names,
    load_directly,
    run_pipeline,
    tiny_config,
)
from hflint.exec.tiny.sizes import LEVELS, Level, is_subconfig
from hflint.exec.tiny.stages import StageFailed, TinyModelUnavailable, quiet, stage, stage_rank


@dataclass(frozen=True)
class TinyModel:
    """A directory `transformers.pipeline(task, model=path)` runs."""

    model_type: str
    task: str
    path: Path
    cached: bool
    # Seconds this call took, and what the cold build that made the directory took.
    seconds: float
    build_seconds: float
    size_bytes: int
    # The shrink level that worked (`Level.name`).
    level: str
    # What it has that a checkpoint would bring instead (a chat template of hflint's), or "".
    note: str = ""


def _related_types(model_type: str, config: Mapping[str, Any]) -> list[str]:
    """The type and the types of its sub-configs (text first): where to look for a tokenizer or
    an image processor when the composite type has none of its own."""
    types = [model_type]
    for key in ("text_config", "decoder", "text_encoder", "language_config", "llm_config"):
        value = config.get(key)
        if is_subconfig(value):
            types.append(value["model_type"])
    for value in config.values():
        if is_subconfig(value):
            types.append(value["model_type"])
    return list(dict.fromkeys(types))


def _resolve(model_type: str, task: str) -> tuple[ModelEntry, str, str]:
    """The catalog entry, canonical task and its auto class; unavailable when the type has no
    model class for the task, or the task is none hflint knows."""
    catalog = load_catalog()
    entry = catalog.resolve(model_type)
    if entry is None:
        raise TinyModelUnavailable(f"unknown model type {model_type!r}")
    task = catalog.canonical_task(task)
    auto_class = entry.tasks.get(task)
    if auto_class is None:
        raise TinyModelUnavailable(f"{entry.model_type} has no model class for task {task}")
    if task_inputs.task_input(task) is None:
        raise TinyModelUnavailable(f"task {task} is not a pipeline task hflint knows")
    return entry, task, auto_class


def build_tiny_model(model_type: str, task: str, cache_dir: Path | None = None) -> TinyModel:
    """A tiny model of `model_type` for `task`, built offline or reused from the cache."""
    started = time.perf_counter()
    entry, task, auto_class = _resolve(model_type, task)
    target = model_dir(cache_root(cache_dir), entry.model_type, task)
    marker = read_marker(target)
    if marker is not None:
        return _tiny(entry.model_type, task, target, marker, True, started)
    reason = cached_failure(target)
    if reason is not None:
        raise TinyModelUnavailable(reason)
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{task}.", dir=target.parent))
    try:
        direct = not task_inputs.runs_pipeline(task, entry.tasks)
        marker = _build(entry.model_type, task, auto_class, scratch, direct)
    except TinyModelUnavailable as error:
        record_failure(target, error.reason)
        raise
    finally:
        if read_marker(scratch) is None:
            shutil.rmtree(scratch, ignore_errors=True)
    publish(scratch, target)
    return _tiny(entry.model_type, task, target, read_marker(target) or marker, False, started)


def _tiny(
    model_type: str, task: str, path: Path, marker: Mapping[str, Any], cached: bool, started: float
) -> TinyModel:
    return TinyModel(
        model_type=model_type,
        task=task,
        path=path,
        cached=cached,
        seconds=time.perf_counter() - started,
        build_seconds=float(marker.get("build_seconds", 0.0)),
        size_bytes=int(marker.get("size_bytes", 0)),
        level=str(marker.get("level", "")),
        note=str(marker.get("note", "")),
    )


def _build(
    model_type: str, task: str, auto_class: str, scratch: Path, direct: bool
) -> dict[str, Any]:
    """Build into `scratch`, trying each shrink level until the model passes the check of the
    file that will load it (`_attempt`); write the marker."""
    started = time.perf_counter()
    modality = task_inputs.TASK_INPUTS[task].modality
    failures: list[StageFailed] = []
    with quiet():
        try:
            base = base_config(model_type, task)
            if not direct:
                check_task_fits(base, auto_class, task)
            types = _related_types(model_type, base.to_dict())
            parts = _components(types, task, modality, base, direct)
        except StageFailed as failure:
            raise TinyModelUnavailable(str(failure)) from failure
        for level in LEVELS:
            try:
                note = _attempt(base, level, parts, auto_class, task, scratch, direct)
            except StageFailed as failure:
                failures.append(failure)
                _clear(scratch)
                continue
            seconds = time.perf_counter() - started
            return write_marker(scratch, model_type, task, level, seconds, note)
    raise TinyModelUnavailable(_reason(failures, parts))


def _components(
    types: Sequence[str], task: str, modality: str, base: Any, direct: bool
) -> Components:
    """The parts to save beside the model. A model built directly is loaded without them: parts
    that cannot be made leave it with none rather than without a model."""
    try:
        with stage("tokenizer"):
            return build_components(types, task, modality, base)
    except StageFailed as failure:
        if not direct:
            raise
        return Components(notes=[str(failure)])


def _attempt(
    base: Any,
    level: Level,
    parts: Components,
    auto_class: str,
    task: str,
    scratch: Path,
    direct: bool,
) -> str:
    """One build at `level` into `scratch`, checked as the file that loads it uses it: loaded
    through its auto class when the file builds it directly (`hflint.task_inputs.runs_pipeline`),
    else run through the task's pipeline, with each chat template to try (the first that runs is
    kept); its note."""
    config = tiny_config(base, level, parts)
    with stage("processor"):
        fit_components(parts, config.to_dict())
    model = build_model(config, auto_class)
    fit_model_input_names(parts.tokenizer, model)
    modality = task_inputs.TASK_INPUTS[task].modality
    if direct:
        with stage("save"):
            model.save_pretrained(str(scratch))
            parts.save(scratch, modality)
        load_directly(scratch, auto_class)
        return ""
    failures: list[StageFailed] = []
    for template in chat_templates(parts.processor, task):
        with stage("save"):
            if template is not None:
                parts.processor.chat_template = template[0]
            model.save_pretrained(str(scratch))
            parts.save(scratch, modality)
        try:
            run_pipeline(scratch, task)
        except StageFailed as failure:
            failures.append(failure)
            continue
        return "" if template is None else template[1]
    raise max(failures, key=stage_rank)


def _clear(path: Path) -> None:
    for child in path.iterdir():
        if child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


_MISSING_PACKAGE = re.compile(r"needs torchvision|requires the \S+ librar")


def _reason(failures: Sequence[StageFailed], parts: Components) -> str:
    """The failure of the attempt that got furthest (the first such), with what was left out."""
    best = max(failures, key=stage_rank) if failures else None
    reason = str(best) if best is not None else "no shrink level to try"
    limit = 400
    if parts.notes and best is not None and best.stage.startswith("pipeline"):
        notes = "; ".join(dict.fromkeys(parts.notes))
        # A part left out for a missing package is the cause; the pipeline's error, its effect.
        reason = f"{notes} ({reason})" if _MISSING_PACKAGE.search(notes) else f"{reason} ({notes})"
    return reason if len(reason) <= limit else reason[: limit - 3] + "..."
