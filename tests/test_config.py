"""Config discovery, loading, validation and `hflint init`, on real files in tmp_path."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest
import tomlkit

# What the command line imports first: the subsystems' config tables register themselves.
import hflint.catalog.priorities
import hflint.exec.options  # noqa: F401
from hflint.config import (
    ConfigError,
    default_section,
    find_config,
    init_config,
    load_settings,
    validate_codes,
)
from hflint.discovery import DEFAULT_EXCLUDE
from hflint.exec.options import exec_table
from hflint.frozen import freeze
from hflint.settings import Settings

HFLINT_TABLE = '[tool.hflint]\nselect = ["HF1"]\n'


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def error_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> ConfigError:
    """What loading `text` as ./pyproject.toml raises (cwd is tmp_path, so paths print short)."""
    monkeypatch.chdir(tmp_path)
    config = write(tmp_path / "pyproject.toml", text)
    with pytest.raises(ConfigError) as caught:
        load_settings(config)
    return caught.value


# --- discovery ---------------------------------------------------------------------------------


def test_find_config_walks_up_from_a_file(tmp_path: Path) -> None:
    config = write(tmp_path / "pyproject.toml", HFLINT_TABLE)
    test_file = write(tmp_path / "a" / "b" / "test_hf_bert.py", "")
    assert find_config([test_file]) == config
    assert find_config([test_file.parent]) == config


def test_find_config_starts_at_a_path_that_does_not_exist_yet(tmp_path: Path) -> None:
    config = write(tmp_path / "pyproject.toml", HFLINT_TABLE)
    assert find_config([tmp_path / "new" / "test_hf_bert.py"]) == config


def test_find_config_walks_up_from_a_relative_path_with_dotdot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write(tmp_path / "project" / "pyproject.toml", HFLINT_TABLE)
    write(tmp_path / "elsewhere" / "pyproject.toml", HFLINT_TABLE)
    write(tmp_path / "project" / "tests" / "test_hf_bert.py", "")
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert find_config([Path("../project/tests/test_hf_bert.py")]) == config


def test_find_config_uses_the_first_path_only(tmp_path: Path) -> None:
    first = write(tmp_path / "one" / "pyproject.toml", HFLINT_TABLE)
    write(tmp_path / "two" / "pyproject.toml", HFLINT_TABLE)
    assert find_config([first.parent, tmp_path / "two"]) == first


def test_find_config_skips_a_pyproject_without_the_table(tmp_path: Path) -> None:
    config = write(tmp_path / "pyproject.toml", HFLINT_TABLE)
    write(tmp_path / "sub" / "pyproject.toml", '[project]\nname = "sub"\n[tool.ruff]\n')
    assert find_config([tmp_path / "sub"]) == config


def test_find_config_starts_at_cwd_without_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write(tmp_path / "pyproject.toml", HFLINT_TABLE)
    (tmp_path / "deep").mkdir()
    monkeypatch.chdir(tmp_path / "deep")
    assert find_config([]) == config


def test_find_config_finds_nothing(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.black]\n")
    assert find_config([tmp_path]) is None


def test_find_config_reports_a_broken_pyproject_on_the_way(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        find_config([tmp_path])


# --- loading -----------------------------------------------------------------------------------


def test_load_settings_reads_every_key(tmp_path: Path) -> None:
    config = write(
        tmp_path / "pyproject.toml",
        """\
[project]
name = "suite"

[tool.hflint]
include = ["tests/**/test_hf_*.py"]
exclude = ["legacy/"]
extend-exclude = ["generated/"]
respect-gitignore = false
select = ["HF1"]
ignore = ["HF105"]
extend-select = ["HF001"]
cache-dir = "build/hflint-cache"

[tool.hflint.per-file-ignores]
"tests/vision/*.py" = ["HF103", "HF104"]
"tests/test_hf_t5.py" = ["HF102"]

[tool.hflint.priorities]
critical = ["bert"]

