"""Tiny stand-ins, in the child, for the hub checkpoints a test file loads by itself.

The parent says which ids a file names and, for each, the model type and the tasks to try
(`hflint.analysis.checkpoints`, through `hflint.exec.selection.plan`). Here, in the forked child and
before the file is imported, each id gets a tiny model of its type (`build_tiny_model`, from the
on-disk tiny cache when it was built before), laid out in a hub cache private to this child the way
huggingface_hub lays out a download:

    <cache>/models--<org>--<name>/refs/main                 the snapshot's commit
    <cache>/models--<org>--<name>/snapshots/<commit>/<file> a symbolic link into the tiny model

and this child's hub lookups are pointed at that cache, offline. `from_pretrained("id")`,
`AutoTokenizer.from_pretrained("id")` and `pipeline(task, model="id")` then find the tiny model as
they find any cached download: transformers itself is not patched, no weights are copied, and the
user's own hub cache is neither read nor written. The cache lives in the run's scratch directory,
which the worker removes when it stops.

Like `hflint.exec.child`, this module imports huggingface_hub and the tiny-model builder only inside
its functions: the worker imports the child's modules, and a broken builder must cost one file its
stand-ins, not the worker.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

_REASON_LIMIT = 300


def install(
    entries: Sequence[Mapping[str, Any]], workdir: str, model_cache: str | None
) -> dict[str, dict[str, Any]]:
    """The stand-ins the parent planned (`entries`), built and laid out in a private hub cache
    under the run's scratch directory `workdir`, which this child's hub lookups then use;
    id -> what it runs on, or why nothing. No entries leave the child's hub lookups as they are."""
    if not entries:
        return {}
    cache = Path(tempfile.mkdtemp(prefix="hub-", dir=workdir))
    tiny_cache = Path(model_cache) if model_cache else None
    report = {
        str(entry["id"]): _stand_in(entry, cache, tiny_cache)
        if entry.get("model_type") and entry.get("tasks")
        else {key: entry[key] for key in ("model_type", "origin", "reason") if entry.get(key)}
        for entry in entries
    }
    point_hub_lookups(cache)
    return report


def _stand_in(entry: Mapping[str, Any], cache: Path, model_cache: Path | None) -> dict[str, Any]:
    """Build the first of the entry's tasks that builds and lay it out under the id."""
    from hflint.exec.tiny import TinyModelUnavailable, build_tiny_model

    hub_id, model_type = str(entry["id"]), str(entry["model_type"])
    found: dict[str, Any] = {"model_type": model_type, "origin": entry.get("origin")}
    failures = []
    for task in entry["tasks"]:
        try:
            tiny = build_tiny_model(model_type, task, cache_dir=model_cache)
        except TinyModelUnavailable as error:
            failures.append(f"{task}: {error.reason}")
            continue
        except Exception as error:  # the builder's own failure: this id goes without, not the file
            failures.append(f"{task}: {type(error).__name__}: {error}")
            continue
        lay_out(cache, hub_id, tiny.path)
        return {**found, "task": tiny.task, "path": str(tiny.path)}
    reason = f"no tiny {model_type} model ({'; '.join(failures)})"
    return {**found, "reason": _short(reason)}


def lay_out(cache: Path, hub_id: str, model: Path) -> Path:
    """`model`'s files as the cached snapshot of `hub_id`'s `main` under `cache`; the snapshot.

    Each file is a symbolic link into `model`, as a real cache's snapshot files link into its blobs.
    The commit is a hash of `model`'s path: one stand-in, one commit."""
    from huggingface_hub.constants import DEFAULT_REVISION
    from huggingface_hub.file_download import repo_folder_name

    from hflint.exec.tiny import MARKER

    repo = cache / repo_folder_name(repo_id=hub_id, repo_type="model")
    commit = hashlib.sha1(str(model).encode("utf-8")).hexdigest()
    snapshot = repo / "snapshots" / commit
    for source in sorted(model.rglob("*")):
        if source.is_dir() or source.name == MARKER:
            continue
        link = snapshot / source.relative_to(model)
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(source)
    (repo / "refs").mkdir(parents=True, exist_ok=True)
    # No newline: huggingface_hub reads the ref file whole as the commit.
    (repo / "refs" / DEFAULT_REVISION).write_text(commit, encoding="ascii")
    return snapshot


def point_hub_lookups(cache: Path) -> None:
    """Make this process's hub lookups read `cache`, offline.

    huggingface_hub reads `HF_HUB_CACHE` and `HF_HUB_OFFLINE` into `huggingface_hub.constants` when
    it is imported, which the warm worker did before forking, so setting the environment here would
    not reach them. Transformers and huggingface_hub read those constants at each lookup
    (`constants.HF_HUB_CACHE` as the default `cache_dir`, `constants.is_offline_mode()`), except
    `scan_cache_dir`, whose module imported the cache path by value; all are set. Safe because this
    is the forked child of one file, which exits when the file is done: the worker and the other
    files' children are untouched. The environment is set too, for what the file starts."""
    import huggingface_hub.constants as constants
    from huggingface_hub.utils import _cache_manager

    path = str(cache)
    os.environ["HF_HUB_CACHE"] = path
    os.environ["HF_HUB_OFFLINE"] = "1"
    constants.HF_HUB_CACHE = path
    constants.HUGGINGFACE_HUB_CACHE = path
    constants.HF_HUB_OFFLINE = True
    _cache_manager.HF_HUB_CACHE = path  # type: ignore[attr-defined]


def _short(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= _REASON_LIMIT else line[: _REASON_LIMIT - 3] + "..."
