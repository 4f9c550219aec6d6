"""Output formatters, one module per format.

Each format module registers a `render(report) -> str` function under its public name with
`@register_format("name")`. The modules are imported lazily, on the first call to `render` or
`format_names`, by walking this package: adding a format means adding a module, and neither the
CLI nor this file ever names one.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from hflint.diagnostics import Diagnostic, RuleInfo

__all__ = [
    "Renderer",
    "RunReport",
    "format_names",
    "register_format",
    "render",
]


@dataclass(frozen=True)
class RunReport:
    """Everything a formatter may use; formatters must not look anything else up."""

    # Already sorted by (path, row, column, code): formatters keep this order.
    diagnostics: tuple[Diagnostic, ...]
    # Display paths of every file checked, clean or not (JUnit lists clean files as passing).
    checked_files: tuple[str, ...]
    # Every known rule by code, not only those that fired (SARIF describes them all).
    rules: Mapping[str, RuleInfo]
    # Whether to mark diagnostics whose fix `--fix` would apply with `[*]`.
    show_fix_status: bool
    # Whether `--unsafe-fixes` is on, which makes unsafe fixes applicable too.
    unsafe_fixes: bool
    tool_version: str


Renderer = Callable[[RunReport], str]

_FORMATS: dict[str, Renderer] = {}


def register_format(name: str) -> Callable[[Renderer], Renderer]:
    """Register the decorated function as the renderer of the output format `name`."""

    def decorator(renderer: Renderer) -> Renderer:
        # Two modules claiming one name is a programming error that would otherwise silently
        # depend on import order.
        if name in _FORMATS:
            raise ValueError(f"output format {name!r} is registered twice")
        _FORMATS[name] = renderer
        return renderer

    return decorator


@functools.cache
def _load_formats() -> None:
    # Importing a module runs its `@register_format` decorators; cached so it happens once.
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


def format_names() -> tuple[str, ...]:
    """The names of all output formats, sorted."""
    _load_formats()
    return tuple(sorted(_FORMATS))


def render(format_name: str, report: RunReport) -> str:
    """Render `report` in the output format `format_name`."""
    _load_formats()
    try:
        renderer = _FORMATS[format_name]
    except KeyError:
        choices = ", ".join(format_names())
        raise ValueError(f"unknown output format {format_name!r} (choose from {choices})") from None
    return renderer(report)
