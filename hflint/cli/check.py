"""`hflint check` (the default command): lint, fix, diff, and report in any output format."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from hflint import __version__, output
from hflint.command_support import (
    EXIT_CLEAN,
    EXIT_DIAGNOSTICS,
    EXIT_ERROR,
    Failure,
    catalog,
    codes,
    config_option,
    emit,
    error,
    format_option,
    output_file_option,
    report_missing,
    settings_for,
    warn,
)
from hflint.config import ConfigError, validate_codes
from hflint.discovery import discover
from hflint.output.statistics import render_statistics
from hflint.output.summary import fix_listing, plural, summary
from hflint.rule import all_rules, rule_infos
from hflint.runner import FileOutcome, RunOptions, run
from hflint.settings import Settings

# Formats whose readers want every fix's edits (the others only say that a fix exists).
FORMATS_WITH_EDITS = frozenset({"json", "json-lines", "sarif"})
_SELECTION_KEYS = ("select", "ignore", "extend_select")


@click.command(
    epilog="""\b
Examples:
  hflint check fixed_tests/
  hflint check --fix --show-fixes fixed_tests/
  hflint check --fix --unsafe-fixes --diff tests/test_hf_bert.py
  hflint check --select HF1 --ignore HF105 --format github .
  hflint check --format sarif --output-file hflint.sarif --exit-zero ."""
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--fix", is_flag=True, help="Apply safe fixes (and unsafe ones with --unsafe-fixes).")
@click.option(
    "--unsafe-fixes", is_flag=True, help="Also apply (or show) fixes that may change meaning."
)
@click.option(
    "--diff", is_flag=True, help="Print the fixes as unified diffs; write nothing. Exit 1 if any."
)
@click.option("--show-fixes", is_flag=True, help="List what --fix fixed, per file.")
@format_option(output.format_names())
@output_file_option("Write the output here.")
@click.option(
    "--statistics", is_flag=True, help="Count diagnostics per rule instead of listing them."
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when diagnostics remain.")
@click.option("-q", "--quiet", is_flag=True, help="Print diagnostics only: no summary.")
@click.option(
    "--select",
    multiple=True,
    help="Rule codes or prefixes to enable (comma-separated; ALL for every rule).",
)
@click.option("--ignore", multiple=True, help="Rule codes or prefixes to disable.")
@click.option(
    "--extend-select",
    multiple=True,
    help="Rule codes or prefixes to enable on top of the selection.",
)
@config_option("to read [tool.hflint] from")
@click.option("--no-cache", is_flag=True, help="Neither read nor write .hflint_cache/.")
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), help="Worker processes [default: all cores]."
)
def check(
    paths: tuple[str, ...],
    fix: bool,
    unsafe_fixes: bool,
    diff: bool,
    show_fixes: bool,
    format_name: str,
    output_file: Path | None,
    statistics: bool,
    exit_zero: bool,
    quiet: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    extend_select: tuple[str, ...],
    config_path: Path | None,
    no_cache: bool,
    jobs: int | None,
) -> int:
    """Check test files for problems (the default command)."""
    flags = dict(zip(_SELECTION_KEYS, (select, ignore, extend_select), strict=True))
    settings = _selected(settings_for(config_path, [Path(p) for p in paths]), flags)
    catalog(settings)  # its warning, if any, comes first
    found = discover(paths, settings)
    report_missing(found.missing)
    options = RunOptions(
        settings=settings,
        fix=fix and not diff,
        diff=diff,
        unsafe_fixes=unsafe_fixes,
        with_edits=format_name in FORMATS_WITH_EDITS,
        use_cache=not no_cache,
    )
    outcomes = run(found.files, options, jobs)
    diagnostics = sorted((d for o in outcomes for d in o.diagnostics), key=lambda d: d.sort_key)
    failed = _report_problems(outcomes) or bool(found.missing)
    fixed = sum(sum(o.fixed.values()) for o in outcomes)

    if diff:
        text = "".join(o.diff for o in outcomes)
        emit(text, output_file)
        if not quiet:
            click.echo(f"Would fix {plural(fixed, 'error')}.", err=True)
        return EXIT_ERROR if failed else (EXIT_DIAGNOSTICS if text else EXIT_CLEAN)

    if statistics:
        kind = "json" if format_name == "json" else "text"
        body = render_statistics(diagnostics, kind, unsafe_fixes=unsafe_fixes)
    else:
        report = output.RunReport(
            diagnostics=tuple(diagnostics),
            checked_files=tuple(o.path for o in outcomes),
            rules=rule_infos(),
            show_fix_status=True,
            unsafe_fixes=unsafe_fixes,
            tool_version=__version__,
        )
        body = output.render(format_name, report)
    if format_name in ("text", "concise") and not quiet:
        if show_fixes:
            names = {code: rule.name for code, rule in all_rules().items()}
            body += fix_listing([(o.path, o.fixed) for o in outcomes if o.fixed], names)
        body += summary(
            diagnostics,
            fixed=fixed,
            vanished=sum(o.vanished for o in outcomes),
            unsafe_fixes=unsafe_fixes,
            files=len(found.files),
            missing=found.missing,
            crashed=[o.path for o in outcomes if o.internal_error],
        )
    emit(body, output_file)
    if failed:
        return EXIT_ERROR
    return EXIT_DIAGNOSTICS if diagnostics and not exit_zero else EXIT_CLEAN


def _selected(settings: Settings, flags: dict[str, tuple[str, ...]]) -> Settings:
    """`settings` with the rule selection of the command line, every selector checked against the
    rules: those of a flag name the flag, those of the configuration its file and key."""
    overrides: dict[str, Any] = {key: codes(values) for key, values in flags.items() if values}
    rules = all_rules()
    names = [rule.name for rule in rules.values()]
    try:
        for key in _SELECTION_KEYS:
            written = key.replace("_", "-")
            if key in overrides:
                validate_codes(overrides[key], rules, f"--{written}", known_names=names)
            else:
                validate_codes(
                    getattr(settings, key),
                    rules,
                    written,
                    known_names=names,
                    path=settings.config_path,
                )
        for _, ignored in settings.per_file_ignores:
            validate_codes(
                ignored,
                rules,
                "per-file-ignores",
                known_names=names,
                path=settings.config_path,
            )
    except ConfigError as problem:
        raise Failure(str(problem)) from None
    return replace(settings, **overrides)


def _report_problems(outcomes: list[FileOutcome]) -> bool:
    """Print warnings and internal errors to stderr; True when any file hit an internal error."""
    errors = False
    for outcome in outcomes:
        for message in outcome.messages:
            warn(message)
        if outcome.internal_error:
            errors = True
            error(f"internal error while checking {outcome.path}:")
            click.echo(outcome.internal_error, err=True)
    return errors
