"""The `hflint` command line. `hflint PATHS` is `hflint check PATHS`, as with ruff.

Each command lives in its own module and returns its exit code; the group's result callback is the
one place that exits with it (so `CliRunner().invoke(cli, ...)` sees the same code as a shell).
"""

from __future__ import annotations

import click

# The subsystems' config tables, registered before any configuration is read (and in the order
# `hflint init` shows their examples); neither module imports torch or transformers.
import hflint.catalog.priorities
import hflint.exec.options  # noqa: F401  (imported for its registration)
from hflint import __version__
from hflint.cli.catalog import catalog_group
from hflint.cli.check import check
from hflint.cli.coverage import coverage_command
from hflint.cli.generate import generate_command
from hflint.cli.history import history_command
from hflint.cli.init import init
from hflint.cli.report import report_group
from hflint.cli.rules import explain_rule, list_rules
from hflint.exec.commands import exec_command, hardware_command

__all__ = ["cli", "main"]


class DefaultCommandGroup(click.Group):
    """Runs `check` when the first argument is not a subcommand (`hflint --fix tests/`)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (
            args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")
        ):
            args = ["check", *args]
        return super().parse_args(ctx, args)


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


@cli.result_callback()
@click.pass_context
def _exit_with(ctx: click.Context, code: int | None) -> None:
    """Exit with the code the command returned (None, from a command that exits itself: 0)."""
    if code:
        ctx.exit(code)


for command in (
    check,
    list_rules,
    explain_rule,
    init,
    catalog_group,
    coverage_command,
    generate_command,
    hardware_command,
    exec_command,
    report_group,
    history_command,
):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="hflint")
