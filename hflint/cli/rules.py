"""`hflint rules` (the list) and `hflint rule CODE` (one rule's documentation)."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable

import click

from hflint.command_support import EXIT_CLEAN, Failure, format_option
from hflint.diagnostics import RuleInfo
from hflint.rule import canonical_selector, rule_infos


@click.command(
    "rules",
    epilog="\b\nExamples:\n  hflint rules\n  hflint rules --format json\n"
    "  hflint rules --format markdown     (README's rule table)",
)
@format_option(["text", "json", "markdown"])
def list_rules(format_name: str) -> int:
    """List every rule: code, name, fix safety, whether it is an exec gate rule, and summary."""
    infos = rule_infos()
    if format_name == "json":
        records = [
            {
                "code": i.code,
                "name": i.name,
                "summary": i.summary,
                "fix": i.fix_applicability.value if i.fix_applicability else None,
                "gate": i.gate,
            }
            for i in infos.values()
        ]
        click.echo(json.dumps(records, indent=2))
        return EXIT_CLEAN
    if format_name == "markdown":
        click.echo(markdown_table(infos.values()), nl=False)
        return EXIT_CLEAN
    for info in infos.values():
        fix = f"[{info.fix_applicability.value} fix]" if info.fix_applicability else ""
        gate = "[gate]" if info.gate else ""
        click.echo(f"{info.code}  {info.name:<28} {fix:<14} {gate:<6} {info.summary}")
    return EXIT_CLEAN


@click.command(
    "rule", epilog="\b\nExamples:\n  hflint rule HF102\n  hflint rule test-class-name-mismatch"
)
@click.argument("code")
def explain_rule(code: str) -> int:
    """Show a rule's documentation: what it does, why it matters, an example, fix safety."""
    infos = rule_infos()
    info = infos.get(canonical_selector(code))
    if info is None:
        names = [info.name for info in infos.values()]
        close = difflib.get_close_matches(
            code.upper(), list(infos), n=1
        ) or difflib.get_close_matches(code, names, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise Failure(f"unknown rule {code!r}{hint}; `hflint rules` lists them")
    click.echo(f"# {info.name} ({info.code})\n\n{info.documentation}")
    return EXIT_CLEAN


def markdown_table(infos: Iterable[RuleInfo]) -> str:
    """The rule table README holds (a test keeps the two equal): the fix column is a rule's fix
    at its weakest, so `unsafe` may still mean a safe fix in the common case; the gate column says
    which rules keep a file from `hflint exec`."""
    rows = ["| code | name | what it finds | fix | gate |", "|---|---|---|---|---|"]
    for info in infos:
        fix = info.fix_applicability.value if info.fix_applicability else "none"
        gate = "yes" if info.gate else "no"
        rows.append(f"| {info.code} | {info.name} | {info.summary} | {fix} | {gate} |")
    return "\n".join(rows) + "\n"
