"""The report document (`report.json`): what was found, plus the tables computed from it.

The document holds its *facts* (the files, their diagnostics, the coverage, the exec runs and their
records) and the *tables* derived from them (totals, diagnostics by rule, exec by model type and by
device, failure causes). `assemble` derives the tables from the facts, so that a report built here
and one merged from the shards of a run (`hflint.report.merge`) are computed by the same code.

Schema (version 1; a version adds fields freely, a field's meaning or removal bumps it), README
"report.json" documents every field.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from hflint import __version__
from hflint.coverage import CoverageReport
from hflint.diagnostics import Diagnostic
from hflint.exec.records import FAILING, STATUSES, skip_cause
from hflint.exec.results import error_line
from hflint.output.fingerprints import fingerprints

SCHEMA = "hflint-report"
SCHEMA_VERSION = 1

# The fields of an exec record the report keeps (output and tracebacks stay in exec's own JSON).
RECORD_FIELDS = (
    "file",
    "status",
    "model_type",
    "task",
    "device",
    "style",
    "reason",
    "seconds",
    "peak_memory_mb",
)
# The facts of an exec run the report keeps, beside the hardware it ran on.
RUN_FIELDS = ("device", "device_kind", "backend", "model_source", "torch", "transformers", "python")


class ReportError(Exception):
    """A document that cannot be read or combined; the message names the file and the cause."""


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def header(
    suite: tuple[str, str], transformers: str, shards: Sequence[str], created: str
) -> dict[str, Any]:
    """What identifies a report: its schema, the hflint that wrote it, the suite (its name and
    `hflint.discovery.suite_id`) and catalog."""
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "hflint", "version": __version__},
        "created": created,
        "suite": suite[0],
        "suite_id": suite[1],
        "transformers": transformers,
        "shards": sorted(shards),
    }


def coverage_entry(coverage: CoverageReport) -> dict[str, Any]:
    """`hflint coverage --format json`'s document, each level and family also listing the types it
    covers (`covered_types`), which merging the coverage of shards needs."""
    entry = coverage.to_json()
    for key, tables in (("levels", coverage.by_level), ("families", coverage.by_family)):
        for name, level in tables.items():
            entry[key][name]["covered_types"] = list(level.covered)
    return entry


def diagnostic_entries(diagnostics: Sequence[Diagnostic]) -> list[dict[str, Any]]:
    return [
        {
            "path": d.path,
            "line": d.start.row,
            "column": d.start.column,
            "code": d.code,
            "name": d.name,
            "message": d.message,
            "fingerprint": fingerprint,
        }
        for d, fingerprint in zip(diagnostics, fingerprints(diagnostics), strict=True)
    ]


def exec_run(result: Mapping[str, Any], source: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A run and its records out of `hflint exec --format json` output (`source` names it in
    messages). Each record carries the hardware and node it ran on."""
    records = result.get("records")
    if result.get("tool") != "hflint" or not isinstance(records, list):
        raise ReportError(f"{source}: not the JSON output of `hflint exec --format json`")
    run = {key: result.get(key) for key in RUN_FIELDS}
    run["hflint"] = result.get("version")
    run["node"] = result.get("node")
    run["suite_id"] = result.get("suite_id")
    run["shard"] = (result.get("selection") or {}).get("shard")
    run["seconds"] = result.get("seconds")
    run["hardware"] = device_hardware(result.get("hardware") or {}, run.get("device"))
    kept = []
    for record in records:
        entry = {key: record.get(key) for key in RECORD_FIELDS}
        entry["node"] = record.get("node") or run["node"]
        entry["hardware"] = run["hardware"]
        entry["cause"] = cause(record)
        kept.append(entry)
    return run, kept


def device_hardware(hardware: Mapping[str, Any], device: str | None) -> str:
    """What a device is: the accelerator's name (`NVIDIA H100 80GB HBM3`), else the CPU model."""
    for accelerator in hardware.get("accelerators") or ():
        index = accelerator.get("index")
        if device in (f"{accelerator.get('kind')}:{index}", f"cuda:{index}", "mps"):
            return str(accelerator.get("name"))
    return str((hardware.get("cpu") or {}).get("model") or "unknown")


