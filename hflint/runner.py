"""Check (and fix) many files: cache lookups in the parent, the misses in a process pool."""

from __future__ import annotations

import os
import traceback
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

import pathspec

from hflint.cache import Cache, CachedResult, cache_key
from hflint.catalog import catalog_for
from hflint.diagnostics import Diagnostic, Location, fix_is_applicable
from hflint.diffs import unified_diff
from hflint.discovery import relative_path
from hflint.file_fixes import delete, digest, settle_renames
from hflint.fixer import fix_text
from hflint.linter import LintedFile, lint_text
from hflint.project import project_diagnostics, summarize
from hflint.rule import IO_ERROR, RenameFix, Rule, matches_code, select_rules
from hflint.settings import Settings
from hflint.source import SourceError, SourceFile, decode_source, write_atomic


@dataclass(frozen=True)
class RunOptions:
    settings: Settings
    fix: bool = False
    diff: bool = False  # compute fixes and show them; write nothing
    unsafe_fixes: bool = False
    with_edits: bool = False  # outputs such as json and sarif show every fix's edits
    use_cache: bool = True

    @property
    def fixing(self) -> bool:
        return self.fix or self.diff


@dataclass(frozen=True)
class FileOutcome:
    path: str
    diagnostics: tuple[Diagnostic, ...] = ()
    fixed: dict[str, int] = field(default_factory=dict)
    diff: str = ""
    messages: tuple[str, ...] = ()
    internal_error: str | None = None
    # Diagnostics that fixing made disappear although no fix of theirs was applied (a repaired
    # syntax error takes its follow-on problems with it); negative when fixes brought new ones.
    vanished: int = 0
    # When fixing changed the file: its path and whole-run summaries as it was, so that what the
    # whole-run rules found before fixing can be counted too.
    before: tuple[str, dict[str, dict[str, Any]]] | None = None
    # Summaries for the rules that see the whole run, by rule code.
    summaries: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The sha256 of the file's bytes once fixed (as they are, when nothing was fixed); empty when
    # the file could not be read.
    digest: str = ""
    # Those bytes, kept only for a file that has a rename fix to apply (`hflint.file_fixes`).
    final_data: bytes | None = None


def display_path(path: Path) -> str:
    """Relative to the working directory when below it, as ruff shows paths; links are not
    followed, so a linked file is shown under the name it was found by."""
    try:
        return Path(os.path.abspath(path)).relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


