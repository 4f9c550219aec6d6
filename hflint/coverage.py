"""`hflint coverage`: which model types a suite tests, which it misses, and what to write next.

Counted by model type, not by file: name variants of one model (`gpt-j`, `gpt_j`, `gptj`,
`gpt_j_standardized`) count once and are listed as duplicates, a file whose name is no model type
counts for the type its checkpoints name (`hflint.analysis.filemodel`, as `hflint exec` decides it),
and a file that does not parse covers nothing (it is listed as broken). The universe is every
catalog model type with a pipeline task.
"""

from __future__ import annotations

import ast
import json
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import libcst as cst

from hflint.analysis.filemodel import file_model
from hflint.catalog import PRIORITY_LEVELS, Catalog, ModelEntry
from hflint.naming import model_name_from_path, resolve_model_name
from hflint.source import SourceError, read_source

LEVELS = (*PRIORITY_LEVELS, "all")
# The priorities file calls the medium level `tracked` (its section name); both are accepted.
LEVEL_ALIASES = {"tracked": "medium"}


@dataclass(frozen=True)
class LevelCoverage:
    covered: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def total(self) -> int:
        return len(self.covered) + len(self.missing)

    @property
    def percent(self) -> float:
        return 100.0 if not self.total else round(100.0 * len(self.covered) / self.total, 1)


@dataclass(frozen=True)
class CoverageReport:
    transformers_version: str
    files: int
    # Model type -> the files testing it (parsing or not).
    tested: Mapping[str, tuple[str, ...]]
    broken: tuple[str, ...]  # files that do not parse
    unrecognised: tuple[str, ...]  # files whose name gives no catalog model
    by_level: Mapping[str, LevelCoverage]
    by_family: Mapping[str, LevelCoverage]
    roadmap: tuple[tuple[str, str, str], ...]  # (model type, priority, family), critical first
    duplicates: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        def level(coverage: LevelCoverage) -> dict[str, Any]:
            return {
                "covered": len(coverage.covered),
                "total": coverage.total,
                "percent": coverage.percent,
                "missing": list(coverage.missing),
            }

        return {
            "transformers_version": self.transformers_version,
            "files": self.files,
            "tested": {model: list(files) for model, files in self.tested.items()},
            "duplicates": {model: list(files) for model, files in self.duplicates.items()},
            "broken": list(self.broken),
            "unrecognised": list(self.unrecognised),
            "levels": {name: level(c) for name, c in self.by_level.items()},
            "families": {name: level(c) for name, c in self.by_family.items()},
            "roadmap": [
                {"model_type": model, "priority": priority, "family": family}
                for model, priority, family in self.roadmap
            ],
        }


def measure(files: Sequence[Path], display: Mapping[Path, str], catalog: Catalog) -> CoverageReport:
    tested: dict[str, list[str]] = {}
    broken: list[str] = []
    unrecognised: list[str] = []
    for file in files:
        path = display[file]
        name = model_name_from_path(file)
        entry = _file_type(catalog, file, name) if name else None
        if entry is None:
            unrecognised.append(path)
            continue
        tested.setdefault(entry.model_type, []).append(path)
        if not _parses(file):
            broken.append(path)
    working = {model for model, paths in tested.items() if any(p not in broken for p in paths)}
    universe = [entry for entry in catalog.models.values() if entry.tasks]

    def split(entries: Sequence[Any]) -> LevelCoverage:
        types = sorted(entry.model_type for entry in entries)
        return LevelCoverage(
            covered=tuple(t for t in types if t in working),
            missing=tuple(t for t in types if t not in working),
        )

    by_level = {
        level: split([e for e in universe if e.priority == level]) for level in PRIORITY_LEVELS
    }
    by_level["all"] = split(universe)
    families = sorted({entry.family for entry in universe})
    by_family = {family: split([e for e in universe if e.family == family]) for family in families}
    rank = {level: index for index, level in enumerate(PRIORITY_LEVELS)}
    roadmap = sorted(
        (
            (entry.model_type, entry.priority or "-", entry.family)
            for entry in universe
            if entry.model_type not in working
        ),
        key=lambda item: (rank.get(item[1], len(rank)), item[2], item[0]),
    )
    return CoverageReport(
        transformers_version=catalog.transformers_version,
        files=len(files),
        tested={model: tuple(paths) for model, paths in sorted(tested.items())},
        duplicates={
            model: tuple(paths) for model, paths in sorted(tested.items()) if len(paths) > 1
        },
        broken=tuple(broken),
        unrecognised=tuple(unrecognised),
        by_level=by_level,
        by_family=by_family,
        roadmap=tuple(roadmap),
    )


