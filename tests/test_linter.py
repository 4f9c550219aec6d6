"""The batched visit: deep node handlers, declared metadata, positions, noqa, and selection."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst
import pytest
from libcst.metadata import ParentNodeProvider

from hflint.diagnostics import Location
from hflint.linter import lint_text
from hflint.rule import Rule, matches_code, select_rules

SOURCE = """\
class TestBertModels:
    def test_pipeline(self):
        return pipeline("fill-mask", device="cuda")  # noqa: HF998


def helper():
    return pipeline("fill-mask", device="cuda")
"""


def _unregistered(cls: type[Rule], code: str, name: str) -> type[Rule]:
    # Setting the code after the class exists keeps these test rules out of the registry.
    cls.code = code
    cls.name = name
    return cls


class _CallsInsideFunctions(Rule):
    """Reports every call whose parent statement sits in a function (exercises metadata)."""

    MESSAGE = "call"
    METADATA_DEPENDENCIES: ClassVar = (ParentNodeProvider,)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.depth = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.depth += 1

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.depth -= 1

    def visit_Call(self, node: cst.Call) -> None:
        parent = self.get_metadata(ParentNodeProvider, node)
        if self.depth and isinstance(parent, cst.Return):
            self.report(node, f"call in a function, depth {self.depth}")


class _UndeclaredMetadata(Rule):
    """Reads metadata it did not declare."""

    MESSAGE = "never"

    def visit_Call(self, node: cst.Call) -> None:
        self.get_metadata(ParentNodeProvider, node)


CALLS = _unregistered(_CallsInsideFunctions, "HF998", "calls-inside-functions")
UNDECLARED = _unregistered(_UndeclaredMetadata, "HF997", "undeclared-metadata")


def test_deep_handlers_metadata_positions_and_noqa() -> None:
    findings = lint_text("test_hf_bert.py", SOURCE, [CALLS]).findings
    # The first call is suppressed by its noqa comment; the second is reported at its exact span.
    assert [(f.start, f.end, f.report.message) for f in findings] == [
        (Location(7, 12), Location(7, 48), "call in a function, depth 1")
    ]


def test_undeclared_metadata_is_an_error_naming_the_rule() -> None:
    with pytest.raises(KeyError, match="HF997 reads ParentNodeProvider without declaring it"):
        lint_text("test_hf_bert.py", SOURCE, [UNDECLARED])


@pytest.mark.parametrize(
    ("select", "ignore", "expected"),
    [
        (["ALL"], [], True),
        (["HF1"], [], True),
        (["HF2"], [], False),
        (["ALL"], ["HF1"], False),
        (["HF102"], ["HF1"], True),  # the more specific selector wins
        (["HF1"], ["HF102"], False),
        (["HF1"], ["ALL"], True),
    ],
)
def test_selection_precedence(select: list[str], ignore: list[str], expected: bool) -> None:
    chosen = {rule.code for rule in select_rules(select, ignore)}
    assert ("HF102" in chosen) is expected


def test_prefixes_match_codes() -> None:
    assert matches_code("HF102", ["HF1"]) and not matches_code("HF102", ["HF2"])
