"""`hflint init`: a commented default [tool.hflint] section in pyproject.toml."""

from __future__ import annotations

from pathlib import Path

import click

from hflint.command_support import EXIT_CLEAN, Failure
from hflint.config import ConfigError, init_config


@click.command("init", epilog="\b\nExamples:\n  hflint init\n  hflint init path/to/pyproject.toml")
@click.argument("pyproject", type=click.Path(path_type=Path), default="pyproject.toml")
def init(pyproject: Path) -> int:
    """Add a commented default [tool.hflint] section to pyproject.toml, keeping the rest as it is
    (creating the file when there is none)."""
    try:
        done = init_config(pyproject)
    except ConfigError as problem:
        raise Failure(str(problem)) from None
    click.echo(
        {
            "created": f"Created {pyproject} with a [tool.hflint] section",
            "added": f"Added [tool.hflint] to {pyproject}",
            "present": f"{pyproject} already has [tool.hflint]",
        }[done]
    )
    return EXIT_CLEAN
