"""Effective settings of one run: config file values with command-line flags applied on top."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from hflint.frozen import FrozenMap

DEFAULT_INCLUDE: tuple[str, ...] = ("**/test_hf_*.py",)


@dataclass(frozen=True)
class Settings:
    """Everything that decides what a run checks and how.

    `select`, `ignore` and `extend_select` hold rule codes or code prefixes (`HF1` selects HF101..HF199;
    `ALL` selects every rule). `per_file_ignores` maps a gitignore-style pattern, matched against the
    path relative to `root`, to the codes or prefixes ignored in matching files.
    """

    root: Path = field(default_factory=Path.cwd)
    config_path: Path | None = None
    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = ()
    extend_exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True
    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    cache_dir: Path | None = None
    # Where synced catalog snapshots are (None: `hflint.catalog.user_catalog_dir`'s default).
    catalog_dir: Path | None = None
    # The sub-tables subsystems register (`hflint.config_tables`: `priorities`, `exec`), by name,
    # each as its validator returned it: frozen, so the settings stay hashable and picklable for
    # worker processes. A subsystem reads its own (`hflint.exec.options.exec_table`).
    tables: FrozenMap = field(default_factory=FrozenMap)

    def fingerprint(self) -> str:
        """A stable hash of what changes lint results (not where files are or how output looks)."""
        relevant = {
            "select": self.select,
            "ignore": self.ignore,
            "extend_select": self.extend_select,
            "per_file_ignores": self.per_file_ignores,
        }
        return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()[:16]
