"""`json`: ruff's JSON shape, an indented array of one object per diagnostic.

Named `json_format` so it does not shadow the standard library's `json` inside this package.
`diagnostic_object` is shared with `json-lines`, so both always agree on the shape.
"""

from __future__ import annotations

import json
from typing import Any

from hflint.diagnostics import Diagnostic, Edit, Fix, Location
from hflint.output import RunReport, register_format


def _location(location: Location) -> dict[str, int]:
    return {"row": location.row, "column": location.column}


def _edit(edit: Edit) -> dict[str, Any]:
    return {
        "content": edit.content,
        "location": _location(edit.start),
        "end_location": _location(edit.end),
    }


def _fix(fix: Fix) -> dict[str, Any]:
    return {
        "applicability": fix.applicability.value,
        "message": fix.message,
        "edits": [_edit(edit) for edit in fix.edits],
        # hflint's fixes that change the file rather than its text (ruff has none).
        **({"rename_to": fix.rename_to} if fix.rename_to else {}),
        **({"delete": True} if fix.delete else {}),
    }


def diagnostic_object(diagnostic: Diagnostic) -> dict[str, Any]:
    """One diagnostic as ruff's JSON object, plus hflint's `name`."""
    return {
        "code": diagnostic.code,
        "name": diagnostic.name,
        "message": diagnostic.message,
        "filename": diagnostic.path,
        "location": _location(diagnostic.start),
        "end_location": _location(diagnostic.end),
        "fix": None if diagnostic.fix is None else _fix(diagnostic.fix),
        # hflint has no separate noqa position: a suppression comment goes on the first line.
        "noqa_row": diagnostic.start.row,
        # Kept for ruff compatibility; hflint rules have no documentation website.
        "url": None,
    }


@register_format("json")
def render(report: RunReport) -> str:
    objects = [diagnostic_object(d) for d in report.diagnostics]
    # ensure_ascii=False keeps non-ASCII paths and messages readable, as ruff does.
    return json.dumps(objects, indent=2, ensure_ascii=False) + "\n"
