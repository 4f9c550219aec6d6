"""The `hflint` command line. `hflint PATHS` is `hflint check PATHS`, as with ruff."""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from hflint import __version__, output
from hflint.catalog import (
    PRIORITY_LEVELS,
    Catalog,
    catalog_for,
    choose_catalog,
    snapshot_name,
    user_catalog_dir,
)
from hflint.config import ConfigError, init_config, load_settings, validate_codes
from hflint.diagnostics import Applicability, Diagnostic
from hflint.discovery import discover
from hflint.output.statistics import render_statistics
from hflint.rule import all_rules, canonical_selector, rule_infos
from hflint.runner import FileOutcome, RunOptions, run
from hflint.settings import Settings

if TYPE_CHECKING:
    from hflint.generate import Plan

EXIT_CLEAN, EXIT_DIAGNOSTICS, EXIT_ERROR = 0, 1, 2
# Formats whose readers want every fix's edits (the others only say that a fix exists).
FORMATS_WITH_EDITS = frozenset({"json", "json-lines", "sarif"})


class DefaultCommandGroup(click.Group):
    """Runs `check` when the first argument is not a subcommand (`hflint --fix tests/`)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (
            args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")
        ):
            args = ["check", *args]
        return super().parse_args(ctx, args)


def _codes(values: Sequence[str]) -> tuple[str, ...]:
    """`--select HF1,hf201 --select missing-test-class` -> ("HF1", "HF201", "HF101")."""
    return tuple(
        canonical_selector(code) for value in values for code in value.split(",") if code.strip()
    )


@click.group(
    cls=DefaultCommandGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="""\b
Examples:
  hflint fixed_tests/                   lint (same as `hflint check`)
  hflint --fix fixed_tests/             lint and apply safe fixes
  hflint rule HF102                     explain a rule
Run `hflint COMMAND --help` for a command's options.""",
)
@click.version_option(__version__, prog_name="hflint")
def cli() -> None:
    """Lint and fix suites of HuggingFace model test files (test_hf_<model>.py)."""


@cli.command(
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
@click.option(
    "--format",
    "format_name",
    type=click.Choice(output.format_names()),
    default="text",
    show_default=True,
)
@click.option(
    "-o",
    "--output-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the output here.",
)
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
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    help="pyproject.toml to read [tool.hflint] from.",
)
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
) -> None:
    """Check test files for problems (the default command)."""
    names = [rule.name for rule in all_rules().values()]
    try:
        settings = load_settings(config_path, [Path(p) for p in paths])
        overrides: dict[str, Any] = {}
        for key, values in (
            ("select", select),
            ("ignore", ignore),
            ("extend_select", extend_select),
        ):
            if values:
                overrides[key] = _codes(values)
        for key in ("select", "ignore", "extend_select"):
            flag = "--" + key.replace("_", "-")
            origin = (
                (None, flag) if key in overrides else (settings.config_path, key.replace("_", "-"))
            )
            validate_codes(
                overrides.get(key, getattr(settings, key)),
                all_rules(),
                origin[1],
                known_names=names,
                path=origin[0],
            )
        for _, codes in settings.per_file_ignores:
            validate_codes(
                codes,
                all_rules(),
                "per-file-ignores",
                known_names=names,
                path=settings.config_path,
            )
    except ConfigError as error:
        _fail(str(error))
    settings = replace(settings, **overrides)
    _catalog(settings)
    found = discover(paths, settings)
    for missing in found.missing:
        click.echo(f"hflint: error: {missing}: no such file or directory", err=True)
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
    errors = _report_problems(outcomes)

    if diff:
        text = "".join(o.diff for o in outcomes)
        _emit(text, output_file)
        fixed = sum(sum(o.fixed.values()) for o in outcomes)
        if not quiet:
            click.echo(f"Would fix {fixed} error{'s' if fixed != 1 else ''}.", err=True)
        sys.exit(
            EXIT_ERROR if errors or found.missing else (EXIT_DIAGNOSTICS if text else EXIT_CLEAN)
        )

    if statistics:
        body = render_statistics(
            diagnostics, "json" if format_name == "json" else "text", unsafe_fixes=unsafe_fixes
        )
    else:
        report = output.Report(
            diagnostics=tuple(diagnostics),
            checked_files=tuple(o.path for o in outcomes),
            rules=rule_infos(),
            show_fix_status=True,
            unsafe_fixes=unsafe_fixes,
            tool_version=__version__,
        )
        body = output.render(format_name, report)
    if format_name in ("text", "concise") and not quiet:
        body += _fix_listing(outcomes) if show_fixes else ""
        body += _summary(
            diagnostics,
            outcomes,
            unsafe_fixes=unsafe_fixes,
            files=len(found.files),
            missing=found.missing,
        )
    _emit(body, output_file)
    if errors or found.missing:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_DIAGNOSTICS if diagnostics and not exit_zero else EXIT_CLEAN)


