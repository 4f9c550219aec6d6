"""The prose after a check's diagnostics: what `--fix` fixed (`--show-fixes`) and the closing lines.

These are for people reading `text` or `concise` output; the machine formats carry no summary.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from hflint.diagnostics import Applicability, Diagnostic


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


def fix_listing(fixed: Sequence[tuple[str, Mapping[str, int]]], names: Mapping[str, str]) -> str:
    """Per file, each rule's count of fixes; `fixed` holds only files with fixes, `names` is rule
    code -> rule name."""
    if not fixed:
        return "No errors fixed.\n"
    total = sum(sum(counts.values()) for _, counts in fixed)
    lines = [f"Fixed {plural(total, 'error')}:"]
    for path, counts in fixed:
        lines.append(f"- {path}:")
        lines += [
            f"    {count} × {code} ({names.get(code, '')})"
            for code, count in sorted(counts.items())
        ]
    return "\n".join(lines) + "\n\n"


def summary(
    diagnostics: Sequence[Diagnostic],
    *,
    fixed: int,
    vanished: int,
    unsafe_fixes: bool,
    files: int,
    missing: Sequence[str],
    crashed: Sequence[str] = (),
) -> str:
    """The closing lines; a path that does not exist, or a file hflint failed on (an internal
    error, shown above), gets the last word (the run exits 2).

    `fixed` counts the fixes applied, `vanished` the diagnostics that went away with them
    (negative when fixing brought new ones).
    """
    text = _findings(diagnostics, fixed, vanished, unsafe_fixes=unsafe_fixes, files=files)
    if not missing and not crashed:
        return text
    if text == "All checks passed!\n":
        checked = files - len(crashed)
        text = f"All checks passed for the {plural(checked, 'file')} checked.\n"
    if crashed:
        text += f"Not checked, after an internal error: {', '.join(crashed)}\n"
    if missing:
        text += f"Not found, so not checked: {', '.join(missing)}\n"
    return text


def _findings(
    diagnostics: Sequence[Diagnostic], fixed: int, vanished: int, *, unsafe_fixes: bool, files: int
) -> str:
    remaining = len(diagnostics)
    if not files:
        return "warning: no test files found (default include: **/test_hf_*.py)\n"
    if not remaining:
        if not fixed:
            return "All checks passed!\n"
        also = f" (and {vanished} that went away with them)" if vanished > 0 else ""
        return f"Fixed {plural(fixed, 'error')}{also}; all checks passed!\n"
    if fixed or vanished:
        aside = (
            f"; {vanished} went away with other fixes"
            if vanished > 0
            else (f"; {-vanished} new after fixing" if vanished < 0 else "")
        )
        head = (
            f"Found {fixed + remaining + vanished} errors "
            f"({fixed} fixed, {remaining} remaining{aside})."
        )
    else:
        head = f"Found {plural(remaining, 'error')}."
    return "\n".join([head, *_fix_hint(diagnostics, unsafe_fixes)]) + "\n"


def _fix_hint(diagnostics: Sequence[Diagnostic], unsafe_fixes: bool) -> list[str]:
    """The line saying how many remaining diagnostics a fix would take care of, if any."""
    counts = Counter(d.fix.applicability for d in diagnostics if d.fix is not None)
    safe, unsafe = counts[Applicability.SAFE], counts[Applicability.UNSAFE]
    applicable = safe + (unsafe if unsafe_fixes else 0)
    hidden = 0 if unsafe_fixes else unsafe
    hint = f"{hidden} hidden fixes can be enabled with the `--unsafe-fixes` option"
    if applicable:
        option = "`--fix --unsafe-fixes`" if unsafe_fixes else "`--fix`"
        note = f" ({hint})" if hidden else ""
        return [f"[*] {applicable} fixable with the {option} option{note}."]
    if hidden:
        return [f"No fixes available ({hint})."]
    return []
