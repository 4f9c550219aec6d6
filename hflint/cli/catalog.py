"""`hflint catalog show` and `hflint catalog sync`: the model types hflint knows, per transformers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from hflint.catalog import Catalog, ModelEntry, choose_catalog, snapshot_name, user_catalog_dir
from hflint.command_support import (
    EXIT_CLEAN,
    EXIT_DIAGNOSTICS,
    Failure,
    catalog,
    config_option,
    format_option,
    settings_for,
)
from hflint.naming import resolve_model_name
from hflint.source import write_atomic


@click.group(
    "catalog",
    epilog="""\b
Examples:
  hflint catalog show gpt-j
  hflint catalog show xlm_roberta --format json
  hflint catalog sync              (write the installed transformers' catalog for lint to use)
  hflint catalog sync --check      (CI: is lint's catalog that of the installed transformers?)""",
)
def catalog_group() -> None:
    """What hflint knows about transformers' model types (one catalog per transformers version)."""


@catalog_group.command("show")
@click.argument("name")
@config_option("with [tool.hflint.priorities]")
@format_option(["text", "json"])
def catalog_show(name: str, format_name: str, config_path: Path | None) -> int:
    """Show the catalog entry a model name resolves to (any spelling: gpt-j, gpt_j, GPT-J, flan-t5;
    module names such as donut; variant suffixes such as bert_standardized)."""
    settings = settings_for(config_path)
    chosen = catalog(settings)
    match = resolve_model_name(chosen, name)
    entry = match.entry
    version = chosen.transformers_version
    if match.removed is not None:
        removed = match.removed
        raise Failure(
            f"{name!r} is {removed.model_type}, a model type transformers removed in "
            f"{removed.removed_in}; the catalog is that of transformers {version}"
        )
    if match.kind == "family":
        raise Failure(f"{name!r} names several model types: {', '.join(match.candidates)}")
    if match.kind == "generic":
        raise Failure(f"{name!r} names a kind of model, not a model type")
    if entry is None:
        close = chosen.suggestions(name)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise Failure(
            f"unknown model {name!r}{hint}; the catalog is that of transformers {version}"
        )
    record = _record(chosen, entry, choose_catalog(settings.catalog_dir).path)
    if format_name == "json":
        click.echo(json.dumps(record, indent=2))
        return EXIT_CLEAN
    width = max(len(key) for key in record)
    for key, value in record.items():
        if key == "tasks":
            value = ", ".join(f"{task} ({auto})" for task, auto in entry.tasks.items()) or "none"
        elif isinstance(value, list):
            value = ", ".join(value)
        click.echo(f"{key.replace('_', ' '):<{width}}  {value if value is not None else '-'}")
    return EXIT_CLEAN


def _record(chosen: Catalog, entry: ModelEntry, path: Path) -> dict[str, Any]:
    return {
        "model_type": entry.model_type,
        "aliases": list(chosen.aliases_of(entry.model_type)),
        "family": entry.family,
        "priority": entry.priority,
        "default_task": entry.default_task,
        "tasks": dict(entry.tasks),
        "auto_classes": sorted(entry.auto_classes or ()),
        "tokenizer": entry.tokenizer,
        "preprocessors": sorted(entry.preprocessors),
        "checkpoint": entry.checkpoint,
        "transformers_version": chosen.transformers_version,
        "catalog": str(path),
    }


@catalog_group.command("sync")
@click.option(
    "--check",
    is_flag=True,
    help="Compare the catalog lint uses with the installed transformers; write nothing; exit 1 if "
    "they differ.",
)
@click.option(
    "--catalog-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Where to write [default: catalog-dir of [tool.hflint], else $HFLINT_CATALOG_DIR, else "
    "~/.cache/hflint/catalogs].",
)
@config_option("with [tool.hflint] catalog-dir")
def catalog_sync(check: bool, catalog_dir: Path | None, config_path: Path | None) -> int:
    """Derive the installed transformers' catalog and write it as `transformers-<version>.json`
    (needs `pip install hflint[exec]`). The installed package is never written to."""
    settings = settings_for(config_path)
    try:
        from hflint.catalog.sync import build_catalog, render

        built = build_catalog()
    except ImportError as problem:
        raise Failure(f"catalog sync needs transformers installed ({problem})") from None
    fresh, installed = render(built), built["transformers_version"]
    directory = catalog_dir or settings.catalog_dir
    if check:
        used = choose_catalog(directory)
        if used.path.read_text(encoding="utf-8") != fresh:
            why = "" if used.version == installed else " (another version)"
            click.echo(
                f"The catalog lint uses is that of transformers {used.version}{why} ({used.path}); "
                f"transformers {installed} is installed: run `hflint catalog sync`",
                err=True,
            )
            return EXIT_DIAGNOSTICS
        click.echo(
            f"The catalog lint uses ({used.path}) matches the installed transformers {installed}."
        )
        return EXIT_CLEAN
    target = user_catalog_dir(directory) / snapshot_name(installed)
    previous = target.read_text(encoding="utf-8") if target.is_file() else None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, fresh.encode("utf-8"))
    except OSError as problem:
        raise Failure(f"cannot write {target}: {problem.strerror or problem}") from None
    state = "new" if previous is None else ("changed" if previous != fresh else "unchanged")
    click.echo(f"Wrote transformers {installed}'s catalog to {target} ({state})")
    return EXIT_CLEAN
