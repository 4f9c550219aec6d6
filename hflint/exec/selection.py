"""Which files `hflint exec` runs, and what each one is for (model type, task, default checkpoint,
the checkpoints it loads by itself and their tiny stand-ins: `hflint.analysis.checkpoints`).

Order of selection: the discovered files -> `--changed-since` -> `--shard` -> the lint gate ->
`--sample`. Sharding comes before the lint gate so that a file's shard depends on its path alone
(a CI matrix stays stable while files get fixed); sampling comes after it so that `--sample 20`
means 20 files that can run.
"""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import libcst as cst

from hflint.analysis import tasks
from hflint.analysis.checkpoints import StandIn, checkpoint_uses, plan_stand_ins
from hflint.analysis.filemodel import file_model
from hflint.analysis.modelrefs import default_ids
from hflint.analysis.styles import SCRIPT, TestStyle, detect_style
from hflint.analysis.testclass import find_test_class
from hflint.catalog import Catalog
from hflint.discovery import relative_path
from hflint.naming import expected_class_name, model_name_from_path
from hflint.rule import gate_codes
from hflint.runner import RunOptions, display_path, run
from hflint.settings import Settings


class SelectionError(Exception):
    """A selection flag that cannot be honoured (bad shard, unknown git ref): a usage error."""


def parse_shard(text: str) -> tuple[int, int]:
    """`"2/4"` -> (2, 4): the second of four shards (1-based, as CI matrices count)."""
    index, slash, total = text.partition("/")
    if not slash or not index.strip().isdigit() or not total.strip().isdigit():
        raise SelectionError(f"--shard must be K/N such as 1/4, got {text!r}")
    k, n = int(index), int(total)
    if n < 1 or not 1 <= k <= n:
        raise SelectionError(f"--shard {text}: K must be between 1 and N")
    return k, n


def shard_key(file: Path, root: Path) -> str:
    """What a file's shard is computed from: its path relative to the project root, so that every
    machine of a CI matrix agrees whatever directory it runs from."""
    return relative_path(file, root) or file.as_posix()


def in_shard(file: Path, root: Path, shard: tuple[int, int]) -> bool:
    k, n = shard
    digest = hashlib.sha256(shard_key(file, root).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % n == k - 1


def sample(files: Sequence[Path], size: int, seed: int, root: Path) -> list[Path]:
    """`size` files chosen by `seed`, the same ones on every machine (ordered by relative path
    first, not by how they were found), returned in run order."""
    ordered = sorted(files, key=lambda f: shard_key(f, root))
    if size >= len(ordered):
        return ordered
    chosen = set(random.Random(seed).sample(range(len(ordered)), size))
    return [file for index, file in enumerate(ordered) if index in chosen]


def changed_since(ref: str, files: Sequence[Path]) -> list[Path]:
    """The files that differ from git `ref` (committed since, staged, unstaged or untracked)."""
    cwd = files[0].parent if files else Path.cwd()
    top = Path(_git(["rev-parse", "--show-toplevel"], cwd).strip())
    _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], top, f"unknown git ref {ref!r}")
    listed = _git(["diff", "--name-only", "-z", "--diff-filter=d", ref, "--"], top)
    listed += _git(["ls-files", "--others", "--exclude-standard", "-z"], top)
    changed = {os.path.realpath(top / name) for name in listed.split("\0") if name}
    return [file for file in files if os.path.realpath(file) in changed]


def _git(args: list[str], cwd: Path, failure: str | None = None) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SelectionError(f"--changed-since needs git: {error}") from error
    if done.returncode != 0:
        reason = failure or done.stderr.strip() or f"git {' '.join(args)} failed"
        raise SelectionError(f"--changed-since: {reason}")
    return done.stdout


