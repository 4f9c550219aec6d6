"""`text`: ruff's full format, less the source snippet: the concise line plus the fix's title.

The CLI prints the "Found N errors" summary itself, so this renders diagnostics only.
"""

from __future__ import annotations

from hflint.diagnostics import Diagnostic
from hflint.output import RunReport, register_format
from hflint.output.concise import diagnostic_line


def _block(diagnostic: Diagnostic, report: RunReport) -> str:
    lines = [diagnostic_line(diagnostic, report)]
    # Like ruff, the help shows whenever a fix exists, even one `--fix` would not apply, so the
    # reader learns that `--unsafe-fixes` could.
    if diagnostic.fix is not None:
        lines.append(f"  = help: {diagnostic.fix.message}")
    return "".join(f"{line}\n" for line in lines)


@register_format("text")
def render(report: RunReport) -> str:
    return "\n".join(_block(d, report) for d in report.diagnostics)