[tool.hflint.exec]
timeout = 60
""",
    )
    settings = load_settings(config)
    assert settings == Settings(
        root=tmp_path.resolve(),
        config_path=config,
        include=("tests/**/test_hf_*.py",),
        exclude=("legacy/",),
        extend_exclude=("generated/",),
        respect_gitignore=False,
        select=("HF1",),
        ignore=("HF105",),
        extend_select=("HF001",),
        per_file_ignores=(
            ("tests/vision/*.py", ("HF103", "HF104")),
            ("tests/test_hf_t5.py", ("HF102",)),
        ),
        cache_dir=tmp_path.resolve() / "build" / "hflint-cache",
        tables=freeze(
            {"priorities": {"critical": {"models": ["bert"]}}, "exec": {"timeout": 60.0}}
        ),
    )


def test_load_settings_keeps_defaults_for_missing_keys(tmp_path: Path) -> None:
    config = write(tmp_path / "pyproject.toml", "[tool.hflint]\n")
    assert load_settings(config) == Settings(root=tmp_path.resolve(), config_path=config)


def test_load_settings_discovers_the_config_from_paths(tmp_path: Path) -> None:
    config = write(tmp_path / "pyproject.toml", HFLINT_TABLE)
    settings = load_settings(None, [write(tmp_path / "tests" / "test_hf_bert.py", "")])
    assert settings.config_path == config
    assert settings.root == tmp_path.resolve()
    assert settings.select == ("HF1",)


def test_load_settings_without_config_uses_defaults_at_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_settings(None) == Settings(root=Path.cwd())


def test_explicit_config_that_does_not_exist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as caught:
        load_settings(Path("missing.toml"))
    assert str(caught.value) == "missing.toml: file not found"
    assert caught.value.key is None


def test_explicit_config_without_the_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    error = error_for(tmp_path, monkeypatch, "[tool.ruff]\nline-length = 100\n")
    assert str(error) == "pyproject.toml: has no [tool.hflint] table"


def test_unknown_key_suggests_the_closest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    error = error_for(tmp_path, monkeypatch, '[tool.hflint]\nselct = ["HF1"]\n')
    assert (
        str(error) == "pyproject.toml: [tool.hflint] unknown key 'selct' (did you mean 'select'?)"
    )
    assert (error.key, error.table) == ("selct", "tool.hflint")


def test_unknown_key_without_a_close_match(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    error = error_for(tmp_path, monkeypatch, "[tool.hflint]\nwhatever = 1\n")
    assert str(error) == "pyproject.toml: [tool.hflint] unknown key 'whatever'"


@pytest.mark.parametrize(
    ("body", "key", "message"),
    [
        (
            "[tool.hflint]\nselect = 1",
            "select",
            "[tool.hflint] 'select' must be a list of strings, got int",
        ),
        (
            '[tool.hflint]\ninclude = "**/test_hf_*.py"',
            "include",
            "[tool.hflint] 'include' must be a list of strings, got str",
        ),
        (
            '[tool.hflint]\nignore = ["HF101", 2]',
            "ignore",
            "[tool.hflint] 'ignore' must be a list of strings, item 1 is int",
        ),
        (
            '[tool.hflint]\nrespect-gitignore = "yes"',
            "respect-gitignore",
            "[tool.hflint] 'respect-gitignore' must be a boolean, got str",
        ),
        (
            "[tool.hflint]\ncache-dir = false",
            "cache-dir",
            "[tool.hflint] 'cache-dir' must be a string, got bool",
        ),
        (
            "[tool.hflint]\nper-file-ignores = []",
            "per-file-ignores",
            "[tool.hflint] 'per-file-ignores' must be a table, got list",
        ),
        (
            '[tool.hflint.per-file-ignores]\n"tests/*.py" = "HF101"',
            "tests/*.py",
            "[tool.hflint.per-file-ignores] 'tests/*.py' must be a list of strings, got str",
        ),
        (
            "[tool.hflint]\npriorities = 3.5",
            "priorities",
            "[tool.hflint] 'priorities' must be a table, got float",
        ),
        (
            "[tool.hflint]\nexec = [{timeout = 1}]",
            "exec",
            "[tool.hflint] 'exec' must be a table, got list",
        ),
        ("[tool]\nhflint = 1", "hflint", "[tool] 'hflint' must be a table, got int"),
    ],
)
def test_values_of_the_wrong_type(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, key: str, message: str
) -> None:
    error = error_for(tmp_path, monkeypatch, body + "\n")
    assert str(error) == f"pyproject.toml: {message}"
    assert error.key == key


def test_toml_syntax_error_names_file_line_and_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    error = error_for(tmp_path, monkeypatch, '[tool.hflint]\nselect = ["HF1"\nignore = []\n')
    assert str(error).startswith("pyproject.toml: invalid TOML: ")
    assert "(at line 3, column 1)" in str(error)


def test_config_that_is_not_utf8(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_bytes(b"[tool.hflint]\n# caf\xe9\n")
    with pytest.raises(ConfigError, match=r"^pyproject.toml: is not UTF-8"):
        load_settings(tmp_path / "pyproject.toml")


def test_error_outside_cwd_shows_the_path_as_given(tmp_path: Path) -> None:
    config = write(tmp_path / "pyproject.toml", "[tool.hflint]\nselect = 1\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(config)
    assert str(caught.value).startswith(f"{config}: [tool.hflint] 'select'")


# --- rule codes --------------------------------------------------------------------------------

KNOWN = ("HF001", "HF101", "HF102", "HF103", "HF201")


@pytest.mark.parametrize("code", ["ALL", "HF", "HF1", "HF10", "HF102", "HF0", "HF20"])
def test_validate_codes_accepts_codes_prefixes_and_all(code: str) -> None:
    validate_codes([code], KNOWN, "select")


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("HF1O1", "'select' has unknown rule code or name 'HF1O1' (did you mean 'HF101'?)"),
        ("HF999", "'select' has unknown rule code or name 'HF999'"),
        ("hf102", "'select' has unknown rule code or name 'hf102' (did you mean 'HF102'?)"),
        ("all", "'select' has unknown rule code or name 'all' (did you mean 'ALL'?)"),
        ("E501", "'select' has unknown rule code or name 'E501'"),
        ("", "'select' has unknown rule code or name ''"),
    ],
)
def test_validate_codes_rejects_others_with_a_suggestion(code: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        validate_codes(["HF1", code], KNOWN, "select")
    assert str(caught.value) == message
    assert caught.value.path is None


def test_validate_codes_names_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as caught:
        validate_codes(
            ["HF999"],
            KNOWN,
            "legacy/*.py",
            path=Path("pyproject.toml"),
            table="tool.hflint.per-file-ignores",
        )
    assert str(caught.value) == (
        "pyproject.toml: [tool.hflint.per-file-ignores] 'legacy/*.py' has unknown rule code or name 'HF999'"
    )


# --- hflint init -------------------------------------------------------------------------------

ODD_PYPROJECT = (
    "# A hand-formatted file: comments, odd spacing, inline tables, arrays of tables.\n"
    "[project]\n"
    'name   =   "suite"    # trailing comment\n'
    "dependencies = [\n"
    '    "torch",   # indented comment\n'
    "\n"
    "]\n"
    "\t\n"
    "[tool.ruff]\n"
    'lint = { select = [ "E" ,"F" ] }   \n'
    "[[tool.mypy.overrides]]\n"
    'module = ["a.*"]\n'
    "# the end, no trailing newline"
)


def initialised(path: Path, content: bytes) -> bytes:
    path.write_bytes(content)
    assert init_config(path) == "added"
    return path.read_bytes()


def load(content: bytes | str) -> dict[str, Any]:
    text = content.decode() if isinstance(content, bytes) else content
    data: dict[str, Any] = tomlkit.parse(text).unwrap()
    return data


def assert_section_added(original: bytes, updated: bytes) -> None:
    assert updated.startswith(original)
    before, after = load(original), load(updated)
    assert after["tool"].pop("hflint") == load(default_section())["tool"]["hflint"]
    assert after == before


def test_init_keeps_the_original_bytes_as_a_prefix(tmp_path: Path) -> None:
    original = ODD_PYPROJECT.encode()
    updated = initialised(tmp_path / "pyproject.toml", original)
    assert_section_added(original, updated)
    assert updated[len(original) :].startswith(b"\n\n[tool.hflint]\n# ")
    assert updated.endswith(b"# timeout = 600\n")
    data = load(updated)
    assert data["tool"]["ruff"] == {"lint": {"select": ["E", "F"]}}
    assert data["tool"]["mypy"] == {"overrides": [{"module": ["a.*"]}]}


def test_init_keeps_crlf(tmp_path: Path) -> None:
    original = (ODD_PYPROJECT + "\n").replace("\n", "\r\n").encode()
    updated = initialised(tmp_path / "pyproject.toml", original)
    assert_section_added(original, updated)
    assert updated.count(b"\n") == updated.count(b"\r\n")
    assert updated[len(original) :].startswith(b"\r\n[tool.hflint]\r\n")


def test_init_adds_one_blank_line_at_most(tmp_path: Path) -> None:
    original = b'[project]\nname = "x"\n\n'
    updated = initialised(tmp_path / "pyproject.toml", original)
    assert updated[len(original) :].startswith(b"[tool.hflint]\n")


def test_init_on_an_empty_file(tmp_path: Path) -> None:
    updated = initialised(tmp_path / "pyproject.toml", b"")
    assert updated == default_section().encode()


def test_default_section_loads_as_the_default_settings(tmp_path: Path) -> None:
    config = write(tmp_path / "pyproject.toml", default_section())
    expected = Settings(
        root=tmp_path.resolve(),
        config_path=config,
        exclude=DEFAULT_EXCLUDE,
        cache_dir=tmp_path.resolve() / ".hflint_cache",
    )
    assert load_settings(config) == expected
    assert default_section().startswith("[tool.hflint]\n# ")


def test_the_commented_exec_example_of_init_is_valid_config(tmp_path: Path) -> None:
    """Uncommenting `hflint init`'s exec example gives settings hflint accepts, as shown."""
    config = tmp_path / "pyproject.toml"
    config.write_text("")
    init_config(config)
    text = config.read_text()
    example = text[text.index("# [tool.hflint.exec]\n") :]
    uncommented = "".join(line.removeprefix("# ") for line in example.splitlines(keepends=True))
    config.write_text(text[: text.index("# hflint exec")] + uncommented)
    exec_options = exec_table(load_settings(config))
    assert exec_options["backend"] == "local" and exec_options["memory-cap"] == 8 * 1024**3
    assert exec_options["devices"] == {"cuda": {"dtype": "float16", "timeout": 600.0}}