def lint_gate(
    files: Sequence[Path], settings: Settings, jobs: int | None, use_cache: bool
) -> dict[Path, str]:
    """Files the gate rules (`Rule.GATE`: findings that mean a file cannot run) find problems in
    -> why they are not run.

    The real linter, in this process, with the user's ignores, per-file-ignores and noqa comments
    (a problem they chose to ignore does not stop a run)."""
    gate = replace(settings, select=gate_codes(), extend_select=())
    outcomes = run(files, RunOptions(settings=gate, use_cache=use_cache), jobs)
    dirty: dict[Path, str] = {}
    for file, outcome in zip(files, outcomes, strict=True):
        if outcome.internal_error:
            dirty[file] = "lint crashed on this file (run `hflint check` on it)"
        elif outcome.diagnostics:
            found = sorted(outcome.diagnostics, key=lambda d: d.sort_key)
            shown = "; ".join(f"{d.code} {d.name} (line {d.start.row})" for d in found[:3]) + (
                f"; and {len(found) - 3} more" if len(found) > 3 else ""
            )
            dirty[file] = f"not lint-clean: {shown}"
    return dirty


@dataclass(frozen=True)
class Plan:
    """What one file is for, as far as reading it tells."""

    file: Path
    path: str  # as shown
    model_type: str | None
    task: str | None
    task_origin: str | None  # "pipeline call", "registry", "self.task", "catalog default"
    class_name: str | None
    hub_id: str | None  # the file's own default checkpoint
    # How the model type was decided ("the file name, less its variant suffix `_improved`"), or
    # why the file has none ("transfo-xl was removed in transformers 5.0 ...").
    model_type_from: str | None = None
    removed: bool = False  # the file's name is a model type transformers removed

    def skip_reason(self, source: str) -> str | None:
        """Why the file is not run with models from `source` (`synth`, `hub`, `auto`): a removed
        type's file cannot run on this transformers; a file with no model type has no tiny model
        to synthesise (with the hub, its own checkpoints may still run it); unittest and pytest
        files load their own checkpoints (stand-ins run them offline), so they need none."""
        if self.removed:
            return self.model_type_from
        if self.model_type is None and source == "synth" and self.style == SCRIPT:
            return f"no tiny model: {self.model_type_from}"
        return None

    # The checkpoints the file loads by itself, and what each runs on offline.
    standins: tuple[StandIn, ...] = ()
    style: TestStyle = SCRIPT  # how its tests run: script, unittest, pytest


def plan(file: Path, catalog: Catalog) -> Plan:
    model_name = model_name_from_path(file)
    task = origin = class_name = hub_id = None
    analysis = None
    style = SCRIPT
    try:
        module = cst.parse_module(file.read_bytes())
    except (OSError, cst.ParserSyntaxError):
        module = None  # run anyway (without the lint gate): the run reports why it fails
    decided = file_model(catalog, model_name, module) if model_name else None
    entry = decided.entry if decided else None
    expected = expected_class_name(decided.name.stem) if decided else None
    if decided is None:
        model_from = "the file's name is not test_hf_<model>.py"
    elif entry is None:
        model_from = decided.why_none(catalog.transformers_version)
    else:
        model_from = decided.how
    if module is not None:
        found = find_test_class(module, expected)
        class_name = found.name.value if found is not None else None
        ids = default_ids(module, class_name)
        hub_id = ids[0].value if ids else None
        analysis = tasks.analyze(module)
        task, origin = _file_task(analysis, catalog)
        style = detect_style(module, expected)
    if task is None and entry is not None and entry.default_task is not None:
        task, origin = entry.default_task, "catalog default"
    uses = checkpoint_uses(analysis, class_name) if analysis is not None else []
    return Plan(
        file=file,
        path=display_path(file),
        model_type=entry.model_type if entry else None,
        task=task,
        task_origin=origin,
        class_name=class_name or expected,
        hub_id=hub_id,
        model_type_from=model_from,
        removed=decided is not None and decided.name.removed is not None,
        standins=plan_stand_ins(catalog, uses, entry),
        style=style,
    )


def _file_task(analysis: tasks.TaskAnalysis, catalog: Catalog) -> tuple[str | None, str | None]:
    """The task the file's first pipeline call builds, else the one its registry declares."""
    for call in analysis.calls:
        if call.task.single is not None:
            return catalog.canonical_task(call.task.single), "pipeline call"
    for declaration in analysis.all_declarations():
        if declaration.tasks:
            origin = "registry" if declaration.origin != "self.task" else "self.task"
            return catalog.canonical_task(declaration.tasks[0]), origin
    return None, None
