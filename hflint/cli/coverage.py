"""`hflint coverage`: which model types the suite tests, by priority and family."""

from __future__ import annotations

from pathlib import Path

import click

from hflint.command_support import (
    EXIT_CLEAN,
    EXIT_DIAGNOSTICS,
    EXIT_ERROR,
    Failure,
    catalog,
    config_option,
    emit,
    format_option,
    output_file_option,
    report_missing,
    settings_for,
)
from hflint.discovery import discover


@click.command(
    "coverage",
    epilog="""\b
Examples:
  hflint coverage fixed_tests/
  hflint coverage --format markdown fixed_tests/ >> "$GITHUB_STEP_SUMMARY"
  hflint coverage --fail-under critical=100,high=90 fixed_tests/""",
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@format_option(["text", "markdown", "json"])
@click.option(
    "--fail-under",
    default="",
    help="Exit 1 below these percentages: critical=100,high=90 (levels: critical, high, medium, all).",
)
@output_file_option("Write the report here.")
@config_option("to read [tool.hflint] from")
def coverage_command(
    paths: tuple[str, ...],
    format_name: str,
    fail_under: str,
    output_file: Path | None,
    config_path: Path | None,
) -> int:
    """Which model types the suite tests (by priority and family), which it misses, and a roadmap."""
    from hflint.coverage import failures, measure, parse_thresholds, render
    from hflint.runner import display_path

    settings = settings_for(config_path, [Path(p) for p in paths])
    try:
        thresholds = parse_thresholds(fail_under)
    except ValueError as bad:
        raise Failure(f"--fail-under {bad}") from None
    found = discover(paths, settings)
    report_missing(found.missing)
    report = measure(
        found.files, {file: display_path(file) for file in found.files}, catalog(settings)
    )
    emit(render(report, format_name), output_file)
    problems = failures(report, thresholds)
    for problem in problems:
        click.echo(f"hflint: {problem}", err=True)
    return EXIT_ERROR if found.missing else (EXIT_DIAGNOSTICS if problems else EXIT_CLEAN)
