"""`hflint report`: lint, coverage and (with --exec) execution of a suite in one report, written as
summary.md, report.json and report.html; `hflint report merge` combines the results of many
workers into one."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import click

from hflint.command_support import (
    EXIT_CLEAN,
    EXIT_ERROR,
    Failure,
    catalog,
    config_option,
    report_missing,
    settings_for,
    warn,
)
from hflint.discovery import discover, suite_id
from hflint.exec.commands import exec_command
from hflint.report.document import ReportError

# The options of `hflint exec` that `hflint report --exec` passes through as they are.
EXEC_OPTIONS = (
    "device",
    "model_source",
    "sample",
    "seed",
    "changed_since",
    "jobs",
    "timeout",
    "memory_cap",
    "dtype",
    "no_lint_gate",
    "backend",
    "address",
)
REPORT_FILES = ("summary.md", "report.json", "report.html")


class ReportGroup(click.Group):
    """`hflint report PATHS` runs `hflint report build PATHS`; `merge` is the other command."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h")):
            args = ["build", *args]
        return super().parse_args(ctx, args)


@click.group(
    "report",
    cls=ReportGroup,
    epilog="""\b
Examples:
  hflint report fixed_tests/ -o report/
  hflint report fixed_tests/ --exec --device cpu -o report/ --history history.sqlite
  hflint report fixed_tests/ --exec --shard 2/4 -o shard-2/      (one job of a CI matrix)
  hflint report merge shard-*/report.json -o report/
  cat report/summary.md >> "$GITHUB_STEP_SUMMARY\"""",
)
def report_group() -> None:
    """One report of a suite's health: `hflint report [build] PATHS -o DIR`, `hflint report merge`."""


output_dir_option = click.option(
    "-o",
    "--output-dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Write summary.md, report.json and report.html here (made if missing).",
)
history_option = click.option(
    "--history",
    "history_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Append the report to this history store (SQLite) and draw its trends.",
)


@report_group.command("build")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@output_dir_option
@click.option(
    "--exec", "run_exec", is_flag=True, help="Run the files too (`hflint exec`'s options)."
)
@click.option("--shard", help="Report on shard K of N (K/N) only, as `hflint exec --shard`.")
@history_option
@config_option("to read [tool.hflint] from")
@click.option("--no-cache", is_flag=True, help="Lint without .hflint_cache/.")
@click.pass_context
def build_command(
    ctx: click.Context,
    /,
    paths: tuple[str, ...],
    output_dir: Path,
    run_exec: bool,
    shard: str | None,
    history_path: Path | None,
    config_path: Path | None,
    no_cache: bool,
    **exec_options: Any,
) -> int:
    """Lint, coverage and, with --exec, execution of PATHS, written to DIR.

    Exit status: 0 when the report is written (whatever it found), 2 when it cannot be (a bad
    path, flag or config, an exec backend that failed, a history store that cannot be written).
    """
    from hflint.coverage import measure
    from hflint.exec import selection
    from hflint.report.document import (
        assemble,
        coverage_entry,
        diagnostic_entries,
        exec_run,
        header,
        now,
    )
    from hflint.runner import RunOptions, display_path, run

    settings = settings_for(config_path, [Path(p) for p in paths])
    if not run_exec:
        given = [name for name in EXEC_OPTIONS if _given(ctx, name)]
        if given:
            raise Failure(f"--{given[0].replace('_', '-')} is an option of --exec, which is not on")
    try:
        shard_spec = selection.parse_shard(shard) if shard else None
    except selection.SelectionError as problem:
        raise Failure(str(problem)) from None
    chosen_catalog = catalog(settings)
    found = discover(paths, settings)
    report_missing(found.missing)
    if found.missing:
        return EXIT_ERROR
    files = [
        f
        for f in found.files
        if shard_spec is None or selection.in_shard(f, settings.root, shard_spec)
    ]
    status = EXIT_CLEAN
    with _stages(["lint", "coverage", *(["exec"] if run_exec else []), "write"]) as stage:
        stage("lint")
        # The whole suite is linted, whatever the shard: rules that see every file (duplicates)
        # must find the same problems in a shard as in the unsharded run.
        outcomes = run(found.files, RunOptions(settings=settings, use_cache=not no_cache))
        display = {file: display_path(file) for file in files}
        shown = set(display.values())
        diagnostics = sorted(
            (d for o in outcomes for d in o.diagnostics if d.path in shown),
            key=lambda d: d.sort_key,
        )
        for outcome in outcomes:
            for message in outcome.messages:
                warn(message)
        stage("coverage")
        coverage = measure(files, display, chosen_catalog)
        runs: list[dict[str, Any]] | None = None
        records: list[dict[str, Any]] = []
        if run_exec:
            stage("exec")
            result, status = _exec(ctx, paths, shard, config_path, no_cache, exec_options)
            run_facts, records = exec_run(result, "hflint exec")
            runs = [run_facts]
        stage("write")
        model_of = {path: model for model, tested in coverage.tested.items() for path in tested}
        per_file = {path: 0 for path in display.values()}
        for diagnostic in diagnostics:
            per_file[diagnostic.path] = per_file.get(diagnostic.path, 0) + 1
        report = assemble(
            header(
                (settings.root.name, suite_id(found.files, settings.root)),
                chosen_catalog.transformers_version,
                [shard] if shard else [],
                now(),
            ),
            [
                {
                    "path": path,
                    "model_type": model_of.get(path),
                    "parses": path not in coverage.broken,
                    "diagnostics": count,
                }
                for path, count in per_file.items()
            ],
            diagnostic_entries(diagnostics),
            coverage_entry(coverage),
            runs,
            records,
        )
        write_report(report, output_dir, history_path)
    return status


