"""What the commands share: exit codes, the options several take, messages on stderr, writing
output, reading settings.

A command returns its exit code; a problem that ends it early raises `Failure`, which click shows
and exits with (see `hflint.cli`), so that no helper calls `sys.exit`. It lives outside `hflint.cli`
so that `hflint.exec.commands`, which `hflint.cli` imports, can use it without an import cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

import click
from click.decorators import FC

from hflint.catalog import Catalog, catalog_for
from hflint.config import ConfigError, load_settings
from hflint.rule import canonical_selector
from hflint.settings import Settings

EXIT_CLEAN, EXIT_DIAGNOSTICS, EXIT_ERROR = 0, 1, 2


class Failure(click.ClickException):
    """Ends a command with `hflint: error: <message>` on stderr and exit code 2."""

    exit_code = EXIT_ERROR

    def show(self, file: IO[Any] | None = None) -> None:
        error(self.message)


def config_option(what: str) -> Callable[[FC], FC]:
    """`--config FILE`; `what` says what the command reads there ("with [tool.hflint.exec]")."""
    return click.option(
        "--config", "config_path", type=click.Path(path_type=Path), help=f"pyproject.toml {what}."
    )


def format_option(choices: Sequence[str]) -> Callable[[FC], FC]:
    """`--format NAME`, one of `choices`, text by default."""
    return click.option(
        "--format",
        "format_name",
        type=click.Choice(list(choices)),
        default="text",
        show_default=True,
    )


def output_file_option(help_text: str) -> Callable[[FC], FC]:
    """`-o/--output-file FILE`, for the command's output (see `emit`)."""
    return click.option(
        "-o", "--output-file", type=click.Path(dir_okay=False, path_type=Path), help=help_text
    )


def error(message: str) -> None:
    click.echo(f"hflint: error: {message}", err=True)


def warn(message: str) -> None:
    click.echo(f"hflint: warning: {message}", err=True)


def report_missing(missing: Sequence[str]) -> None:
    for path in missing:
        error(f"{path}: no such file or directory")


def emit(text: str, output_file: Path | None) -> None:
    """Print `text`, or write it to `output_file`."""
    if output_file is None:
        click.echo(text, nl=False)
        return
    try:
        output_file.write_text(text, encoding="utf-8")
    except OSError as problem:
        raise Failure(f"cannot write {output_file}: {problem.strerror or problem}") from None


def settings_for(config_path: Path | None, paths: Sequence[Path] = ()) -> Settings:
    try:
        return load_settings(config_path, paths)
    except ConfigError as problem:
        raise Failure(str(problem)) from None


def catalog(settings: Settings) -> Catalog:
    """The run's catalog; says on stderr when it is not that of the installed transformers."""
    return catalog_for(settings, warn=warn)


def codes(values: Sequence[str]) -> tuple[str, ...]:
    """`--select HF1,hf201 --select missing-test-class` -> ("HF1", "HF201", "HF101")."""
    return tuple(
        canonical_selector(code) for value in values for code in value.split(",") if code.strip()
    )