def run(files: Sequence[Path], options: RunOptions, jobs: int | None = None) -> list[FileOutcome]:
    cache = _cache(options)
    outcomes: dict[Path, FileOutcome] = {}
    pending: list[Path] = []
    for file in files:
        cached = _from_cache(file, options, cache)
        if cached is not None:
            outcomes[file] = cached
        else:
            pending.append(file)
    workers = min(jobs or os.cpu_count() or 1, len(pending))
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            chunk = max(1, len(pending) // (workers * 4))
            results = pool.map(check_file, pending, [options] * len(pending), chunksize=chunk)
            outcomes.update(zip(pending, results, strict=True))
    else:
        outcomes.update((file, check_file(file, options)) for file in pending)
    settled = settle_renames(
        [outcomes[file] for file in files],
        options,
        partial(_recheck, options=options),
        display_path,
    )
    return _with_project_diagnostics(settled, options)


def _with_project_diagnostics(
    outcomes: list[FileOutcome], options: RunOptions
) -> list[FileOutcome]:
    rules = selected_rules(options.settings)
    found = _project_counts(project_diagnostics({o.path: o.summaries for o in outcomes}, rules))
    deleting = _deletions(found, options)
    if deleting:
        # A whole-run fix deletes files: the rest are then looked at again without them.
        outcomes = [
            delete(o, deleting[o.path], options) if o.path in deleting else o for o in outcomes
        ]
        found = _project_counts(project_diagnostics({o.path: o.summaries for o in outcomes}, rules))
    if any(o.before is not None for o in outcomes):
        # What the whole-run rules found in the files as they were: a copy that fixing made
        # differ from its original is a diagnostic that went away with no fix of its own.
        before = {_path_before(o): o.before[1] if o.before else o.summaries for o in outcomes}
        earlier = _project_counts(project_diagnostics(before, rules))
        outcomes = [
            replace(
                o,
                vanished=o.vanished
                + len(earlier.get(_path_before(o), ()))
                - len(found.get(o.path, ())),
            )
            for o in outcomes
        ]
    return [
        replace(o, diagnostics=(*o.diagnostics, *found[o.path])) if o.path in found else o
        for o in outcomes
    ]


def _deletions(found: dict[str, list[Diagnostic]], options: RunOptions) -> dict[str, str]:
    """The files that a whole-run rule's fix deletes in this run: path -> the rule's code."""
    if not options.fixing:
        return {}
    return {
        path: fixes[0].code
        for path, diagnostics in found.items()
        if (
            fixes := [
                d for d in diagnostics if fix_is_applicable(d.fix, unsafe=options.unsafe_fixes)
            ]
        )
    }


def _path_before(outcome: FileOutcome) -> str:
    return outcome.before[0] if outcome.before else outcome.path


def _project_counts(diagnostics: Sequence[Diagnostic]) -> dict[str, list[Diagnostic]]:
    by_path: dict[str, list[Diagnostic]] = {}
    for diagnostic in diagnostics:
        by_path.setdefault(diagnostic.path, []).append(diagnostic)
    return by_path


def check_file(file: Path, options: RunOptions) -> FileOutcome:
    """Everything for one file; never raises, so one bad file cannot stop the run."""
    path = display_path(file)
    try:
        return _check(file, path, options)
    except Exception:
        return FileOutcome(path=path, internal_error=traceback.format_exc())


def _check(file: Path, path: str, options: RunOptions) -> FileOutcome:
    try:
        source = decode_source(file, file.read_bytes())
    except (OSError, SourceError) as error:
        message = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        return FileOutcome(path=path, diagnostics=(_io_error(path, message),))
    rules = rules_for(path, options.settings)
    catalog = catalog_for(options.settings)
    if not options.fixing:
        linted = lint_text(path, source.text, rules, catalog=catalog)
        return _finish(source, path, options, linted)
    result = fix_text(
        path,
        source.text,
        rules,
        unsafe=options.unsafe_fixes,
        catalog=catalog,
        encoding=source.encoding,
    )
    fixed = dict(result.fixed)
    original_text = source.text
    original = (
        path,
        summarize(path, source.text, source.data, selected_rules(options.settings), rules, catalog),
    )
    messages = [f"{path}: {message}" for message in result.messages]
    diff = unified_diff(path, source.text, result.text) if result.text != source.text else ""
    linted = result.linted
    if result.text != source.text:
        # `--diff` goes on with the fixed text exactly as `--fix` does, only without writing it.
        if options.fix:
            write_atomic(file, source.encode(result.text))
        source = decode_source(file, source.encode(result.text))
    outcome = _finish(source, path, options, linted)
    messages.extend(m for m in outcome.messages if m not in messages)
    vanished = result.found_before - sum(fixed.values()) - len(linted.findings)
    return replace(
        outcome,
        fixed=fixed,
        diff=diff,
        messages=tuple(messages),
        vanished=vanished,
        before=original if result.text != original_text else None,
        # A rename is decided once every file is checked, and the file is then checked again
        # under its new name from these bytes (which `--diff` never wrote).
        final_data=source.data if _has_rename(linted, options) else None,
    )


def _finish(source: SourceFile, path: str, options: RunOptions, linted: LintedFile) -> FileOutcome:
    """The outcome of a file whose final text is `source`: its diagnostics and summaries, cached."""
    diagnostics = tuple(linted.diagnostics(with_edits=options.with_edits))
    summaries = summarize(
        path,
        source.text,
        source.data,
        selected_rules(options.settings),
        rules_for(path, options.settings),
        linted.catalog,
    )
    cache = _cache(options)
    if cache is not None and not linted.fix_errors:  # a cached result would hide the warning
        cache.put(_key(source.data, path, options), CachedResult(diagnostics, summaries))
    # Codemods that raised while the diagnostics' edits were computed (messages name the file).
    messages = tuple(f"{path}: {error}" for error in linted.fix_errors)
    return FileOutcome(
        path=path,
        diagnostics=diagnostics,
        summaries=summaries,
        messages=messages,
        digest=digest(source.data),
    )


def _has_rename(linted: LintedFile, options: RunOptions) -> bool:
    return any(
        isinstance(f.report.fix, RenameFix)
        and fix_is_applicable(f.report.fix, unsafe=options.unsafe_fixes)
        for f in linted.findings
    )


def _recheck(file: Path, data: bytes, options: RunOptions) -> FileOutcome:
    """The outcome of the file at `file` whose bytes are `data` (a file just renamed there)."""
    source = decode_source(file, data)
    path = display_path(file)
    rules = rules_for(path, options.settings)
    linted = lint_text(path, source.text, rules, catalog=catalog_for(options.settings))
    return _finish(source, path, options, linted)


def selected_rules(settings: Settings) -> tuple[type[Rule], ...]:
    return select_rules(settings.select, settings.ignore, settings.extend_select)


def rules_for(path: str, settings: Settings) -> tuple[type[Rule], ...]:
    rules = selected_rules(settings)
    ignored = [
        code
        for pattern, codes in settings.per_file_ignores
        if pathspec.GitIgnoreSpec.from_lines([pattern]).match_file(
            _relative_to_root(path, settings.root)
        )
        for code in codes
    ]
    return (
        tuple(rule for rule in rules if not matches_code(rule.code, ignored)) if ignored else rules
    )


def _relative_to_root(path: str, root: Path) -> str:
    return relative_path(Path(path), root) or path


def _io_error(path: str, message: str) -> Diagnostic:
    start = Location(1, 1)
    return Diagnostic(
        path, IO_ERROR.code, IO_ERROR.name, f"Cannot read the file: {message}", start, start
    )


def _cache(options: RunOptions) -> Cache | None:
    if not options.use_cache:
        return None
    return Cache(options.settings.cache_dir or options.settings.root / ".hflint_cache")


def _variant(options: RunOptions) -> str:
    return "edits" if options.with_edits else "plain"


def _key(data: bytes, path: str, options: RunOptions) -> str:
    # A result depends on the catalog as much as on the settings: a sync must invalidate it.
    catalog = catalog_for(options.settings).digest
    return cache_key(data, path, f"{options.settings.fingerprint()}-{catalog}", _variant(options))


def _from_cache(file: Path, options: RunOptions, cache: Cache | None) -> FileOutcome | None:
    """A cached result, when it is still all there is to do for the file."""
    if cache is None:
        return None
    try:
        data = file.read_bytes()
    except OSError:
        return None
    path = display_path(file)
    cached = cache.get(_key(data, path, options))
    if cached is None:
        return None
    if options.fixing and any(
        fix_is_applicable(d.fix, unsafe=options.unsafe_fixes) for d in cached.diagnostics
    ):
        return None  # there is something to fix: do it
    return FileOutcome(
        path=path,
        diagnostics=tuple(cached.diagnostics),
        summaries={code: dict(summary) for code, summary in cached.summaries.items()},
        digest=digest(data),
    )