def _given(ctx: click.Context, name: str) -> bool:
    source = ctx.get_parameter_source(name)
    return source is not None and source.name == "COMMANDLINE"


def _exec(
    ctx: click.Context,
    paths: Sequence[str],
    shard: str | None,
    config_path: Path | None,
    no_cache: bool,
    options: Mapping[str, Any],
) -> tuple[dict[str, Any], int]:
    """Run `hflint exec` with the report's options; its JSON output and exit status (2 when its
    backend failed, which the report says; 1, files that failed, is the report's to show)."""
    with tempfile.TemporaryDirectory(prefix="hflint-report-") as scratch:
        output = Path(scratch) / "exec.json"
        code = ctx.invoke(
            exec_command,
            paths=tuple(paths),
            shard=shard,
            format_name="json",
            output_file=output,
            config_path=config_path,
            no_cache=no_cache,
            **options,
        )
        result: dict[str, Any] = json.loads(output.read_text(encoding="utf-8"))
    return result, EXIT_ERROR if code == EXIT_ERROR else EXIT_CLEAN


def write_report(report: Mapping[str, Any], directory: Path, history_path: Path | None) -> None:
    """Write the three files (and append to the history first, so that its trends are drawn)."""
    from hflint.report import history, html, markdown
    from hflint.source import write_atomic

    trends: Mapping[str, Any] | None = None
    changes: list[str] = []
    if history_path is not None:
        from hflint.report import history

        try:
            with history.open_store(history_path) as store:
                store.append(report)
                trends = store.trends()
        except history.HistoryError as problem:
            raise Failure(str(problem)) from None
        changes = trends["worse"]
    texts = {
        "summary.md": markdown.render(report, changes),
        "report.json": json.dumps(report, indent=2, ensure_ascii=False) + "\n",
        "report.html": html.render(report, trends),
    }
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for name in REPORT_FILES:
            path = directory / name
            new = not path.exists()
            write_atomic(path, texts[name].encode("utf-8"), durable=False)
            if new:  # a temporary file's 0600 would hide the report from a web server or a CI cache
                path.chmod(0o666 & ~_umask())
    except OSError as problem:
        raise Failure(
            f"cannot write the report to {directory}: {problem.strerror or problem}"
        ) from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def _stages(names: Sequence[str]) -> Iterator[Any]:
    """A progress bar over the report's stages on stderr when it is a terminal; else nothing."""
    if not sys.stderr.isatty():
        yield lambda name: None
        return
    with click.progressbar(
        length=len(names), label="hflint report", file=sys.stderr, show_pos=True
    ) as bar:
        started = [False]

        def stage(name: str) -> None:
            if started[0]:
                bar.update(1)
            started[0] = True
            bar.label = f"hflint report: {name}"
            bar.render_progress()

        yield stage
        bar.update(1)


@report_group.command("merge")
@click.argument("results", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@output_dir_option
@history_option
def merge_command(results: tuple[Path, ...], output_dir: Path, history_path: Path | None) -> int:
    """Combine report.json files (of `hflint report --shard`) and `hflint exec --format json`
    results (sharded CI jobs, Ray runs, other devices) into one report in DIR.

    Exit status: 0 when the report is written, 2 when the results cannot be combined (a file that
    is neither, different hflint or transformers versions, different suites).
    """
    from hflint.report.merge import merge

    try:
        report, notes = merge(results)
    except ReportError as problem:
        raise Failure(str(problem)) from None
    for note in notes:
        warn(note)
    write_report(report, output_dir, history_path)
    return EXIT_CLEAN


for _param in exec_command.params:
    if _param.name in EXEC_OPTIONS:
        build_command.params.append(_param)
