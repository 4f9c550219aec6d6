"""`concise`: one line per diagnostic, `path:row:col: CODE [*] message`."""

from __future__ import annotations

from hflint.diagnostics import Diagnostic, fix_is_applicable
from hflint.output import RunReport, register_format


def diagnostic_line(diagnostic: Diagnostic, report: RunReport) -> str:
    """The `path:row:col: CODE [*] message` line that both `concise` and `text` start with."""
    marker = ""
    if report.show_fix_status and fix_is_applicable(diagnostic.fix, unsafe=report.unsafe_fixes):
        marker = " [*]"
    position = f"{diagnostic.path}:{diagnostic.start.row}:{diagnostic.start.column}"
    return f"{position}: {diagnostic.code}{marker} {diagnostic.message}"


@register_format("concise")
def render(report: RunReport) -> str:
    return "".join(f"{diagnostic_line(d, report)}\n" for d in report.diagnostics)
