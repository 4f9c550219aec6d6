"""Fixes that change files rather than their text: renames and deletions.

A file's text fixes are made where the file is checked. Whether a file can be renamed, or may be
deleted, depends on the other files, so the runner decides it here, in one process, once every
file of the run is checked, in the run's order, on the files as their text fixes left them (each
outcome's `digest`). The decisions are the same with and without writing: `--fix` carries them out,
`--diff` prints them (`rename from`/`rename to` lines; a deletion as a diff from every line to
/dev/null), and a plain check shows the fix each diagnostic really has (none for a rename onto a
file with other content). Only files of the run are ever renamed or deleted.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from hflint.diagnostics import Diagnostic, fix_is_applicable
from hflint.diffs import unified_diff
from hflint.source import SourceError, read_source

if TYPE_CHECKING:  # the runner imports this module
    from hflint.runner import FileOutcome, RunOptions

# Checks the file at a path whose bytes are given (its new name, after a rename).
Recheck = Callable[[Path, bytes], "FileOutcome"]


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def settle_renames(
    outcomes: Sequence[FileOutcome],
    options: RunOptions,
    recheck: Recheck,
    display: Callable[[Path], str],
) -> list[FileOutcome]:
    """Decide every rename fix of the run: onto a free name it is a rename; onto a file that holds
    the same bytes, a deletion of this copy (the result is the same); onto a file with other
    content, no fix, and the message says why. When fixing, carry the applicable ones out."""
    # The run's files as the renames decided so far leave them: display path -> digest.
    present = {outcome.path: outcome.digest for outcome in outcomes}
    moved_away: set[str] = set()
    settled = []
    for outcome in outcomes:
        rename = next((d for d in outcome.diagnostics if d.fix and d.fix.rename_to), None)
        if rename is None or rename.fix is None or rename.fix.rename_to is None:
            settled.append(outcome)
            continue
        target = Path(outcome.path).with_name(rename.fix.rename_to)
        target_path = display(target)
        holder = _digest_at(target, target_path, present, moved_away)
        if holder is None:
            decided = rename
        elif holder and holder == outcome.digest:
            decided = replace(
                rename,
                message=f"{rename.message} (`{target.name}` exists, with the same bytes)",
                fix=replace(
                    rename.fix,
                    message=f"Delete this copy: `{target.name}` holds the same bytes",
                    rename_to=None,
                    delete=True,
                ),
            )
        else:
            decided = replace(
                rename,
                message=f"{rename.message} (no fix: `{target.name}` exists, with other content)",
                fix=None,
            )
        outcome = _replace_diagnostic(outcome, rename, decided)
        if options.fixing and fix_is_applicable(decided.fix, unsafe=options.unsafe_fixes):
            if decided.fix is not None and decided.fix.delete:
                outcome = delete(outcome, decided.code, options)
                present.pop(outcome.path, None)
                moved_away.add(outcome.path)
            else:
                old_path = outcome.path
                outcome = _rename(outcome, decided.code, target, options, recheck)
                if outcome.path != old_path:
                    present.pop(old_path, None)
                    moved_away.add(old_path)
                    present[outcome.path] = outcome.digest
        settled.append(outcome)
    return settled


def delete(outcome: FileOutcome, code: str, options: RunOptions) -> FileOutcome:
    """The outcome of deleting the file of `outcome` as the fix of a `code` diagnostic: with
    `--diff` its deletion is shown, with `--fix` done. The file's remaining diagnostics go with it;
    they count as gone with other fixes, the deleting one as fixed. `outcome.diagnostics` must hold
    the file's own diagnostics only (the whole-run rules' are added after)."""
    file = Path(outcome.path)
    diff = outcome.diff
    try:
        if options.diff:
            # What the deletion removes is the file as it is on disk (`--diff` wrote nothing).
            diff = unified_diff(outcome.path, read_source(file).text, "", to="/dev/null")
        elif options.fix:
            file.unlink()
    except (OSError, SourceError) as error:
        return replace(
            outcome, messages=(*outcome.messages, f"{outcome.path}: not deleted: {error}")
        )
    return replace(
        outcome,
        diagnostics=(),
        summaries={},
        fixed=_counted(outcome.fixed, code),
        diff=diff,
        vanished=outcome.vanished + len(outcome.diagnostics) - 1,
        before=outcome.before or (outcome.path, outcome.summaries),
        final_data=None,
    )


def _rename(
    outcome: FileOutcome, code: str, target: Path, options: RunOptions, recheck: Recheck
) -> FileOutcome:
    """Rename the file (with `--fix`) and check it under its new name, from its fixed bytes."""
    source = Path(outcome.path)
    if outcome.final_data is None:
        return outcome  # the worker keeps the bytes of every file with a rename fix
    if options.fix and not rename_no_clobber(source, target):
        message = f"{outcome.path}: not renamed to {target.name}: that file appeared meanwhile"
        return replace(outcome, messages=(*outcome.messages, message))
    renamed = recheck(target, outcome.final_data)
    return replace(
        renamed,
        fixed=_counted(outcome.fixed, code),
        diff=f"{outcome.diff}rename from {outcome.path}\nrename to {renamed.path}\n",
        messages=(*outcome.messages, *(m for m in renamed.messages if m not in outcome.messages)),
        vanished=outcome.vanished + len(outcome.diagnostics) - len(renamed.diagnostics) - 1,
        before=outcome.before or (outcome.path, outcome.summaries),
    )


def rename_no_clobber(source: Path, target: Path) -> bool:
    """Rename `source` to `target` unless `target` exists, without a window in which another
    process's new `target` could be overwritten (a hard link fails if the name is taken)."""
    try:
        os.link(source, target)
    except FileExistsError:
        return False
    except OSError:  # a file system without hard links: check, then rename
        if target.exists():
            return False
        os.rename(source, target)
        return True
    source.unlink()
    return True


def _digest_at(
    target: Path, target_path: str, present: dict[str, str], moved_away: set[str]
) -> str | None:
    """The digest of what the file `target` will hold when the renames decided so far are done;
    None when there is no such file. A file outside the run is read; one that cannot be is taken
    to differ from everything ("")."""
    if target_path in present:
        return present[target_path]
    if target_path in moved_away or not os.path.lexists(target):
        return None
    try:
        return digest(target.read_bytes())
    except OSError:
        return ""


def _replace_diagnostic(outcome: FileOutcome, old: Diagnostic, new: Diagnostic) -> FileOutcome:
    if new is old:
        return outcome
    return replace(outcome, diagnostics=tuple(new if d is old else d for d in outcome.diagnostics))


def _counted(fixed: dict[str, int], code: str) -> dict[str, int]:
    return {**fixed, code: fixed.get(code, 0) + 1}
