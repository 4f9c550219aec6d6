"""What hflint knows about transformers' model types, read from a snapshot per transformers version.

`hflint catalog sync` (`hflint.catalog.sync`) derives a snapshot, `transformers-<version>.json`, from
the installed transformers; everything else reads snapshots and never imports transformers. One
snapshot ships in the package (`data/`, the version hflint pins); `sync` writes the installed version's
into a user catalog directory. Lint uses the snapshot of the installed transformers (its version read
from package metadata) when there is one, else the shipped one, with a warning (`choose_catalog`).

Names resolve however users spell them: `gpt-j`, `gpt_j`, `GPT-J` and `gptj` are one model type, and
family names such as `flan-t5` or `codellama` resolve to the type their checkpoints use. The catalog
also knows the module transformers keeps each type in (`donut-swin` lives in `donut`), which gives the
names a model goes by besides its type, and the types transformers removed, with the release that
removed them. What a test file's name means, suffixes and all, is `hflint.naming.resolve_model_name`.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib.metadata
import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from hflint.compat import tomllib
from hflint.frozen import FrozenMap, freeze
from hflint.settings import Settings

DATA = Path(__file__).parent / "data"
SNAPSHOT_PREFIX = "transformers-"
# Where `hflint catalog sync` writes and lint looks, unless `[tool.hflint] catalog-dir` says otherwise.
CATALOG_DIR_ENV = "HFLINT_CATALOG_DIR"
PRIORITIES_FILE = DATA / "priorities.toml"
SCHEMA_VERSION = 2
PRIORITY_LEVELS = ("critical", "high", "medium")
_SEPARATORS = re.compile(r"[-_.\s]+")
# A module's name (normalized) less its version number: `florence2` -> `florence`, `kosmos2_5` ->
# `kosmos`. At least three characters stay, so `t5` gives no `t`.
_VERSIONED = re.compile(r"^([a-z][a-z0-9]+[a-z])\d+$")


def normalize(name: str) -> str:
    """The spelling-independent key of a name: `GPT-J`, `gpt_j`, `gptj` -> `gptj`."""
    return _SEPARATORS.sub("", name.strip().lower())


def spellings(model_type: str) -> set[str]:
    return {normalize(model_type)}


@dataclass(frozen=True)
class RemovedType:
    """A model type transformers had and removed."""

    model_type: str
    removed_in: str  # the transformers release that removed it: `5.0`


@dataclass(frozen=True)
class ModelEntry:
    """One transformers model type."""

    model_type: str
    family: str
    # Pipeline task -> the auto class transformers uses for it with this model type.
    tasks: Mapping[str, str]
    default_task: str | None
    checkpoint: str | None
    # The module of `transformers.models` that holds it: `donut` for `donut-swin`, `data2vec` for
    # `data2vec-audio`, `-text` and `-vision`; usually the type itself, spelled with underscores.
    module: str
    priority: str | None = None
    # The mask token of the type's tokenizer class (`[MASK]` for BERT, `<mask>` for RoBERTa); None
    # when it has none, or the snapshot predates the field.
    mask_token: str | None = None

    @property
    def aliases(self) -> tuple[str, ...]:
        """The usual spellings: the type itself and its hyphen and underscore forms."""
        forms = {
            self.model_type,
            self.model_type.replace("_", "-"),
            self.model_type.replace("-", "_"),
        }
        return tuple(sorted(forms))


# Compared (and hashed, as a cache key) by identity: `load_catalog` builds each catalog once.
@dataclass(frozen=True, eq=False)
class Catalog:
    transformers_version: str
    pipeline_tasks: frozenset[str]
    task_aliases: Mapping[str, str]
    removed_tasks: Mapping[str, str | None]
    models: Mapping[str, ModelEntry]
    exports: frozenset[str]
    family_aliases: Mapping[str, str]
    # Model type -> the transformers release that removed it (types this version no longer has).
    removed_types: Mapping[str, str] = field(default_factory=dict)
    # A hash of the snapshot's text: cached lint results are only valid for the catalog they used.
    digest: str = ""
    _index: Mapping[str, str] = field(repr=False, default_factory=dict)
    _removed_index: Mapping[str, str] = field(repr=False, default_factory=dict)
    # A module's name -> its model types; a module's name less its version -> those of the modules.
    _modules: Mapping[str, tuple[str, ...]] = field(repr=False, default_factory=dict)
    _unversioned_modules: Mapping[str, tuple[str, ...]] = field(repr=False, default_factory=dict)

    def resolve(self, name: str) -> ModelEntry | None:
        """The model type a name means, however it is spelled; None when it means none."""
        model_type = self._index.get(normalize(name))
        return None if model_type is None else self.models[model_type]

    def removed(self, name: str) -> RemovedType | None:
        """The removed model type a name means, however it is spelled; None when it means none."""
        model_type = self._removed_index.get(normalize(name))
        if model_type is None:
            return None
        return RemovedType(model_type, self.removed_types[model_type])

    def module_models(self, name: str) -> tuple[ModelEntry, ...]:
        """The model types a name means as the name of the module transformers keeps them in
        (`donut` -> donut-swin; `data2vec` -> data2vec-audio, data2vec-text, data2vec-vision), else
        as a module's name less its version number (`florence` -> florence2; `kosmos` -> kosmos-2,
        kosmos-2.5). Of a module, its own type where it has one (`florence2`, not its part
        `florence_vision`), else all its types. Empty when the name is no module's."""
        key = normalize(name)
        found = self._modules.get(key, ()) or self._unversioned_modules.get(key, ())
        return tuple(self.models[model_type] for model_type in found)

    @property
    def families(self) -> frozenset[str]:
        """The modality families of the catalog's types: `audio`, `vision`, `multimodal`..."""
        return frozenset(entry.family for entry in self.models.values())

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


