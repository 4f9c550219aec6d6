"""`gitlab`: a GitLab Code Quality report (a JSON array of issues), for merge-request widgets.

Each issue has the fields GitLab documents as required: `description`, `check_name`,
`fingerprint` (unique per finding and the same when lines move, `hflint.output.fingerprints`),
`severity` and `location` with a relative `path` and `lines.begin`.
"""

from __future__ import annotations

import json
from pathlib import PurePath
from typing import Any

from hflint.diagnostics import Diagnostic
from hflint.output import RunReport, register_format
from hflint.output.fingerprints import fingerprints

# GitLab's severities are info, minor, major, critical, blocker. A problem that stops the file
# from running (a gate rule's) blocks it; any other makes the file wrong but not unusable.
_GATE_SEVERITY = "critical"
_SEVERITY = "major"


def _issue(diagnostic: Diagnostic, fingerprint: str, gate: bool) -> dict[str, Any]:
    return {
        "type": "issue",
        "check_name": diagnostic.code,
        "description": f"{diagnostic.code} {diagnostic.name}: {diagnostic.message}",
        "categories": ["Bug Risk"],
        "fingerprint": fingerprint,
        "severity": _GATE_SEVERITY if gate else _SEVERITY,
        "location": {
            # GitLab shows the finding only for a path relative to the repository's root.
            "path": PurePath(diagnostic.path).as_posix().removeprefix("./"),
            "lines": {"begin": diagnostic.start.row, "end": diagnostic.end.row},
        },
    }


@register_format("gitlab")
def render(report: RunReport) -> str:
    found = fingerprints(report.diagnostics)
    issues = [
        _issue(d, fingerprint, _is_gate(report, d.code))
        for d, fingerprint in zip(report.diagnostics, found, strict=True)
    ]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


def _is_gate(report: RunReport, code: str) -> bool:
    rule = report.rules.get(code)
    return rule is not None and rule.gate