_NUMBER = re.compile(r"\d+")
_QUOTED_PATH = re.compile(r"'[^']*/[^']*'|\"[^\"]*/[^\"]*\"")


def cause(record: Mapping[str, Any]) -> str | None:
    """What a file's outcome comes down to, in words shared by the files it shares it with: a
    skip's cause (`needs timm`), a failure's exception line with its paths and numbers left out."""
    status = record.get("status")
    if status == "skipped":
        return f"skipped: {skip_cause(record.get('reason') or '')}"
    if status not in FAILING:
        return None
    line = error_line(record.get("error") or record.get("reason") or status)
    line = _NUMBER.sub("N", _QUOTED_PATH.sub("'...'", line))
    return f"{status}: {line if len(line) <= 160 else line[:157] + '...'}"


def assemble(
    head: Mapping[str, Any],
    files: Iterable[Mapping[str, Any]],
    diagnostics: Iterable[Mapping[str, Any]],
    coverage: Mapping[str, Any],
    runs: Sequence[Mapping[str, Any]] | None,
    records: Iterable[Mapping[str, Any]],
) -> dict[str, Any]:
    """The whole document: the facts, sorted, and the tables derived from them (`runs` None: the
    report ran nothing)."""
    file_list = sorted(files, key=lambda f: str(f["path"]))
    found = sorted(diagnostics, key=lambda d: (d["path"], d["line"], d["column"], d["code"]))
    ran = sorted(records, key=lambda r: (str(r["file"]), str(r["device"])))
    execution = None
    if runs is not None:
        execution = {
            "runs": list(runs),
            "summary": _counts(ran),
            "pass_rate": pass_rate(ran),
            "by_model_type": _grouped(ran, lambda r: {"model_type": r["model_type"] or "-"}),
            "by_device": _grouped(
                ran, lambda r: {"device": r["device"] or "-", "hardware": r["hardware"]}
            ),
            "failure_causes": _causes(ran),
            "records": ran,
        }
    levels = coverage.get("levels", {})
    return {
        **head,
        "totals": {
            "files": len(file_list),
            "diagnostics": len(found),
            "files_with_diagnostics": len({d["path"] for d in found}),
            "coverage": {level: data["percent"] for level, data in levels.items()},
            "exec": None if execution is None else execution["summary"],
            "pass_rate": None if execution is None else execution["pass_rate"],
        },
        "files": file_list,
        "lint": {"by_rule": _by_rule(found), "diagnostics": found},
        "coverage": dict(coverage),
        "exec": execution,
    }


def pass_rate(records: Sequence[Mapping[str, Any]]) -> float | None:
    """Passed of the files that ran (skipped ones did not), in percent; None when none ran."""
    ran = [r for r in records if r["status"] != "skipped"]
    if not ran:
        return None
    passed = sum(1 for r in ran if r["status"] == "passed")
    return round(100.0 * passed / len(ran), 1)


def _counts(records: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    found = Counter(r["status"] for r in records)
    return {status: found[status] for status in STATUSES}


def _grouped(records: Sequence[Mapping[str, Any]], key: Any) -> list[dict[str, Any]]:
    """Counts, pass rate and time per group (`key(record)` -> the group's identifying fields)."""
    groups: dict[tuple[tuple[str, Any], ...], list[Mapping[str, Any]]] = defaultdict(list)
    for record in records:
        groups[tuple(key(record).items())].append(record)
    return [
        {
            **dict(group),
            **_counts(members),
            "files": len(members),
            "pass_rate": pass_rate(members),
            "seconds": round(sum(r["seconds"] or 0.0 for r in members), 3),
        }
        for group, members in sorted(groups.items(), key=lambda item: str(item[0]))
    ]


def _causes(records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for record in records:
        if record["cause"]:
            groups[record["cause"]].append(f"{record['file']} ({record['device']})")
    return [
        {"cause": name, "count": len(files), "files": files}
        for name, files in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    ]


def _by_rule(diagnostics: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    names: dict[str, str] = {}
    counts: Counter[str] = Counter()
    files: dict[str, set[str]] = defaultdict(set)
    for d in diagnostics:
        names[d["code"]] = d["name"]
        counts[d["code"]] += 1
        files[d["code"]].add(d["path"])
    return [
        {"code": code, "name": names[code], "count": count, "files": len(files[code])}
        for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]