def _emit(text: str, output_file: Path | None) -> None:
    if output_file is None:
        click.echo(text, nl=False)
        return
    try:
        output_file.write_text(text, encoding="utf-8")
    except OSError as error:
        _fail(f"cannot write {output_file}: {error.strerror or error}")


def _report_problems(outcomes: list[FileOutcome]) -> bool:
    """Print warnings and internal errors to stderr; True when any file hit an internal error."""
    errors = False
    for outcome in outcomes:
        for message in outcome.messages:
            click.echo(f"hflint: warning: {message}", err=True)
        if outcome.internal_error:
            errors = True
            click.echo(f"hflint: error: internal error while checking {outcome.path}:", err=True)
            click.echo(outcome.internal_error, err=True)
    return errors


def _fix_listing(outcomes: list[FileOutcome]) -> str:
    fixed = [(o.path, o.fixed) for o in outcomes if o.fixed]
    if not fixed:
        return "No errors fixed.\n"
    names = {code: rule.name for code, rule in all_rules().items()}
    total = sum(sum(counts.values()) for _, counts in fixed)
    lines = [f"Fixed {total} error{'s' if total != 1 else ''}:"]
    for path, counts in fixed:
        lines.append(f"- {path}:")
        lines += [
            f"    {count} × {code} ({names.get(code, '')})"
            for code, count in sorted(counts.items())
        ]
    return "\n".join(lines) + "\n\n"


def _summary(
    diagnostics: list[Diagnostic],
    outcomes: list[FileOutcome],
    *,
    unsafe_fixes: bool,
    files: int,
    missing: Sequence[str],
) -> str:
    """The closing lines; a path that does not exist gets the last word (the run exits 2)."""
    summary = _findings_summary(diagnostics, outcomes, unsafe_fixes=unsafe_fixes, files=files)
    if not missing:
        return summary
    if summary == "All checks passed!\n":
        summary = f"All checks passed for the {files} file{'s' if files != 1 else ''} checked.\n"
    return summary + f"Not found, so not checked: {', '.join(missing)}\n"


def _findings_summary(
    diagnostics: list[Diagnostic], outcomes: list[FileOutcome], *, unsafe_fixes: bool, files: int
) -> str:
    fixed = sum(sum(o.fixed.values()) for o in outcomes)
    remaining = len(diagnostics)
    if not files:
        return "warning: no test files found (default include: **/test_hf_*.py)\n"
    vanished = sum(o.vanished for o in outcomes)
    if not remaining:
        if not fixed:
            return "All checks passed!\n"
        also = f" (and {vanished} that went away with them)" if vanished > 0 else ""
        return f"Fixed {fixed} error{'s' if fixed != 1 else ''}{also}; all checks passed!\n"
    if fixed or vanished:
        aside = (
            f"; {vanished} went away with other fixes"
            if vanished > 0
            else (f"; {-vanished} new after fixing" if vanished < 0 else "")
        )
        head = (
            f"Found {fixed + remaining + vanished} errors "
            f"({fixed} fixed, {remaining} remaining{aside})."
        )
    else:
        head = f"Found {remaining} error{'s' if remaining != 1 else ''}."
    counts = Counter(d.fix.applicability for d in diagnostics if d.fix is not None)
    safe, unsafe = counts[Applicability.SAFE], counts[Applicability.UNSAFE]
    lines = [head]
    applicable = safe + (unsafe if unsafe_fixes else 0)
    hidden = 0 if unsafe_fixes else unsafe
    if applicable:
        option = "`--fix --unsafe-fixes`" if unsafe_fixes else "`--fix`"
        note = (
            f" ({hidden} hidden fixes can be enabled with the `--unsafe-fixes` option)"
            if hidden
            else ""
        )
        lines.append(f"[*] {applicable} fixable with the {option} option{note}.")
    elif hidden:
        lines.append(
            f"No fixes available ({hidden} hidden fixes can be enabled with the `--unsafe-fixes` option)."
        )
    return "\n".join(lines) + "\n"


