"""`hflint report merge`: one report out of the results of many workers.

Inputs are report documents (`hflint report --shard K/N`, one per CI job) and the JSON output of
`hflint exec` (a shard, a Ray run, another device). They must come from one hflint version, one
transformers version and one suite; anything else is refused with the files that differ. A file
counts once: once per device for exec records (a file run on the CPU and on a GPU counts on
each), its diagnostics and coverage from the first report that holds it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from hflint.catalog import PRIORITY_LEVELS
from hflint.coverage import CoverageReport, LevelCoverage
from hflint.report.document import (
    SCHEMA,
    SCHEMA_VERSION,
    ReportError,
    assemble,
    coverage_entry,
    exec_run,
    header,
    now,
)


def read(path: Path) -> dict[str, Any]:
    """A report document or exec result; ReportError naming the file and what is wrong with it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as problem:
        raise ReportError(f"{path}: cannot read it: {problem.strerror or problem}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as problem:
        raise ReportError(f"{path}: not JSON ({problem})") from None
    if not isinstance(data, dict):
        raise ReportError(f"{path}: neither a report.json nor `hflint exec --format json` output")
    if data.get("schema") == SCHEMA:
        version = data.get("schema_version")
        if not isinstance(version, int) or version > SCHEMA_VERSION:
            raise ReportError(
                f"{path}: report schema version {version} is newer than this hflint's "
                f"({SCHEMA_VERSION}); merge with the hflint that wrote it"
            )
    elif data.get("tool") != "hflint" or not isinstance(data.get("records"), list):
        raise ReportError(f"{path}: neither a report.json nor `hflint exec --format json` output")
    return data


def merge(paths: Sequence[Path]) -> tuple[dict[str, Any], list[str]]:
    """The merged report and notes on what was counted once although given twice."""
    reports: list[tuple[Path, dict[str, Any]]] = []
    runs: list[tuple[Path, dict[str, Any]]] = []
    records: list[tuple[Path, dict[str, Any]]] = []
    for path in paths:
        data = read(path)
        if data.get("schema") == SCHEMA:
            reports.append((path, data))
            execution = data.get("exec")
            if execution is not None:
                runs += [(path, run) for run in execution["runs"]]
                records += [(path, record) for record in execution["records"]]
        else:
            run, found = exec_run(data, str(path))
            runs.append((path, run))
            records += [(path, record) for record in found]
    if not reports:
        raise ReportError("no report.json among the results: merge needs at least one report")
    _same("hflint version", [(p, r["tool"]["version"]) for p, r in reports] + _of(runs, "hflint"))
    _same("transformers catalog", [(p, r["transformers"]) for p, r in reports])
    _same("transformers version", _of(runs, "transformers"))
    _same("suite", [(p, r["suite_id"]) for p, r in reports] + _of(runs, "suite_id"))

    repeated: Counter[tuple[Path, Path]] = Counter()
    files: dict[str, dict[str, Any]] = {}
    owner: dict[str, int] = {}  # file -> the index in `reports` of the report it is taken from
    for index, (path, report) in enumerate(reports):
        for entry in report["files"]:
            if entry["path"] in files:
                repeated[(reports[owner[entry["path"]]][0], path)] += 1
                continue
            files[entry["path"]] = entry
            owner[entry["path"]] = index
    diagnostics = [
        d
        for index, (_, report) in enumerate(reports)
        for d in report["lint"]["diagnostics"]
        if owner[d["path"]] == index
    ]
    notes = [
        f"{count} file(s) of {first} are also in {again}: counted once, as {first} has them"
        for (first, again), count in repeated.items()
    ]
    repeated.clear()
    ran: dict[tuple[str, str], tuple[Path, dict[str, Any]]] = {}
    for path, record in records:
        key = (record["file"], record["device"])
        if key in ran:
            repeated[(ran[key][0], path)] += 1
        ran[key] = (path, record)
    notes += [
        f"{count} file(s) run in {first} were run on the same device in {again}: counted once, "
        f"as {again} has them"
        for (first, again), count in repeated.items()
    ]
    first = reports[0][1]
    head = header(
        (first["suite"], first["suite_id"]),
        first["transformers"],
        sorted({shard for _, report in reports for shard in report["shards"]}),
        now(),
    )
    coverage = merge_coverage([report["coverage"] for _, report in reports], len(files))
    merged = assemble(
        head,
        files.values(),
        diagnostics,
        coverage,
        [run for _, run in runs] if runs else None,
        [record for _, record in ran.values()],
    )
    return merged, notes


def _of(runs: Iterable[tuple[Path, Mapping[str, Any]]], key: str) -> list[tuple[Path, Any]]:
    return [(path, run[key]) for path, run in runs if run.get(key) is not None]


def _same(what: str, values: Sequence[tuple[Path, Any]]) -> None:
    for path, value in values[1:]:
        if value != values[0][1]:
            raise ReportError(
                f"cannot merge results of different {what}s: {values[0][0]} has {values[0][1]}, "
                f"{path} has {value}"
            )


def merge_coverage(parts: Sequence[Mapping[str, Any]], files: int) -> dict[str, Any]:
    """The coverage of the union of the parts' files: a model type is covered when one part
    covers it (each part lists what its catalog counts, covered or missing, by level and family)."""

    def union(key: str) -> list[str]:
        return sorted({item for part in parts for item in part[key]})

    def tables(key: str) -> dict[str, LevelCoverage]:
        merged: dict[str, LevelCoverage] = {}
        for name in dict.fromkeys(name for part in parts for name in part[key]):
            members = [part[key][name] for part in parts if name in part[key]]
            covered = {m for member in members for m in member["covered_types"]}
            universe = covered | {m for member in members for m in member["missing"]}
            merged[name] = LevelCoverage(
                covered=tuple(sorted(covered)), missing=tuple(sorted(universe - covered))
            )
        return merged

    tested: dict[str, set[str]] = {}
    for part in parts:
        for model, paths in part["tested"].items():
            tested.setdefault(model, set()).update(paths)
    by_level = tables("levels")
    missing = set(by_level["all"].missing) if "all" in by_level else set()
    placed = {r["model_type"]: (r["priority"], r["family"]) for p in parts for r in p["roadmap"]}
    rank = {level: index for index, level in enumerate(PRIORITY_LEVELS)}
    roadmap = sorted(
        ((model, *placed[model]) for model in missing),
        key=lambda item: (rank.get(item[1], len(rank)), item[2], item[0]),
    )
    report = CoverageReport(
        transformers_version=parts[0]["transformers_version"],
        files=files,
        tested={model: tuple(sorted(paths)) for model, paths in sorted(tested.items())},
        duplicates={
            model: tuple(sorted(paths)) for model, paths in sorted(tested.items()) if len(paths) > 1
        },
        broken=tuple(union("broken")),
        unrecognised=tuple(union("unrecognised")),
        by_level=by_level,
        by_family=tables("families"),
        roadmap=tuple(roadmap),
    )
    return coverage_entry(report)
