"""Snapshot tests: each `fixtures/rules/<CODE>/test_hf_*.py` against its expected diagnostics
(`<file>.expected`) and its expected fixed output (`<file>.fixed`, with unsafe fixes, only that rule).

Regenerate after a deliberate change with `HFLINT_UPDATE_SNAPSHOTS=1 pytest tests/test_rule_fixtures.py`
and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hflint.fixer import fix_text
from hflint.project import check_texts
from hflint.rule import ProjectRule, all_rules
from hflint.source import read_source

FIXTURES = Path(__file__).parent.parent / "fixtures" / "rules"
UPDATE = os.environ.get("HFLINT_UPDATE_SNAPSHOTS") == "1"
CASES = sorted(FIXTURES.glob("HF*/test_hf_*.py"))


def test_every_rule_has_a_fixture_folder() -> None:
    assert {case.parent.name for case in CASES} == set(all_rules())


def _check_snapshot(snapshot: Path, actual: bytes | None) -> None:
    if UPDATE:
        if actual is None:
            snapshot.unlink(missing_ok=True)
        else:
            snapshot.write_bytes(actual)
        return
    expected = snapshot.read_bytes() if snapshot.exists() else None
    assert actual == expected, f"{snapshot.name} differs (HFLINT_UPDATE_SNAPSHOTS=1 to regenerate)"


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture_snapshot(case: Path) -> None:
    rule = all_rules()[case.parent.name]
    source = read_source(case)
    # The folder is one run, so rules that compare files see the case's neighbours.
    folder = {other.name: read_source(other).text for other in case.parent.glob("test_hf_*.py")}
    diagnostics = check_texts(folder, [rule])[case.name]
    # In a folder of a rule that compares files, some files are only the other half of a pair.
    assert diagnostics or issubclass(rule, ProjectRule), f"{case} plants no {rule.code} problem"
    lines = "".join(
        f"{d.path}:{d.start.row}:{d.start.column}: {d.code} {d.message}"
        f"{' [fix: ' + d.fix.applicability.value + ']' if d.fix else ''}\n"
        for d in diagnostics
    )
    _check_snapshot(case.with_name(case.name + ".expected"), lines.encode())
    fixed = fix_text(case.name, source.text, [rule], unsafe=True).text
    _check_snapshot(
        case.with_name(case.name + ".fixed"), None if fixed == source.text else source.encode(fixed)
    )