def _build(data: Mapping[str, Any], priorities: Mapping[str, str], digest: str) -> Catalog:
    mask_tokens: Mapping[str, str] = data.get("mask_tokens", {})
    models = {
        model_type: ModelEntry(
            model_type=model_type,
            family=entry["family"],
            tasks=MappingProxyType(dict(entry["tasks"])),
            default_task=entry["default_task"],
            checkpoint=entry["checkpoint"],
            # Snapshots synced before schema 2 hold no module: the type's own name is its module.
            module=entry.get("module", model_type.replace("-", "_")),
            priority=priorities.get(model_type),
            mask_token=mask_tokens.get(model_type),
        )
        for model_type, entry in data["models"].items()
    }
    index: dict[str, str] = {}
    for alias, target in data["family_aliases"].items():
        index[normalize(alias)] = target
    for model_type in models:  # a type's own spellings win over any family alias
        for spelling in spellings(model_type):
            index[spelling] = model_type
    removed_types = dict(data.get("removed_types", {}))
    in_module: dict[str, list[str]] = {}
    for model_type, entry in models.items():
        in_module.setdefault(normalize(entry.module), []).append(model_type)
    modules: dict[str, tuple[str, ...]] = {}
    unversioned: dict[str, tuple[str, ...]] = {}
    for module, types in sorted(in_module.items()):
        own = tuple(t for t in types if normalize(t) == module)
        modules[module] = own or tuple(types)
        match = _VERSIONED.match(module)
        if match is not None:
            unversioned[match.group(1)] = unversioned.get(match.group(1), ()) + modules[module]
    return Catalog(
        transformers_version=data["transformers_version"],
        pipeline_tasks=frozenset(data["pipeline_tasks"]),
        task_aliases=MappingProxyType(dict(data["task_aliases"])),
        removed_tasks=MappingProxyType(dict(data["removed_tasks"])),
        models=MappingProxyType(models),
        exports=frozenset(data["exports"]),
        family_aliases=MappingProxyType(dict(data["family_aliases"])),
        removed_types=MappingProxyType(removed_types),
        digest=digest,
        _index=MappingProxyType(index),
        _removed_index=MappingProxyType({normalize(t): t for t in removed_types}),
        _modules=MappingProxyType(modules),
        _unversioned_modules=MappingProxyType(unversioned),
    )


def snapshot_name(version: str) -> str:
    return f"{SNAPSHOT_PREFIX}{version}.json"


