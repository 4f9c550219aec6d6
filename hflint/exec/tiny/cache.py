"""The on-disk cache of tiny models: where directories live, their marker files and cached failures.

Directories live under `<cache>/<transformers version>/<model_type>/<task>/` (cache: the argument,
else `$HFLINT_TINY_CACHE`, else `~/.cache/hflint/tiny`). A directory is built in a temporary sibling,
which gets its marker file last and is then renamed into place (`publish`), so a half-built directory
is never reused and two processes building the same model do not corrupt each other. Failures are
cached too, per builder version, so a sweep does not pay for them twice.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from hflint.exec.tiny.sizes import Level
from hflint.exec.tiny.stages import transformers_version

# Bump when a change to the builder could turn a cached failure into a success.
BUILDER_VERSION = 6
MARKER = ".hflint-tiny.json"
ENV_CACHE = "HFLINT_TINY_CACHE"
DEFAULT_CACHE = Path("~/.cache/hflint/tiny")


def cache_root(cache_dir: Path | None = None) -> Path:
    if cache_dir is not None:
        return Path(cache_dir)
    configured = os.environ.get(ENV_CACHE)
    return Path(configured).expanduser() if configured else DEFAULT_CACHE.expanduser()


def model_dir(root: Path, model_type: str, task: str) -> Path:
    return root / transformers_version() / model_type / task


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def read_marker(path: Path) -> dict[str, Any] | None:
    """The marker of a finished directory of this builder version; None for a directory built by
    another version, which may lack what this one adds (a chat template)."""
    with contextlib.suppress(OSError, ValueError):
        data = json.loads((path / MARKER).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) and data.get("builder") == BUILDER_VERSION else None
    return None


def failure_file(target: Path) -> Path:
    return target.with_name(target.name + ".unavailable.json")


def cached_failure(target: Path) -> str | None:
    with contextlib.suppress(OSError, ValueError):
        data = json.loads(failure_file(target).read_text(encoding="utf-8"))
        if data.get("builder") == BUILDER_VERSION:
            return str(data["reason"])
    return None


def record_failure(target: Path, reason: str) -> None:
    data = {"builder": BUILDER_VERSION, "reason": reason}
    with contextlib.suppress(OSError):
        failure_file(target).write_text(json.dumps(data), encoding="utf-8")


def publish(scratch: Path, target: Path) -> None:
    """Move a finished build into place. Another process may have published first: its
    directory is as good as ours. A directory without a marker (of this builder version) is a
    leftover and is replaced."""
    if target.exists() and read_marker(target) is None:
        shutil.rmtree(target, ignore_errors=True)
    try:
        os.rename(scratch, target)
    except OSError:
        if read_marker(target) is None:
            raise
        shutil.rmtree(scratch, ignore_errors=True)


def write_marker(
    scratch: Path, model_type: str, task: str, level: Level, seconds: float, note: str
) -> dict[str, Any]:
    marker = {
        "builder": BUILDER_VERSION,
        "model_type": model_type,
        "task": task,
        "transformers": transformers_version(),
        "level": level.name,
        "build_seconds": round(seconds, 3),
        "size_bytes": _size(scratch),
        "note": note,
    }
    # Written last: its presence is what makes the directory reusable.
    (scratch / MARKER).write_text(json.dumps(marker, indent=2), encoding="utf-8")
    return marker
