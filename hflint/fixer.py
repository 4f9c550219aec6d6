"""Apply fixes to one file's text until it is stable.

Each round lints the text, computes the edits of every applicable fix on the tree the lint parsed,
applies the ones that do not overlap an earlier one, and lints again; overlapping fixes wait for the
next round, computed on the new text. The result of a round is parsed once: that tree is both the
check that the fixes left code that parses and the next round's tree. A round whose result does not
parse is retried one fix at a time, and a fix that breaks the file is dropped with a message, so the
file is never left worse than it was.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

import libcst as cst

from hflint.catalog import Catalog
from hflint.diagnostics import fix_is_applicable
from hflint.linter import Finding, LintedFile, TextEdit, apply_edits, lint_text, parse_or_none
from hflint.rule import Rule

MAX_ROUNDS = 10


@dataclass
class FixResult:
    text: str
    linted: LintedFile
    found_before: int  # findings of the text as it was, before any fix
    fixed: Counter[str] = field(default_factory=Counter)
    messages: list[str] = field(default_factory=list)


def fix_text(
    path: str,
    text: str,
    rules: Sequence[type[Rule]],
    *,
    unsafe: bool,
    catalog: Catalog | None = None,
    encoding: str = "utf-8",
) -> FixResult:
    """Fix `text` (the contents of the file at `path`, which is written in `encoding`)."""
    usable = partial(_usable, encoding=encoding)
    linted = lint_text(path, text, rules, catalog=catalog)
    result = FixResult(text=text, linted=linted, found_before=len(linted.findings))
    # Fixes that produced unparsable code, by (code, message): never offered again in this run.
    broken: set[tuple[str, str]] = set()
    for _ in range(MAX_ROUNDS):
        candidates = [
            (finding, edits)
            for finding in linted.findings
            if fix_is_applicable(finding.report.fix, unsafe=unsafe)
            and (finding.code, finding.report.message) not in broken
            and (edits := linted.fix_edits(finding))
        ]
        _note_fix_errors(linted, result.messages)
        if not candidates:
            return result
        chosen = _non_overlapping(candidates)
        new_text = _apply(linted.text, chosen)
        module = usable(new_text)
        if module is None:
            new_text, chosen, module = _apply_one_by_one(
                linted.text, chosen, broken, result.messages, usable
            )
            if module is None:
                continue
        if new_text == linted.text:
            return result
        result.fixed.update(finding.code for finding, _ in chosen)
        result.text = new_text
        linted = result.linted = lint_text(
            path, new_text, rules, catalog=linted.catalog, parsed=module
        )
    result.messages.append(f"fixes did not settle after {MAX_ROUNDS} rounds; stopped")
    return result


def _note_fix_errors(linted: LintedFile, messages: list[str]) -> None:
    messages.extend(error for error in linted.fix_errors if error not in messages)


def _non_overlapping(
    candidates: list[tuple[Finding, tuple[TextEdit, ...]]],
) -> list[tuple[Finding, tuple[TextEdit, ...]]]:
    """Fixes whose edits touch no text another chosen fix touches (identical edits count once)."""
    chosen: list[tuple[Finding, tuple[TextEdit, ...]]] = []
    taken: list[TextEdit] = []
    for finding, edits in sorted(candidates, key=lambda c: (c[1][0].start, c[0].code)):
        if all(edit in taken for edit in edits):
            chosen.append((finding, edits))  # the same change fixes this finding too
        elif not any(_overlaps(edit, other) for edit in edits for other in taken):
            chosen.append((finding, edits))
            taken.extend(edits)
    return chosen


def _overlaps(a: TextEdit, b: TextEdit) -> bool:
    # Two insertions at the same point also conflict: their order would be arbitrary.
    return (a.start < b.end and b.start < a.end) or a.start == b.start


def _apply(text: str, chosen: list[tuple[Finding, tuple[TextEdit, ...]]]) -> str:
    return apply_edits(text, {edit for _, edits in chosen for edit in edits})


def _apply_one_by_one(
    text: str,
    chosen: list[tuple[Finding, tuple[TextEdit, ...]]],
    broken: set[tuple[str, str]],
    messages: list[str],
    usable: Callable[[str], cst.Module | None],
) -> tuple[str, list[tuple[Finding, tuple[TextEdit, ...]]], cst.Module | None]:
    """Keep the first fix whose result is usable (with its tree); drop the ones before it that
    were not."""
    for index, (finding, edits) in enumerate(chosen):
        candidate = apply_edits(text, edits)
        module = usable(candidate)
        if module is not None:
            _drop(chosen[:index], broken, messages)
            return candidate, [(finding, edits)], module
    _drop(chosen, broken, messages)
    return text, [], None


def _drop(
    chosen: list[tuple[Finding, tuple[TextEdit, ...]]],
    broken: set[tuple[str, str]],
    messages: list[str],
) -> None:
    for finding, _ in chosen:
        broken.add((finding.code, finding.report.message))
        messages.append(
            f"{finding.code} fix at {finding.start.row}:{finding.start.column} discarded: "
            "its result does not parse or cannot be written in the file's encoding"
        )


def _usable(text: str, *, encoding: str) -> cst.Module | None:
    """The result's tree, when it parses and every character can be written in the file's
    encoding; else None."""
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return None
    return parse_or_none(text)
