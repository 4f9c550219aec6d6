"""`[tool.hflint]` in pyproject.toml: finding it, reading it into Settings, writing a default one.

Keys are kebab-case, as in ruff. Unknown keys and values of the wrong type are errors rather than
warnings: a typo such as `selct` would otherwise silently run every rule.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import Any

from hflint.compat import tomllib
from hflint.config_tables import registered_tables
from hflint.discovery import DEFAULT_EXCLUDE
from hflint.frozen import FrozenMap
from hflint.settings import Settings
from hflint.source import write_atomic

PYPROJECT = "pyproject.toml"
TABLE = "tool.hflint"
DEFAULT_CACHE_DIR = ".hflint_cache"

# Top-level keys of [tool.hflint] with a scalar or list value, each with the comment `hflint init`
# writes above it. The order is the order of the generated section.
_KEY_COMMENTS: dict[str, str] = {
    "include": "Files to check: gitignore-style patterns relative to this file's directory.",
    "exclude": "Files and folders to skip (files named on the command line are still checked).",
    "extend-exclude": "More files to leave out, on top of `exclude`.",
    "respect-gitignore": "Leave out files that .gitignore ignores.",
    "select": "Rule codes or prefixes to enable (`ALL` is every rule, `HF1` is HF101 to HF199).",
    "ignore": "Rule codes or prefixes to disable, even when `select` enables them.",
    "extend-select": "More rule codes or prefixes to enable, on top of `select`.",
    "cache-dir": "Where results are cached, relative to this file's directory.",
}
_STRING_LIST_KEYS = ("include", "exclude", "extend-exclude", "select", "ignore", "extend-select")
# Lists of rule selectors: codes, prefixes, `ALL`, or rule names.
_SELECTOR_KEYS = ("select", "ignore", "extend-select")
# Keys whose default is no value, so `hflint init` writes them as comments.
_OPTIONAL_KEYS = ("catalog-dir",)
# The one sub-table of the core; the others are registered by subsystems (`hflint.config_tables`).
_PER_FILE_IGNORES = "per-file-ignores"
_PER_FILE_IGNORES_EXAMPLE = """\
[tool.hflint.per-file-ignores]
"legacy/test_hf_*.py" = ["HF102"]
"""


class ConfigError(Exception):
    """A configuration problem, with the file and key it concerns.

    `path` is None when the value came from the command line; `key` is None when the problem is the
    file as a whole (missing, unreadable, not TOML). `table` is the TOML table holding `key`.
    """

    def __init__(
        self, path: Path | None, key: str | None, reason: str, *, table: str = TABLE
    ) -> None:
        self.path = path
        self.key = key
        self.reason = reason
        self.table = table
        if path is None:
            message = reason
        elif key is None:
            message = f"{_display(path)}: {reason}"
        else:
            message = f"{_display(path)}: [{table}] {reason}"
        super().__init__(message)


def find_config(paths: Sequence[Path]) -> Path | None:
    """The nearest pyproject.toml with a [tool.hflint] table, walking up from the first path.

    A pyproject.toml without the table is skipped (as ruff does), so a tool-less pyproject in a
    sub-project does not hide the configuration of the repository around it.
    """
    # Lexically normalised, not resolved: `../x` must not leave `..` in the chain of parents, and a
    # symlinked test file belongs to the project it is linked into.
    start = Path(os.path.abspath(paths[0])) if paths else Path.cwd()
    if not start.is_dir():
        start = start.parent
    for directory in (start, *start.parents):
        candidate = directory / PYPROJECT
        if candidate.is_file() and _hflint_table(_read_toml(candidate)) is not None:
            return candidate
    return None


def load_settings(config_path: Path | None, paths: Sequence[Path] = ()) -> Settings:
    """The settings of a run.

    `config_path` is the file given with `--config`: it must exist and hold [tool.hflint]. Without
    it the configuration is discovered from `paths` with `find_config`, and when there is none the
    defaults apply with the current directory as root. Rule codes are not checked here (see
    `validate_codes`): only the command line knows which rules exist.
    """
    path = config_path if config_path is not None else find_config(paths)
    if path is None:
        return Settings(root=Path.cwd())
    raw_table = _hflint_table(_read_toml(path))
    if raw_table is None:
        raise ConfigError(path, None, f"has no [{TABLE}] table")
    table = check_table(raw_table, "hflint", path, "tool")
    root = path.resolve().parent
    values: dict[str, Any] = {}
    tables = {table.name: table for table in registered_tables()}
    subtables: dict[str, FrozenMap] = {}
    for key, value in table.items():
        if key in _SELECTOR_KEYS:
            values[key.replace("-", "_")] = _selectors(string_list(value, key, path))
        elif key in _STRING_LIST_KEYS:
            values[key.replace("-", "_")] = string_list(value, key, path)
        elif key == "respect-gitignore":
            if not isinstance(value, bool):
                raise ConfigError(path, key, _wrong_type(key, "a boolean", value))
            values["respect_gitignore"] = value
        elif key in ("cache-dir", "catalog-dir"):
            if not isinstance(value, str):
                raise ConfigError(path, key, _wrong_type(key, "a string", value))
            values[key.replace("-", "_")] = root / Path(value).expanduser()
        elif key == _PER_FILE_IGNORES:
            values["per_file_ignores"] = _per_file_ignores(value, path)
        elif key in tables:
            subtables[key] = tables[key].validate(check_table(value, key, path), path)
        else:
            known = (*_KEY_COMMENTS, *_OPTIONAL_KEYS, _PER_FILE_IGNORES, *tables)
            raise ConfigError(path, key, f"unknown key {key!r}{suggestion(key, known)}")
    return Settings(root=root, config_path=path, tables=FrozenMap(subtables), **values)


def validate_codes(
    codes: Iterable[str],
    known_codes: Collection[str],
    key: str,
    *,
    known_names: Collection[str] = (),
    path: Path | None = None,
    table: str = TABLE,
) -> None:
    """Reject entries of `codes` that are neither `ALL`, a known code, nor a prefix of one.

    `key` names where the codes came from (`select`, or `--select` with `path` None).
    """
    for code in codes:
        if code == "ALL" or (code and any(known.startswith(code) for known in known_codes)):
            continue
        # A misspelt rule name is suggested a name, a misspelt code a code.
        hint = suggestion(code.upper(), [*known_codes, "ALL"]) or suggestion(code, known_names)
        reason = f"{key!r} has unknown rule code or name {code!r}{hint}"
        raise ConfigError(path, key, reason, table=table)


def init_config(pyproject: Path) -> str:
    """Append a commented default [tool.hflint] section to pyproject.toml, creating the file when
    there is none: `created`, `added`, or `present` (changing nothing: it configures hflint).

    Everything already in the file stays byte-for-byte as it was (the section is appended, with the
    file's own line endings).
    """
    if not pyproject.exists():
        if not pyproject.parent.is_dir():
            raise ConfigError(
                pyproject, None, f"cannot be created: no directory {pyproject.parent}"
            )
        write_atomic(pyproject, default_section().encode())
        return "created"
    original = _read(pyproject)
    if _hflint_table(_parse(pyproject, original)) is not None:
        return "present"
    # A file with any CRLF line is a CRLF file (an editor on Windows wrote it).
    newline = b"\r\n" if b"\r\n" in original else b"\n"
    prefix = original
    if prefix and not prefix.endswith(b"\n"):
        prefix += newline
    if prefix.strip() and not prefix.endswith(newline * 2):
        prefix += newline  # one blank line between the user's content and ours
    section = default_section().replace("\n", newline.decode()).encode()
    updated = prefix + section
    try:
        # An inline `tool = {...}` table cannot be extended by a [tool.hflint] header.
        tomllib.loads(updated.decode())
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(pyproject, None, f"cannot append [{TABLE}]: {error}") from error
    write_atomic(pyproject, updated)
    return "added"


def default_section() -> str:
    """The [tool.hflint] section `hflint init` writes: every key with its default and a comment."""
    import tomlkit  # only `hflint init` needs it; lint start-up should not pay for it

    defaults = Settings(root=Path())
    values: dict[str, object] = {
        key: list(getattr(defaults, key.replace("-", "_"))) for key in _STRING_LIST_KEYS
    }
    # An empty `exclude` means the built-in list; writing that list out shows what it holds.
    exclude = tomlkit.array().multiline(True)
    exclude.extend(DEFAULT_EXCLUDE)
    values["exclude"] = exclude
    values["respect-gitignore"] = defaults.respect_gitignore
    values["cache-dir"] = DEFAULT_CACHE_DIR
    section = tomlkit.table()
    for key, comment in _KEY_COMMENTS.items():
        section.add(tomlkit.comment(comment))
        section.add(key, values[key])
    section.add(
        tomlkit.comment("Where `hflint catalog sync` writes, and lint looks for, the catalog")
    )
    section.add(
        tomlkit.comment("of the installed transformers (default: ~/.cache/hflint/catalogs):")
    )
    section.add(tomlkit.comment('catalog-dir = ".hflint_catalogs"'))
    examples = [
        (
            "Rule codes or prefixes to ignore in files matching a pattern:",
            _PER_FILE_IGNORES_EXAMPLE,
        ),
        *((table.heading, table.example) for table in registered_tables()),
    ]
    for heading, example in examples:
        section.add(tomlkit.nl())
        for line in (heading, *example.splitlines()):
            section.add(tomlkit.comment(line) if line else tomlkit.nl())
    tool = tomlkit.table(is_super_table=True)
    tool.add("hflint", section)
    document = tomlkit.document()
    document.add("tool", tool)
    return document.as_string()


def _read_toml(path: Path) -> dict[str, Any]:
    return _parse(path, _read(path))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(path, None, "file not found") from None
    except OSError as error:
        raise ConfigError(path, None, f"cannot be read: {error.strerror}") from error


def _parse(path: Path, content: bytes) -> dict[str, Any]:
    try:
        data: dict[str, Any] = tomllib.loads(content.decode())
    except UnicodeDecodeError as error:
        raise ConfigError(path, None, f"is not UTF-8: {error}") from error
    except tomllib.TOMLDecodeError as error:
        # tomllib's message ends with "(at line L, column C)".
        raise ConfigError(path, None, f"invalid TOML: {error}") from error
    return data


def _hflint_table(data: dict[str, Any]) -> Any:
    """The value of tool.hflint (whatever its type, so a non-table is reported), or None."""
    tool = data.get("tool")
    return tool.get("hflint") if isinstance(tool, dict) else None


def string_list(value: object, key: str, path: Path, table: str = TABLE) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ConfigError(path, key, _wrong_type(key, "a list of strings", value), table=table)
    for index, item in enumerate(value):
        if not isinstance(item, str):
            reason = f"{key!r} must be a list of strings, item {index} is {_type_name(item)}"
            raise ConfigError(path, key, reason, table=table)
    return tuple(value)


def _per_file_ignores(value: object, path: Path) -> tuple[tuple[str, tuple[str, ...]], ...]:
    patterns = check_table(value, "per-file-ignores", path)
    table = f"{TABLE}.per-file-ignores"
    return tuple(
        (pattern, _selectors(string_list(codes, pattern, path, table)))
        for pattern, codes in patterns.items()
    )


def _selectors(written: Iterable[str]) -> tuple[str, ...]:
    from hflint.rule import canonical_selector  # the rules are loaded only when a config has these

    return tuple(canonical_selector(selector) for selector in written)


def check_table(value: object, key: str, path: Path, table: str = TABLE) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(path, key, _wrong_type(key, "a table", value), table=table)
    return value


def _wrong_type(key: str, expected: str, value: object) -> str:
    return f"{key!r} must be {expected}, got {_type_name(value)}"


def _type_name(value: object) -> str:
    # TOML calls a dict a table; every other value reads well under its Python name.
    return "table" if isinstance(value, dict) else type(value).__name__


def suggestion(word: str, candidates: Iterable[str]) -> str:
    matches = difflib.get_close_matches(word, list(candidates), n=1)
    return f" (did you mean {matches[0]!r}?)" if matches else ""


def _display(path: Path) -> str:
    """`path` relative to the current directory when it lies below it, as ruff prints paths."""
    try:
        return str(path.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
