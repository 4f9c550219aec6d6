"""Lint results cached on disk, keyed by file content, effective settings and hflint version.

One small JSON file per key under `.hflint_cache/<version>/`: a warm run reads and hashes each file,
reads one cache entry per file, and starts no worker processes. Entries are written atomically, so
concurrent runs (pre-commit in several repositories, CI shards) never read half an entry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hflint import __version__
from hflint.diagnostics import Diagnostic
from hflint.source import write_atomic

CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by hflint.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)


def cache_key(data: bytes, display_path: str, settings_fingerprint: str, variant: str) -> str:
    """The path matters too: the model a file tests comes from its name."""
    digest = hashlib.sha256()
    for part in (
        __version__.encode(),
        settings_fingerprint.encode(),
        variant.encode(),
        display_path.encode(),
    ):
        digest.update(part)
        digest.update(b"\0")
    digest.update(data)
    return digest.hexdigest()


@dataclass(frozen=True)
class CachedResult:
    """What linting one file produced: its diagnostics and its summaries for project rules."""

    diagnostics: Sequence[Diagnostic]
    summaries: Mapping[str, Mapping[str, Any]]


class Cache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.entries = directory / __version__

    def get(self, key: str) -> CachedResult | None:
        try:
            raw = json.loads((self.entries / key[:2] / f"{key}.json").read_text(encoding="utf-8"))
            diagnostics = [Diagnostic.from_json(item) for item in raw["diagnostics"]]
            return CachedResult(diagnostics, raw["summaries"])
        except (OSError, ValueError, KeyError, TypeError):
            return None  # missing or unreadable: lint again

    def put(self, key: str, result: CachedResult) -> None:
        folder = self.entries / key[:2]
        payload = {
            "diagnostics": [d.to_json() for d in result.diagnostics],
            "summaries": result.summaries,
        }
        try:
            if not folder.is_dir():
                self._prepare(folder)
            encoded = json.dumps(payload, separators=(",", ":")).encode("utf-8")
            write_atomic(folder / f"{key}.json", encoded, durable=False)
        except OSError:
            pass  # a read-only or full disk makes the run slower, never wrong

    def _prepare(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        tag = self.directory / "CACHEDIR.TAG"
        if not tag.exists():
            tag.write_text(CACHEDIR_TAG, encoding="utf-8")
        ignore = self.directory / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Created by hflint automatically.\n*\n", encoding="utf-8")
