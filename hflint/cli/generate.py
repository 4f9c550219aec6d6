"""`hflint generate`: test files written from the canonical skeletons, each linted first."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from hflint.catalog import PRIORITY_LEVELS
from hflint.command_support import (
    EXIT_CLEAN,
    EXIT_DIAGNOSTICS,
    Failure,
    catalog,
    config_option,
    error,
    settings_for,
    warn,
)
from hflint.output.summary import plural

if TYPE_CHECKING:
    from hflint.diagnostics import Diagnostic
    from hflint.generate import Plan

# (dry run, overwrites) -> what the listing says of a file.
_VERBS = {
    (False, False): "Wrote",
    (False, True): "Overwrote",
    (True, False): "Would write",
    (True, True): "Would overwrite",
}


@click.command(
    "generate",
    epilog="""\b
Examples:
  hflint generate bert gpt-j -o fixed_tests/       writes test_hf_bert.py and test_hf_gptj.py
  hflint generate --priority critical -o fixed_tests/
  hflint generate --missing -o fixed_tests/        every model type the suite does not test yet
  hflint generate --all --dry-run -o fixed_tests/  list what would be written
  hflint generate bert --force -o fixed_tests/     regenerate, keeping its model id and extra tests""",
)
@click.argument("names", nargs=-1)
@click.option(
    "-o",
    "--output-dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to write the test files to (created when missing).",
)
@click.option(
    "--priority",
    "priorities",
    multiple=True,
    type=click.Choice(PRIORITY_LEVELS),
    help="The model types of this priority ([tool.hflint.priorities] honoured); repeatable.",
)
@click.option("--all", "all_models", is_flag=True, help="Every model type with a pipeline task.")
@click.option(
    "--missing", is_flag=True, help="Only model types no file in the directory tests yet."
)
@click.option(
    "--force",
    is_flag=True,
    help="Regenerate files that exist, keeping their model id and extra test_* methods.",
)
@click.option("--dry-run", is_flag=True, help="Print what would be written; write nothing.")
@click.option("-q", "--quiet", is_flag=True, help="Print problems only: no list of files.")
@config_option("to read [tool.hflint] from")
def generate_command(
    names: tuple[str, ...],
    output_dir: Path,
    priorities: tuple[str, ...],
    all_models: bool,
    missing: bool,
    force: bool,
    dry_run: bool,
    quiet: bool,
    config_path: Path | None,
) -> int:
    """Write test_hf_<model>.py files from the canonical skeletons, each linted before it is written.

    NAMES are model names in any spelling (gpt-j, gpt_j, GPT-J); each model type gets one file,
    named after the type (test_hf_gptj.py). A file that would not pass every rule is not written,
    and neither is any other: the command then exits 1.
    """
    from hflint.generate import GenerateError, Request, lint_failures, plan, write

    settings = settings_for(config_path, [output_dir])
    request = Request(names, output_dir, priorities, all_models, missing, force)
    try:
        planned = plan(request, catalog(settings), settings)
    except GenerateError as problem:
        for line in str(problem).splitlines():
            error(line)
        return problem.exit_code
    failures = lint_failures(planned.files)
    if failures:
        _report_failures(failures)
        return EXIT_DIAGNOSTICS
    if not dry_run:
        try:
            write(planned.files, output_dir)
        except GenerateError as problem:
            raise Failure(str(problem)) from None
        except OSError as problem:
            raise Failure(f"cannot write to {output_dir}: {problem.strerror or problem}") from None
    _report(planned, dry_run=dry_run, quiet=quiet)
    return EXIT_CLEAN


def _report_failures(failures: dict[str, list[Diagnostic]]) -> None:
    error(f"{plural(len(failures), 'generated file')} would not pass lint; nothing was written:")
    for path, diagnostics in failures.items():
        for d in diagnostics:
            click.echo(f"  {path}:{d.start.row}:{d.start.column}: {d.code} {d.message}", err=True)


def _report(planned: Plan, *, dry_run: bool, quiet: bool) -> None:
    from hflint.runner import display_path

    for file in planned.files:
        model, kept = file.model, file.kept
        if not quiet:
            verb = _VERBS[dry_run, file.overwrites]
            click.echo(
                f"{verb} {display_path(file.path)} ({model.model_type}: {model.default_task})"
            )
        if kept is not None and kept.problem is not None:
            warn(f"nothing kept of {kept.source}: {kept.problem}")
        elif kept is not None and not quiet:
            extras = "".join(f", {method.name.value}()" for method in kept.methods)
            click.echo(f"  kept from {kept.source}: model id {kept.model_id or '-'}{extras}")
        for other in file.duplicates:
            warn(f"{other} also tests {model.model_type}; remove it (HF502)")
    for skipped in planned.skipped:
        click.echo(
            f"Skipped {skipped.model.model_type}: tested by {', '.join(skipped.existing)} "
            "(--force regenerates it)",
            err=True,
        )
    if quiet:
        return
    count = len(planned.files)
    line = f"{'Would generate' if dry_run else 'Generated'} {plural(count, 'file')}"
    if planned.skipped:
        line += f"; skipped {len(planned.skipped)} that exist"
    click.echo(line + ".")
