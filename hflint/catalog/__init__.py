"""What hflint knows about transformers' model types, read from a data file shipped in the package.

`hflint catalog sync` (`hflint.catalog.sync`) derives `data/catalog.json` from the installed
transformers; everything else reads that file and never imports transformers. Names resolve however
users spell them: `gpt-j`, `gpt_j`, `GPT-J` and `gptj` are one model type, and family names such as
`flan-t5` or `codellama` resolve to the type their checkpoints use.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from hflint.compat import tomllib

DATA = Path(__file__).parent / "data"
CATALOG_FILE = DATA / "catalog.json"
PRIORITIES_FILE = DATA / "priorities.toml"
SCHEMA_VERSION = 1
PRIORITY_LEVELS = ("critical", "high", "medium")
_SEPARATORS = re.compile(r"[-_.\s]+")


def normalize(name: str) -> str:
    """The spelling-independent key of a name: `GPT-J`, `gpt_j`, `gptj` -> `gptj`."""
    return _SEPARATORS.sub("", name.strip().lower())


def spellings(model_type: str) -> set[str]:
    return {normalize(model_type)}


@dataclass(frozen=True)
class ModelEntry:
    """One transformers model type."""

    model_type: str
    family: str
    # Pipeline task -> the auto class transformers uses for it with this model type.
    tasks: Mapping[str, str]
    default_task: str | None
    checkpoint: str | None
    priority: str | None = None

    @property
    def aliases(self) -> tuple[str, ...]:
        """The usual spellings: the type itself and its hyphen and underscore forms."""
        forms = {
            self.model_type,
            self.model_type.replace("_", "-"),
            self.model_type.replace("-", "_"),
        }
        return tuple(sorted(forms))


@dataclass(frozen=True)
class Catalog:
    transformers_version: str
    pipeline_tasks: frozenset[str]
    task_aliases: Mapping[str, str]
    removed_tasks: Mapping[str, str | None]
    models: Mapping[str, ModelEntry]
    exports: frozenset[str]
    family_aliases: Mapping[str, str]
    _index: Mapping[str, str] = field(repr=False, default_factory=dict)

    def resolve(self, name: str) -> ModelEntry | None:
        """The model type a name means, however it is spelled; None when it means none."""
        model_type = self._index.get(normalize(name))
        return None if model_type is None else self.models[model_type]

    def suggestions(self, name: str, limit: int = 3) -> list[str]:
        keys = difflib.get_close_matches(normalize(name), list(self._index), n=limit, cutoff=0.6)
        return list(dict.fromkeys(self._index[key] for key in keys))

    def canonical_task(self, task: str) -> str:
        """`ner` -> `token-classification`; other names as they are."""
        return self.task_aliases.get(task, task)

    def aliases_of(self, model_type: str) -> tuple[str, ...]:
        family = tuple(sorted(a for a, t in self.family_aliases.items() if t == model_type))
        return self.models[model_type].aliases + family

    def by_priority(self, level: str) -> list[ModelEntry]:
        return [entry for entry in self.models.values() if entry.priority == level]


def _build(data: Mapping[str, Any], priorities: Mapping[str, str]) -> Catalog:
    models = {
        model_type: ModelEntry(
            model_type=model_type,
            family=entry["family"],
            tasks=MappingProxyType(dict(entry["tasks"])),
            default_task=entry["default_task"],
            checkpoint=entry["checkpoint"],
            priority=priorities.get(model_type),
        )
        for model_type, entry in data["models"].items()
    }
    index: dict[str, str] = {}
    for alias, target in data["family_aliases"].items():
        index[normalize(alias)] = target
    for model_type in models:  # a type's own spellings win over any family alias
        for spelling in spellings(model_type):
            index[spelling] = model_type
    return Catalog(
        transformers_version=data["transformers_version"],
        pipeline_tasks=frozenset(data["pipeline_tasks"]),
        task_aliases=MappingProxyType(dict(data["task_aliases"])),
        removed_tasks=MappingProxyType(dict(data["removed_tasks"])),
        models=MappingProxyType(models),
        exports=frozenset(data["exports"]),
        family_aliases=MappingProxyType(dict(data["family_aliases"])),
        _index=MappingProxyType(index),
    )


@cache
def _raw_catalog() -> Mapping[str, Any]:
    data: Mapping[str, Any] = json.loads(CATALOG_FILE.read_text(encoding="utf-8"))
    return data


def default_priority_table() -> dict[str, Any]:
    table: dict[str, Any] = tomllib.loads(PRIORITIES_FILE.read_text(encoding="utf-8"))
    return table


def priority_of_types(table: Mapping[str, Any], resolve: Any) -> dict[str, str]:
    """Model type -> priority from a priorities table (`[critical]`, `[high]`, `[tracked]`, each
    family -> names). Tracked models that are neither critical nor high are medium."""
    levels: dict[str, str] = {}
    for level, section in (("critical", "critical"), ("high", "high"), ("medium", "tracked")):
        for names in table.get(section, {}).values():
            for name in names:
                entry = resolve(name)
                if entry is not None:
                    levels.setdefault(entry.model_type, level)
    return levels


@cache
def _load(priority_key: str) -> Catalog:
    table = json.loads(priority_key) if priority_key else default_priority_table()
    bare = _build(_raw_catalog(), {})
    return _build(_raw_catalog(), priority_of_types(table, bare.resolve))


def load_catalog(priorities: Mapping[str, Mapping[str, Sequence[str]]] | None = None) -> Catalog:
    """The shipped catalog, with the default priorities or the given table (from config)."""
    return _load(json.dumps(priorities, sort_keys=True) if priorities else "")
