"""`json-lines`: the objects of the `json` format, one compact object per line."""

from __future__ import annotations

import json

from hflint.output import RunReport, register_format
from hflint.output.json_format import diagnostic_object


@register_format("json-lines")
def render(report: RunReport) -> str:
    # Compact separators, as ruff writes them; JSON escapes newlines, so one object is one line.
    return "".join(
        json.dumps(diagnostic_object(d), ensure_ascii=False, separators=(",", ":")) + "\n"
        for d in report.diagnostics
    )