def _file_type(catalog: Catalog, file: Path, name: str) -> ModelEntry | None:
    """The file's model type, decided as `hflint exec` decides it: its name (with any variant
    suffix), else, for a name that gives no type, its checkpoints (the file is parsed only then)."""
    match = resolve_model_name(catalog, name)
    if match.entry is not None or match.removed is not None:
        return match.entry
    try:
        module = cst.parse_module(read_source(file).text)
    except (SourceError, cst.ParserSyntaxError):
        module = None
    return file_model(catalog, name, module).entry


def _parses(file: Path) -> bool:
    try:
        source = read_source(file)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences are not our business here
            ast.parse(source.text, filename=str(file))
    except (SourceError, SyntaxError, ValueError):
        return False
    return True


def parse_thresholds(text: str) -> dict[str, float]:
    """`critical=100,high=90` -> {"critical": 100.0, "high": 90.0}; ValueError naming the problem."""
    thresholds: dict[str, float] = {}
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        written, equals, value = part.partition("=")
        level = LEVEL_ALIASES.get(written.strip(), written.strip())
        if not equals or level not in LEVELS:
            raise ValueError(
                f"{part!r}: expected LEVEL=PERCENT with LEVEL one of critical, high, medium "
                "(or tracked), all"
            )
        try:
            thresholds[level] = float(value)
        except ValueError:
            raise ValueError(f"{part!r}: {value!r} is not a number") from None
    return thresholds


def failures(report: CoverageReport, thresholds: Mapping[str, float]) -> list[str]:
    return [
        f"{level} coverage {report.by_level[level].percent}% is under {minimum:g}%"
        for level, minimum in thresholds.items()
        if report.by_level[level].percent < minimum
    ]


def render(report: CoverageReport, format_name: str, *, roadmap_limit: int = 25) -> str:
    if format_name == "json":
        return json.dumps(report.to_json(), indent=2) + "\n"
    markdown = format_name == "markdown"
    lines: list[str] = []
    heading = "## " if markdown else ""
    covered = report.by_level["all"]
    lines.append(
        f"{heading}Coverage: {len(covered.covered)} of {covered.total} model types by "
        f"{report.files} files (transformers {report.transformers_version})"
    )
    # Types a file is named for but that the tables do not count, so the header and the tables agree.
    uncounted = sorted(set(report.tested) - set(covered.covered))
    if uncounted:
        lines.append(
            f"Not counted: {', '.join(uncounted)} (their files do not parse, or the type has no "
            "pipeline task)"
        )
    lines.append("")
    lines += _table(["priority", "covered", "total", "percent"], report.by_level, markdown)
    lines.append("")
    lines += _table(["family", "covered", "total", "percent"], report.by_family, markdown)
    for title, items in (
        ("Files that do not parse (they cover nothing)", report.broken),
        ("Files whose name gives no known model", report.unrecognised),
        (
            "Model types with more than one file",
            tuple(f"{m}: {', '.join(paths)}" for m, paths in report.duplicates.items()),
        ),
    ):
        if items:
            lines += ["", f"{heading}{title}", ""] + [f"- {item}" for item in items]
    if report.roadmap:
        shown = report.roadmap[:roadmap_limit]
        lines += [
            "",
            f"{heading}Roadmap: the next {len(shown)} of {len(report.roadmap)} missing",
            "",
        ]
        lines += [f"- {model} ({priority}, {family})" for model, priority, family in shown]
        names = " ".join(model for model, _, _ in shown[:5])
        lines += ["", f"Generate them with `hflint generate {names} -o DIR` (or `--missing`)."]
    return "\n".join(lines) + "\n"


def _table(header: list[str], rows: Mapping[str, LevelCoverage], markdown: bool) -> list[str]:
    body = [
        [name, str(len(c.covered)), str(c.total), f"{c.percent:.1f}%"] for name, c in rows.items()
    ]
    if markdown:
        return [
            "| " + " | ".join(header) + " |",
            "|" + "|".join("---" for _ in header) + "|",
            *("| " + " | ".join(row) + " |" for row in body),
        ]
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in [header, *body]
    ]
