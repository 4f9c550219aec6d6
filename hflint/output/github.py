"""`github`: GitHub Actions workflow commands, which annotate the lines in a pull request.

Escaping follows the Actions toolkit (`@actions/core`, `command.ts`): the data after `::` escapes
`%`, CR and LF; property values additionally escape `:` and `,`, which delimit properties.
"""

from __future__ import annotations

from hflint.diagnostics import Diagnostic
from hflint.output import RunReport, register_format

_DATA_ESCAPES = (("%", "%25"), ("\r", "%0D"), ("\n", "%0A"))
_PROPERTY_ESCAPES = (*_DATA_ESCAPES, (":", "%3A"), (",", "%2C"))


def _escape(value: str, escapes: tuple[tuple[str, str], ...]) -> str:
    # `%` comes first in both tables, so the `%` of an inserted escape is never escaped again.
    for raw, escaped in escapes:
        value = value.replace(raw, escaped)
    return value


def _command(diagnostic: Diagnostic) -> str:
    properties = {
        "title": f"hflint ({diagnostic.code})",
        "file": diagnostic.path,
        "line": str(diagnostic.start.row),
        "col": str(diagnostic.start.column),
        "endLine": str(diagnostic.end.row),
        "endColumn": str(diagnostic.end.column),
    }
    rendered = ",".join(
        f"{key}={_escape(value, _PROPERTY_ESCAPES)}" for key, value in properties.items()
    )
    data = _escape(f"{diagnostic.code} {diagnostic.message}", _DATA_ESCAPES)
    return f"::error {rendered}::{data}\n"


@register_format("github")
def render(report: RunReport) -> str:
    return "".join(_command(d) for d in report.diagnostics)
