"""Which files a run checks: include/exclude patterns, .gitignore, and files named explicitly."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pathspec

from hflint.settings import Settings

# Never worth descending into, as ruff's defaults; `exclude` in config replaces this list.
DEFAULT_EXCLUDE: tuple[str, ...] = (
    ".git",
    ".hg",
    ".svn",
    ".hflint_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".tox",
    ".nox",
    ".venv",
    "venv",
    "__pycache__",
    "node_modules",
    "build",
    "dist",
    "site-packages",
)


@dataclass(frozen=True)
class Discovery:
    files: tuple[Path, ...]
    missing: tuple[str, ...]  # command-line paths that do not exist


def discover(paths: Sequence[str], settings: Settings) -> Discovery:
    include = pathspec.GitIgnoreSpec.from_lines(settings.include)
    exclude = pathspec.GitIgnoreSpec.from_lines(
        (*(settings.exclude or DEFAULT_EXCLUDE), *settings.extend_exclude)
    )
    # Keyed by absolute path: `hflint $PWD test_hf_x.py` must check (and fix) the file once.
    found: dict[str, Path] = {}
    missing: list[str] = []
    for raw in paths or ["."]:
        path = Path(raw)
        if path.is_file():
            found.setdefault(os.path.abspath(path), path)  # named: always checked
        elif path.is_dir():
            for file in _walk(path, settings, include, exclude):
                found.setdefault(os.path.abspath(file), file)
        else:
            missing.append(raw)
    files = sorted(found.values(), key=lambda p: p.as_posix())
    return Discovery(files=tuple(files), missing=tuple(missing))


def _walk(
    top: Path, settings: Settings, include: pathspec.PathSpec[Any], exclude: pathspec.PathSpec[Any]
) -> Iterator[Path]:
    ignores: list[tuple[Path, pathspec.PathSpec[Any]]] = []
    if settings.respect_gitignore:
        ignores = _gitignores_above(top)
    for directory, subdirectories, filenames in os.walk(top):
        here = Path(directory)
        if settings.respect_gitignore and (here / ".gitignore").is_file():
            ignores.append((here, _read_gitignore(here / ".gitignore")))
        subdirectories[:] = sorted(
            name
            for name in subdirectories
            if not _excluded(here / name, settings.root, exclude, ignores, directory=True)
        )
        for name in sorted(filenames):
            file = here / name
            if _matches(include, file, settings.root) and not _excluded(
                file, settings.root, exclude, ignores, directory=False
            ):
                yield file


def relative_path(path: Path, base: Path) -> str | None:
    """`path` relative to `base`, by the names given (a link is not followed) or else by where both
    really are (a configuration root is resolved)."""
    for candidate, anchor in (
        (Path(os.path.abspath(path)), Path(os.path.abspath(base))),
        (path.resolve(), base.resolve()),
    ):
        try:
            return candidate.relative_to(anchor).as_posix()
        except ValueError:
            continue
    return None


def _matches(spec: pathspec.PathSpec[Any], path: Path, root: Path) -> bool:
    relative = relative_path(path, root) or path.as_posix()
    return bool(spec.match_file(relative))


def _excluded(
    path: Path,
    root: Path,
    exclude: pathspec.PathSpec[Any],
    ignores: list[tuple[Path, pathspec.PathSpec[Any]]],
    *,
    directory: bool,
) -> bool:
    suffix = "/" if directory else ""
    if exclude.match_file(
        (relative_path(path, root) or path.as_posix()) + suffix
    ) or exclude.match_file(path.name + suffix):
        return True
    for base, spec in ignores:
        relative = relative_path(path, base)
        if relative is not None and spec.match_file(relative + suffix):
            return True
    return False


def _gitignores_above(top: Path) -> list[tuple[Path, pathspec.PathSpec[Any]]]:
    """.gitignore files of the enclosing repository, from its root down to (not including) `top`."""
    ignores = []
    for directory in reversed(top.resolve().parents):
        candidate = directory / ".gitignore"
        if candidate.is_file():
            ignores.append((directory, _read_gitignore(candidate)))
        if (directory / ".git").exists():
            ignores = [(directory, _read_gitignore(candidate))] if candidate.is_file() else []
    return ignores


def _read_gitignore(path: Path) -> pathspec.PathSpec[Any]:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    return pathspec.GitIgnoreSpec.from_lines(lines)


def suite_id(files: Sequence[Path], root: Path) -> str:
    """What tells one suite from another, wherever it is checked out: a digest of its files' paths
    relative to the project root (the CI jobs of one commit agree; a file added makes another)."""
    names = sorted(relative_path(file, root) or file.as_posix() for file in files)
    return hashlib.sha256("\n".join(names).encode("utf-8")).hexdigest()[:16]