def test_init_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    updated = initialised(path, b"[project]\r\n")
    assert init_config(path) == "present"
    assert path.read_bytes() == updated


@pytest.mark.parametrize(
    "existing",
    [HFLINT_TABLE, "[tool.hflint.priorities]\ncritical = []\n", "tool.hflint.select = []\n"],
)
def test_init_leaves_an_existing_section_alone(tmp_path: Path, existing: str) -> None:
    path = tmp_path / "pyproject.toml"
    original = (existing + "\r\n[project]\r\nname = 'x'\r\n").encode()
    path.write_bytes(original)
    assert init_config(path) == "present"
    assert path.read_bytes() == original


def test_init_keeps_the_file_mode_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text("[project]\n")
    path.chmod(0o640)
    initialised(path, path.read_bytes())
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(os.listdir(tmp_path)) == ["pyproject.toml"]


def test_init_writes_through_a_symlink(tmp_path: Path) -> None:
    target = write(tmp_path / "real" / "pyproject.toml", "[project]\n")
    link = tmp_path / "pyproject.toml"
    link.symlink_to(target)
    assert init_config(link) == "added"
    assert link.is_symlink()
    assert b"[tool.hflint]" in target.read_bytes()


def test_init_creates_a_missing_file(tmp_path: Path) -> None:
    created = tmp_path / "pyproject.toml"
    assert init_config(created) == "created"
    assert load_settings(created).include == ("**/test_hf_*.py",)  # a valid configuration
    assert init_config(created) == "present"
    with pytest.raises(ConfigError, match="cannot be created: no directory"):
        init_config(tmp_path / "nowhere" / "pyproject.toml")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[project\nname = 1\n", "invalid TOML: .*at line 1"),
        ("tool = { ruff = { line-length = 100 } }\n", r"cannot append \[tool.hflint\]"),
    ],
)
def test_init_on_a_file_it_cannot_extend(tmp_path: Path, content: str, message: str) -> None:
    path = write(tmp_path / "pyproject.toml", content)
    with pytest.raises(ConfigError, match=message):
        init_config(path)
    assert path.read_text() == content
    assert os.listdir(tmp_path) == ["pyproject.toml"]
