"""`sarif`: a SARIF 2.1.0 log, for code-scanning services such as GitHub's.

One run; the driver describes every known rule (not only those that fired) so a consumer can
show a rule's documentation for any result, and results point back at their rule by index.
"""

from __future__ import annotations

import json
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from hflint.diagnostics import Diagnostic, Edit, Fix, Location, RuleInfo
from hflint.output import RunReport, register_format
from hflint.output.fingerprints import fingerprints

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"


def _artifact_uri(path: str) -> str:
    """The SARIF `uri` for a display path: a `file:` URI if absolute, else a relative reference.

    Relative paths are percent-encoded because `uri` must be a valid URI reference: spaces and
    non-ASCII characters are not allowed raw, and a `:` in the first segment would read as a scheme.
    """
    pure = PurePath(path)
    if pure.is_absolute():
        return pure.as_uri()
    return quote(pure.as_posix())


def _region(start: Location, end: Location) -> dict[str, int]:
    # SARIF's endColumn is exclusive, like hflint's end locations, so no adjustment is needed.
    return {
        "startLine": start.row,
        "startColumn": start.column,
        "endLine": end.row,
        "endColumn": end.column,
    }


def _rule_descriptor(rule: RuleInfo) -> dict[str, Any]:
    # An empty fullDescription would show consumers a blank page; the summary is better than that.
    documentation = rule.documentation or rule.summary
    applicability = None if rule.fix_applicability is None else rule.fix_applicability.value
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": documentation},
        "help": {"text": documentation},
        "properties": {"fixApplicability": applicability},
    }


def _replacement(edit: Edit) -> dict[str, Any]:
    return {
        "deletedRegion": _region(edit.start, edit.end),
        "insertedContent": {"text": edit.content},
    }


def _fix(fix: Fix, uri: str) -> dict[str, Any]:
    return {
        "description": {"text": fix.message},
        "artifactChanges": [
            {
                "artifactLocation": {"uri": uri},
                "replacements": [_replacement(edit) for edit in fix.edits],
            }
        ],
        # SARIF has no notion of fix safety; keep hflint's so consumers can tell unsafe fixes apart.
        "properties": {"applicability": fix.applicability.value},
    }


# The key of hflint's fingerprint among a result's partialFingerprints; the version part changes
# only if the fingerprint's recipe does, as SARIF asks.
FINGERPRINT_KEY = "hflint/v1"


def _result(
    diagnostic: Diagnostic, rule_indices: dict[str, int], fingerprint: str
) -> dict[str, Any]:
    uri = _artifact_uri(diagnostic.path)
    result: dict[str, Any] = {"ruleId": diagnostic.code}
    # A code missing from the rule table (which should not happen) still yields a valid result.
    if diagnostic.code in rule_indices:
        result["ruleIndex"] = rule_indices[diagnostic.code]
    result["level"] = "error"
    result["message"] = {"text": diagnostic.message}
    result["locations"] = [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": uri},
                "region": _region(diagnostic.start, diagnostic.end),
            }
        }
    ]
    # Code scanning matches results across runs by these, so an alert survives its lines moving.
    result["partialFingerprints"] = {FINGERPRINT_KEY: fingerprint}
    # The schema requires at least one replacement, so a fix without edits cannot be expressed.
    if diagnostic.fix is not None and diagnostic.fix.edits:
        result["fixes"] = [_fix(diagnostic.fix, uri)]
    return result


def _sarif_log(report: RunReport) -> dict[str, Any]:
    """The SARIF log for `report`, as plain JSON data."""
    rules = [report.rules[code] for code in sorted(report.rules)]
    rule_indices = {rule.code: index for index, rule in enumerate(rules)}
    driver = {
        "name": "hflint",
        "version": report.tool_version,
        "rules": [_rule_descriptor(rule) for rule in rules],
    }
    run = {
        "tool": {"driver": driver},
        # hflint counts columns in characters; SARIF's default unit is UTF-16 code units, which
        # would shift every column after an astral character (an emoji, say) on the same line.
        "columnKind": "unicodeCodePoints",
        "results": [
            _result(d, rule_indices, fingerprint)
            for d, fingerprint in zip(
                report.diagnostics, fingerprints(report.diagnostics), strict=True
            )
        ],
    }
    return {"$schema": SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


@register_format("sarif")
def render(report: RunReport) -> str:
    return json.dumps(_sarif_log(report), indent=2, ensure_ascii=False) + "\n"
