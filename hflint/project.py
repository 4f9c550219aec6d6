"""Rules that see the whole run: per-file summaries in, diagnostics out once every file is done."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hflint.catalog import Catalog
from hflint.diagnostics import Diagnostic, Fix, Location
from hflint.noqa import Suppressions
from hflint.rule import ProjectRule, Rule, RuleContext

# Set in each summary: may the rule report on this file (selected for it, not suppressed there)?
REPORTABLE = "reportable"


def project_rules(rules: Sequence[type[Rule]]) -> list[type[ProjectRule]]:
    return [rule for rule in rules if issubclass(rule, ProjectRule)]


def summarize(
    path: str,
    text: str,
    data: bytes,
    selected: Sequence[type[Rule]],
    enabled_here: Sequence[type[Rule]],
    catalog: Catalog,
) -> dict[str, dict[str, Any]]:
    """Each selected project rule's summary of one file, by rule code.

    A file where the rule is ignored (per-file-ignores, noqa) still takes part, as the other half
    of a pair; it is only never reported on.
    """
    rules = project_rules(selected)
    if not rules:
        return {}
    context = RuleContext.for_text(path, text, catalog)
    suppressions = Suppressions.scan(text)
    summaries = {}
    for rule in rules:
        summary = dict(rule.summarize(context, data))
        summary[REPORTABLE] = (
            rule in enabled_here
            and not suppressions.file_suppresses(rule.code)
            and not suppressions.line_suppresses(1, rule.code)
        )
        summaries[rule.code] = summary
    return summaries


def project_diagnostics(
    summaries: Mapping[str, Mapping[str, Mapping[str, Any]]], selected: Sequence[type[Rule]]
) -> list[Diagnostic]:
    """Diagnostics of the selected project rules over every file's summaries (by path, then code)."""
    found = []
    top = Location(1, 1)
    for rule in project_rules(selected):
        by_path = {
            path: codes[rule.code] for path, codes in summaries.items() if rule.code in codes
        }
        for report in rule.check_project(by_path):
            if by_path[report.path][REPORTABLE]:
                spec = report.fix
                fix = None if spec is None else Fix(spec.title, spec.applicability, delete=True)
                found.append(
                    Diagnostic(report.path, rule.code, rule.name, report.message, top, top, fix)
                )
    return found


def check_texts(
    files: Mapping[str, str], rules: Sequence[type[Rule]], catalog: Catalog | None = None
) -> dict[str, list[Diagnostic]]:
    """Lint several in-memory files as one run (for examples and tests): each file's own
    diagnostics, then the project rules' over all of them."""
    from hflint.catalog import load_catalog
    from hflint.linter import lint_text

    catalog = catalog if catalog is not None else load_catalog()
    found = {
        path: lint_text(path, text, rules, catalog=catalog).diagnostics(with_edits=False)
        for path, text in files.items()
    }
    summaries = {
        path: summarize(path, text, text.encode("utf-8"), rules, rules, catalog)
        for path, text in files.items()
    }
    for diagnostic in project_diagnostics(summaries, rules):
        found[diagnostic.path].append(diagnostic)
    return found
