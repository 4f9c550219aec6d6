"""Sub-tables of [tool.hflint] that belong to a subsystem (`priorities`, `exec`), each registered by
the subsystem itself, so that the config code reads and documents them without importing it.

A subsystem calls `register_table` in a module that imports neither torch nor transformers; the
command line imports those modules before it reads any configuration. The order of registration
is the order of the examples in the section `hflint init` writes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hflint.frozen import FrozenMap


@dataclass(frozen=True)
class ConfigTable:
    """`[tool.hflint.<name>]`: how to check it and how `hflint init` shows it."""

    name: str
    # The table as read and the file it is in -> the table checked, frozen (`hflint.frozen`) so
    # that settings stay hashable and picklable; raises `hflint.config.ConfigError`.
    validate: Callable[[dict[str, Any], Path], FrozenMap]
    # The comment `hflint init` writes above the example.
    heading: str
    # TOML that `hflint init` writes out as comments (blank lines stay blank).
    example: str


_TABLES: dict[str, ConfigTable] = {}


def register_table(table: ConfigTable) -> None:
    # Two subsystems claiming one table is a programming error, not a configuration one.
    if table.name in _TABLES:
        raise ValueError(f"config table {table.name!r} is registered twice")
    _TABLES[table.name] = table


def registered_tables() -> tuple[ConfigTable, ...]:
    return tuple(_TABLES.values())