def _catalog(settings: Settings) -> Catalog:
    """The run's catalog; says on stderr when it is not that of the installed transformers."""
    return catalog_for(settings, warn=_warn)


def _warn(message: str) -> None:
    click.echo(f"hflint: warning: {message}", err=True)


def _fail(message: str) -> NoReturn:
    click.echo(f"hflint: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


@cli.command("rules", epilog="\b\nExamples:\n  hflint rules\n  hflint rules --format json")
@click.option(
    "--format",
    "format_name",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
def list_rules(format_name: str) -> None:
    """List every rule: code, name, fix safety and summary."""
    infos = rule_infos()
    if format_name == "json":
        records = [
            {
                "code": i.code,
                "name": i.name,
                "summary": i.summary,
                "fix": i.fix_applicability.value if i.fix_applicability else None,
            }
            for i in infos.values()
        ]
        click.echo(json.dumps(records, indent=2))
        return
    for info in infos.values():
        fix = f"[{info.fix_applicability.value} fix]" if info.fix_applicability else ""
        click.echo(f"{info.code}  {info.name:<28} {fix:<14} {info.summary}")


@cli.command(
    "rule", epilog="\b\nExamples:\n  hflint rule HF102\n  hflint rule test-class-name-mismatch"
)
@click.argument("code")
def explain_rule(code: str) -> None:
    """Show a rule's documentation: what it does, why it matters, an example, fix safety."""
    infos = rule_infos()
    by_name = {info.name: info for info in infos.values()}
    info = infos.get(canonical_selector(code))
    if info is None:
        import difflib

        close = difflib.get_close_matches(
            code.upper(), list(infos), n=1
        ) or difflib.get_close_matches(code, list(by_name), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        _fail(f"unknown rule {code!r}{hint}; `hflint rules` lists them")
    click.echo(f"# {info.name} ({info.code})\n\n{info.documentation}")


@cli.command("init", epilog="\b\nExamples:\n  hflint init\n  hflint init path/to/pyproject.toml")
@click.argument("pyproject", type=click.Path(path_type=Path), default="pyproject.toml")
def init(pyproject: Path) -> None:
    """Add a commented default [tool.hflint] section to pyproject.toml, keeping the rest as it is
    (creating the file when there is none)."""
    try:
        done = init_config(pyproject)
    except ConfigError as error:
        _fail(str(error))
    click.echo(
        {
            "created": f"Created {pyproject} with a [tool.hflint] section",
            "added": f"Added [tool.hflint] to {pyproject}",
            "present": f"{pyproject} already has [tool.hflint]",
        }[done]
    )


def main() -> None:
    cli(prog_name="hflint")


@cli.group(
    "catalog",
    epilog="""\b
Examples:
  hflint catalog show gpt-j
  hflint catalog show xlm_roberta --format json
  hflint catalog sync              (write the installed transformers' catalog for lint to use)
  hflint catalog sync --check      (CI: is lint's catalog that of the installed transformers?)""",
)
def catalog_group() -> None:
    """What hflint knows about transformers' model types (one catalog per transformers version)."""


@catalog_group.command("show")
@click.argument("name")
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    help="pyproject.toml with [tool.hflint.priorities].",
)
@click.option(
    "--format",
    "format_name",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
def catalog_show(name: str, format_name: str, config_path: Path | None) -> None:
    """Show the catalog entry a model name resolves to (any spelling: gpt-j, gpt_j, GPT-J, flan-t5)."""
    try:
        settings = load_settings(config_path, [])
    except ConfigError as error:
        _fail(str(error))
    catalog = _catalog(settings)
    entry = catalog.resolve(name)
    if entry is None:
        close = catalog.suggestions(name)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        _fail(
            f"unknown model {name!r}{hint}; the catalog is that of transformers {catalog.transformers_version}"
        )
    record = {
        "model_type": entry.model_type,
        "aliases": list(catalog.aliases_of(entry.model_type)),
        "family": entry.family,
        "priority": entry.priority,
        "default_task": entry.default_task,
        "tasks": dict(entry.tasks),
        "checkpoint": entry.checkpoint,
        "transformers_version": catalog.transformers_version,
        "catalog": str(choose_catalog(settings.catalog_dir).path),
    }
    if format_name == "json":
        click.echo(json.dumps(record, indent=2))
        return
    width = max(len(key) for key in record)
    for key, value in record.items():
        if key == "tasks":
            value = ", ".join(f"{task} ({auto})" for task, auto in entry.tasks.items()) or "none"
        elif isinstance(value, list):
            value = ", ".join(value)
        click.echo(f"{key.replace('_', ' '):<{width}}  {value if value is not None else '-'}")


@catalog_group.command("sync")
@click.option(
    "--check",
    is_flag=True,
    help="Compare the catalog lint uses with the installed transformers; write nothing; exit 1 if "
    "they differ.",
)
@click.option(
    "--catalog-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Where to write [default: catalog-dir of [tool.hflint], else $HFLINT_CATALOG_DIR, else "
    "~/.cache/hflint/catalogs].",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    help="pyproject.toml with [tool.hflint] catalog-dir.",
)
def catalog_sync(check: bool, catalog_dir: Path | None, config_path: Path | None) -> None:
    """Derive the installed transformers' catalog and write it as `transformers-<version>.json`
    (needs `pip install hflint[exec]`). The installed package is never written to."""
    try:
        settings = load_settings(config_path, [])
    except ConfigError as error:
        _fail(str(error))
    try:
        from hflint.catalog.sync import build_catalog, render

        built = build_catalog()
    except ImportError as error:
        _fail(f"catalog sync needs transformers installed ({error})")
    fresh, installed = render(built), built["transformers_version"]
    directory = catalog_dir or settings.catalog_dir
    if check:
        used = choose_catalog(directory)
        if used.path.read_text(encoding="utf-8") != fresh:
            why = "" if used.version == installed else " (another version)"
            click.echo(
                f"The catalog lint uses is that of transformers {used.version}{why} ({used.path}); "
                f"transformers {installed} is installed: run `hflint catalog sync`",
                err=True,
            )
            sys.exit(EXIT_DIAGNOSTICS)
        click.echo(
            f"The catalog lint uses ({used.path}) matches the installed transformers {installed}."
        )
        return
    from hflint.source import write_atomic

    target = user_catalog_dir(directory) / snapshot_name(installed)
    previous = target.read_text(encoding="utf-8") if target.is_file() else None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, fresh.encode("utf-8"))
    except OSError as error:
        _fail(f"cannot write {target}: {error.strerror or error}")
    state = "new" if previous is None else ("changed" if previous != fresh else "unchanged")
    click.echo(f"Wrote transformers {installed}'s catalog to {target} ({state})")


@cli.command(
    "coverage",
    epilog="""\b
Examples:
  hflint coverage fixed_tests/
  hflint coverage --format markdown fixed_tests/ >> "$GITHUB_STEP_SUMMARY"
  hflint coverage --fail-under critical=100,high=90 fixed_tests/""",
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "--format",
    "format_name",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
)
@click.option(
    "--fail-under",
    default="",
    help="Exit 1 below these percentages: critical=100,high=90 (levels: critical, high, medium, all).",
)
@click.option(
    "-o",
    "--output-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report here.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    help="pyproject.toml to read [tool.hflint] from.",
)
def coverage_command(
    paths: tuple[str, ...],
    format_name: str,
    fail_under: str,
    output_file: Path | None,
    config_path: Path | None,
) -> None:
    """Which model types the suite tests (by priority and family), which it misses, and a roadmap."""
    from hflint.coverage import failures, measure, parse_thresholds, render
    from hflint.runner import display_path

    try:
        settings = load_settings(config_path, [Path(p) for p in paths])
        thresholds = parse_thresholds(fail_under)
    except ConfigError as error:
        _fail(str(error))
    except ValueError as error:
        _fail(f"--fail-under {error}")
    found = discover(paths, settings)
    for missing in found.missing:
        click.echo(f"hflint: error: {missing}: no such file or directory", err=True)
    report = measure(
        found.files, {file: display_path(file) for file in found.files}, _catalog(settings)
    )
    _emit(render(report, format_name), output_file)
    problems = failures(report, thresholds)
    for problem in problems:
        click.echo(f"hflint: {problem}", err=True)
    sys.exit(EXIT_ERROR if found.missing else (EXIT_DIAGNOSTICS if problems else EXIT_CLEAN))


@cli.command(
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
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    help="pyproject.toml to read [tool.hflint] from.",
)
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
) -> None:
    """Write test_hf_<model>.py files from the canonical skeletons, each linted before it is written.

    NAMES are model names in any spelling (gpt-j, gpt_j, GPT-J); each model type gets one file,
    named after the type (test_hf_gptj.py). A file that would not pass every rule is not written,
    and neither is any other: the command then exits 1.
    """
    from hflint.generate import GenerateError, Request, lint_failures, plan, write

    try:
        settings = load_settings(config_path, [output_dir])
    except ConfigError as error:
        _fail(str(error))
    request = Request(names, output_dir, priorities, all_models, missing, force)
    try:
        planned = plan(request, _catalog(settings), settings)
    except GenerateError as error:
        for line in str(error).splitlines():
            click.echo(f"hflint: error: {line}", err=True)
        sys.exit(error.exit_code)
    failures = lint_failures(planned.files)
    if failures:
        _report_generation_failures(failures)
        sys.exit(EXIT_DIAGNOSTICS)
    if not dry_run:
        try:
            write(planned.files, output_dir)
        except GenerateError as error:
            _fail(str(error))
        except OSError as error:
            _fail(f"cannot write to {output_dir}: {error.strerror or error}")
    _report_generation(planned, dry_run=dry_run, quiet=quiet)


def _report_generation_failures(failures: dict[str, list[Diagnostic]]) -> None:
    click.echo(
        f"hflint: error: {len(failures)} generated file{'s' if len(failures) != 1 else ''} "
        "would not pass lint; nothing was written:",
        err=True,
    )
    for path, diagnostics in failures.items():
        for d in diagnostics:
            click.echo(f"  {path}:{d.start.row}:{d.start.column}: {d.code} {d.message}", err=True)


def _report_generation(planned: Plan, *, dry_run: bool, quiet: bool) -> None:
    from hflint.runner import display_path

    for file in planned.files:
        model, kept = file.model, file.kept
        if not quiet:
            verb = _GENERATION_VERBS[dry_run, file.overwrites]
            click.echo(
                f"{verb} {display_path(file.path)} ({model.model_type}: {model.default_task})"
            )
        if kept is not None and kept.problem is not None:
            click.echo(f"hflint: warning: nothing kept of {kept.source}: {kept.problem}", err=True)
        elif kept is not None and not quiet:
            extras = "".join(f", {method.name.value}()" for method in kept.methods)
            click.echo(f"  kept from {kept.source}: model id {kept.model_id or '-'}{extras}")
        for other in file.duplicates:
            click.echo(
                f"hflint: warning: {other} also tests {model.model_type}; remove it (HF502)",
                err=True,
            )
    for skipped in planned.skipped:
        click.echo(
            f"Skipped {skipped.model.model_type}: tested by {', '.join(skipped.existing)} "
            "(--force regenerates it)",
            err=True,
        )
    if quiet:
        return
    count = len(planned.files)
    summary = (
        f"{'Would generate' if dry_run else 'Generated'} {count} file{'s' if count != 1 else ''}"
    )
    if planned.skipped:
        summary += f"; skipped {len(planned.skipped)} that exist"
    click.echo(summary + ".")


# (dry run, overwrites) -> what the listing says of a file.
_GENERATION_VERBS = {
    (False, False): "Wrote",
    (False, True): "Overwrote",
    (True, False): "Would write",
    (True, True): "Would overwrite",
}


from hflint.exec.commands import exec_command, hardware_command  # noqa: E402

cli.add_command(hardware_command)
cli.add_command(exec_command)
