"""`[tool.hflint]` in pyproject.toml: finding it, reading it into Settings, writing a default one.

Keys are kebab-case, as in ruff. Unknown keys and values of the wrong type are errors rather than
warnings: a typo such as `selct` would otherwise silently run every rule.
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import Any

from hflint.compat import tomllib
from hflint.discovery import DEFAULT_EXCLUDE
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
# Sub-tables. `priorities` and `exec` belong to features that validate their own contents.
_TABLE_KEYS = ("per-file-ignores", "priorities", "exec")
# Keys whose default is no value, so `hflint init` writes them as comments.
_OPTIONAL_KEYS = ("catalog-dir",)
KNOWN_KEYS: tuple[str, ...] = (*_KEY_COMMENTS, *_OPTIONAL_KEYS, *_TABLE_KEYS)


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
    table = _check_table(raw_table, "hflint", path, "tool")
    root = path.resolve().parent
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key in _SELECTOR_KEYS:
            values[key.replace("-", "_")] = _selectors(_string_list(value, key, path))
        elif key in _STRING_LIST_KEYS:
            values[key.replace("-", "_")] = _string_list(value, key, path)
        elif key == "respect-gitignore":
            if not isinstance(value, bool):
                raise ConfigError(path, key, _wrong_type(key, "a boolean", value))
            values["respect_gitignore"] = value
        elif key in ("cache-dir", "catalog-dir"):
            if not isinstance(value, str):
                raise ConfigError(path, key, _wrong_type(key, "a string", value))
            values[key.replace("-", "_")] = root / Path(value).expanduser()
        elif key == "per-file-ignores":
            values["per_file_ignores"] = _per_file_ignores(value, path)
        elif key == "priorities":
            values["priorities"] = _priorities(value, path)
        elif key == "exec":
            values["exec_options"] = _exec_options(value, path)
        elif key in _TABLE_KEYS:
            _check_table(value, key, path)
        else:
            raise ConfigError(path, key, f"unknown key {key!r}{_suggestion(key, KNOWN_KEYS)}")
    return Settings(root=root, config_path=path, **values)


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
        hint = _suggestion(code.upper(), [*known_codes, "ALL"]) or _suggestion(code, known_names)
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

    from hflint.exec.options import EXAMPLE as EXEC_EXAMPLE

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
    section.add(tomlkit.nl())
    section.add(tomlkit.comment("Rule codes or prefixes to ignore in files matching a pattern:"))
    section.add(tomlkit.comment("[tool.hflint.per-file-ignores]"))
    section.add(tomlkit.comment('"legacy/test_hf_*.py" = ["HF102"]'))
    section.add(tomlkit.nl())
    section.add(tomlkit.comment("Model priorities for coverage (default: hflint's own table):"))
    section.add(tomlkit.comment("[tool.hflint.priorities]"))
    section.add(tomlkit.comment('critical = ["bert", "gpt2", "t5", "vit", "whisper"]'))
    section.add(tomlkit.comment('high = ["gpt-j", "flan-t5"]'))
    section.add(tomlkit.nl())
    section.add(
        tomlkit.comment("hflint exec: defaults and per-device settings (these are examples):")
    )
    for line in EXEC_EXAMPLE.splitlines():
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


def _string_list(value: object, key: str, path: Path, table: str = TABLE) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ConfigError(path, key, _wrong_type(key, "a list of strings", value), table=table)
    for index, item in enumerate(value):
        if not isinstance(item, str):
            reason = f"{key!r} must be a list of strings, item {index} is {_type_name(item)}"
            raise ConfigError(path, key, reason, table=table)
    return tuple(value)


def _per_file_ignores(value: object, path: Path) -> tuple[tuple[str, tuple[str, ...]], ...]:
    patterns = _check_table(value, "per-file-ignores", path)
    table = f"{TABLE}.per-file-ignores"
    return tuple(
        (pattern, _selectors(_string_list(codes, pattern, path, table)))
        for pattern, codes in patterns.items()
    )


def _selectors(written: Iterable[str]) -> tuple[str, ...]:
    from hflint.rule import canonical_selector  # the rules are loaded only when a config has these

    return tuple(canonical_selector(selector) for selector in written)


PRIORITY_SECTIONS = ("critical", "high", "tracked")


def _priorities(value: object, path: Path) -> str:
    """`[tool.hflint.priorities]`, shaped as hflint's own priorities file (`critical`, `high` and
    `tracked`, each family -> model names, or simply a list of names), checked against the
    catalog; kept as canonical JSON."""
    from hflint.catalog import load_catalog

    table = dict(_check_table(value, "priorities", path))
    catalog = load_catalog()
    where = f"{TABLE}.priorities"
    for section, families in table.items():
        if section not in PRIORITY_SECTIONS:
            hint = _suggestion(section, PRIORITY_SECTIONS)
            raise ConfigError(path, section, f"unknown key {section!r}{hint}", table=where)
        if isinstance(families, list):  # `critical = ["bert", "gpt2"]`: one unnamed family
            families = table[section] = {"models": families}
        for family, names in _check_table(families, section, path, where).items():
            for name in _string_list(names, family, path, f"{where}.{section}"):
                if catalog.resolve(name) is None:
                    close = catalog.suggestions(name)
                    hint = f" (did you mean {', '.join(close)}?)" if close else ""
                    reason = f"{family!r} names unknown model {name!r}{hint}"
                    raise ConfigError(path, family, reason, table=f"{where}.{section}")
    return json.dumps(table, sort_keys=True)


def _exec_options(value: object, path: Path) -> str:
    """`[tool.hflint.exec]`, checked by `hflint.exec.options` (which imports neither torch nor
    transformers); kept as canonical JSON."""
    from hflint.exec.options import ExecOptionError, validate_exec_table

    try:
        checked = validate_exec_table(_check_table(value, "exec", path))
    except ExecOptionError as error:
        raise ConfigError(
            path, error.key, error.reason, table=f"{TABLE}.exec{error.subtable}"
        ) from None
    return json.dumps(checked, sort_keys=True)


def _check_table(value: object, key: str, path: Path, table: str = TABLE) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(path, key, _wrong_type(key, "a table", value), table=table)
    return value


def _wrong_type(key: str, expected: str, value: object) -> str:
    return f"{key!r} must be {expected}, got {_type_name(value)}"


def _type_name(value: object) -> str:
    # TOML calls a dict a table; every other value reads well under its Python name.
    return "table" if isinstance(value, dict) else type(value).__name__


def _suggestion(word: str, candidates: Iterable[str]) -> str:
    matches = difflib.get_close_matches(word, list(candidates), n=1)
    return f" (did you mean {matches[0]!r}?)" if matches else ""


def _display(path: Path) -> str:
    """`path` relative to the current directory when it lies below it, as ruff prints paths."""
    try:
        return str(path.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
