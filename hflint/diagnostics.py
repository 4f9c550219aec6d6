"""The data every other part of hflint exchanges: diagnostics, fixes and text edits.

Everything here is plain, frozen and picklable, because diagnostics travel from worker processes
to the parent and into the cache as JSON.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Protocol


class Applicability(str, enum.Enum):
    """How safe a fix is: `safe` fixes run with `--fix`, `unsafe` ones also need `--unsafe-fixes`."""

    SAFE = "safe"
    UNSAFE = "unsafe"


class Applicable(Protocol):
    @property
    def applicability(self) -> Applicability: ...


def fix_is_applicable(fix: Applicable | None, *, unsafe: bool) -> bool:
    """Whether a fix runs: safe ones with `--fix`, unsafe ones only with `--unsafe-fixes` too."""
    return fix is not None and (fix.applicability is Applicability.SAFE or unsafe)


@dataclass(frozen=True, order=True)
class Location:
    """A position in a file: `row` and `column` are both 1-based, as editors and ruff show them."""

    row: int
    column: int


@dataclass(frozen=True)
class Edit:
    """Replace the text from `start` (inclusive) to `end` (exclusive) with `content`."""

    start: Location
    end: Location
    content: str


@dataclass(frozen=True)
class Fix:
    """A proposed change for one diagnostic.

    `edits` is empty when the engine was not asked to materialise them (plain text output only
    needs to know that a fix exists and how safe it is). A fix that changes which file holds the
    text rather than the text has no edits: `rename_to` names the file's new name (in the same
    directory), `delete` removes the file; the runner decides and applies both once every file of
    the run is checked (`hflint.file_fixes`).
    """

    message: str
    applicability: Applicability
    edits: tuple[Edit, ...] = ()
    rename_to: str | None = None
    delete: bool = False


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in one file."""

    path: str
    code: str
    name: str
    message: str
    start: Location
    end: Location
    fix: Fix | None = None
    # Extra, rule-specific facts for machine-readable outputs (never needed to print the message).
    details: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.start.row, self.start.column, self.code)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "code": self.code,
            "name": self.name,
            "message": self.message,
            "start": [self.start.row, self.start.column],
            "end": [self.end.row, self.end.column],
            "fix": None
            if self.fix is None
            else {
                "message": self.fix.message,
                "applicability": self.fix.applicability.value,
                "edits": [
                    [e.start.row, e.start.column, e.end.row, e.end.column, e.content]
                    for e in self.fix.edits
                ],
                "rename_to": self.fix.rename_to,
                "delete": self.fix.delete,
            },
            "details": self.details,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Diagnostic:
        fix_data = data["fix"]
        fix = None
        if fix_data is not None:
            fix = Fix(
                message=fix_data["message"],
                applicability=Applicability(fix_data["applicability"]),
                edits=tuple(
                    Edit(Location(sr, sc), Location(er, ec), content)
                    for sr, sc, er, ec, content in fix_data["edits"]
                ),
                rename_to=fix_data.get("rename_to"),
                delete=fix_data.get("delete", False),
            )
        return cls(
            path=data["path"],
            code=data["code"],
            name=data["name"],
            message=data["message"],
            start=Location(*data["start"]),
            end=Location(*data["end"]),
            fix=fix,
            details=data.get("details", {}),
        )


@dataclass(frozen=True)
class RuleInfo:
    """What outputs need to know about a rule, without importing the rule itself."""

    code: str
    name: str
    summary: str
    documentation: str
    fix_applicability: Applicability | None
    # A gate rule: a file with one of its findings is not run by `hflint exec` (`Rule.GATE`).
    gate: bool = False