def snapshot_version(path: Path) -> str:
    """`transformers-5.25.0.json` -> `5.25.0`."""
    return path.name.removeprefix(SNAPSHOT_PREFIX).removesuffix(".json")


def shipped_snapshot() -> Path:
    """The snapshot shipped in the package: there is exactly one, for the pinned transformers."""
    found = sorted(DATA.glob(snapshot_name("*")))
    if len(found) != 1:
        raise RuntimeError(
            f"hflint's package should hold one catalog snapshot in {DATA}, not {found}"
        )
    return found[0]


def installed_transformers_version() -> str | None:
    """The installed transformers' version, from its package metadata: nothing is imported."""
    try:
        return importlib.metadata.version("transformers")
    except importlib.metadata.PackageNotFoundError:
        return None


def user_catalog_dir(configured: Path | None = None) -> Path:
    """Where synced snapshots live: `[tool.hflint] catalog-dir`, else `$HFLINT_CATALOG_DIR`, else
    hflint's folder in the user's cache directory (`$XDG_CACHE_HOME`, by default `~/.cache`)."""
    if configured is not None:
        return configured
    if os.environ.get(CATALOG_DIR_ENV):
        return Path(os.environ[CATALOG_DIR_ENV]).expanduser()
    cache_home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache_home) / "hflint" / "catalogs"


@dataclass(frozen=True)
class CatalogChoice:
    """Which snapshot a run uses, and the warning to show once when it is not the installed
    transformers' (None when it is, or when transformers is not installed: lint needs no
    transformers, and then the shipped snapshot is all there is)."""

    path: Path
    version: str
    installed: str | None
    warning: str | None


def choose_catalog(configured_dir: Path | None = None) -> CatalogChoice:
    shipped = shipped_snapshot()
    shipped_version = snapshot_version(shipped)
    installed = installed_transformers_version()
    if installed is None or installed == shipped_version:
        return CatalogChoice(shipped, shipped_version, installed, None)
    synced = user_catalog_dir(configured_dir) / snapshot_name(installed)
    if synced.is_file():
        return CatalogChoice(synced, installed, installed, None)
    warning = (
        f"hflint's catalog is that of transformers {shipped_version}, but transformers {installed} "
        f"is installed: model types and tasks added since are unknown to lint; run "
        f"`hflint catalog sync` to write transformers {installed}'s catalog to {synced.parent}"
    )
    return CatalogChoice(shipped, shipped_version, installed, warning)


@cache
def _raw_catalog(path: Path) -> tuple[Mapping[str, Any], str]:
    text = path.read_text(encoding="utf-8")
    data: Mapping[str, Any] = json.loads(text)
    return data, hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


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
def _load(priorities: FrozenMap | None, path: Path) -> Catalog:
    table = priorities if priorities else default_priority_table()
    data, digest = _raw_catalog(path)
    bare = _build(data, {}, digest)
    return _build(data, priority_of_types(table, bare.resolve), digest)


def load_catalog(
    priorities: Mapping[str, Mapping[str, Sequence[str]]] | None = None, path: Path | None = None
) -> Catalog:
    """The catalog in snapshot `path` (by default the one `choose_catalog` picks), with the default
    priorities or the given table (from config)."""
    snapshot = path if path is not None else choose_catalog().path
    return _load(freeze(priorities) if priorities else None, snapshot)


def catalog_for(settings: Settings, *, warn: Callable[[str], object] | None = None) -> Catalog:
    """The catalog a run with `settings` uses: the chosen snapshot, with the configured priorities.
    The command a user ran passes `warn`, so the choice's warning is shown once; workers pass none."""
    choice = choose_catalog(settings.catalog_dir)
    if warn is not None and choice.warning is not None:
        warn(choice.warning)
    return load_catalog(settings.tables.get("priorities"), choice.path)


def catalog_in(scratch: Mapping[str, object]) -> Catalog:
    """The catalog a codemod was handed in its context's scratch (`CATALOG_KEY`); run on its own,
    as `python -m libcst.tool codemod`, a codemod uses the default one."""
    catalog = scratch.get(CATALOG_KEY)
    return catalog if isinstance(catalog, Catalog) else load_catalog()


CATALOG_KEY = "hflint.catalog"
