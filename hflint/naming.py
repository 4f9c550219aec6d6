"""How a test file's name maps to the model it tests and to the class it must define."""

from __future__ import annotations

import re
from pathlib import PurePath

FILE_PREFIX = "test_hf_"
# Hyphens and underscores separate a name's parts; so does anything an identifier cannot hold
# (`kosmos-2.5`), so that every name gives a class name that is an identifier.
_NAME_PARTS = re.compile(r"[\W_]+")
# `Test<Anything>Models`: the suite's convention for the test class, whichever model it names.
TEST_CLASS_PATTERN = re.compile(r"^Test\w*Models$")


def model_name_from_path(path: str | PurePath) -> str | None:
    """`.../test_hf_xlm-roberta.py` -> `xlm-roberta`; None for files outside the naming scheme."""
    name = PurePath(path).name
    if not (name.startswith(FILE_PREFIX) and name.endswith(".py")):
        return None
    model = name[len(FILE_PREFIX) : -len(".py")]
    return model or None


def class_stem(model_name: str) -> str:
    """`xlm_roberta` and `xlm-roberta` -> `XlmRoberta`; `gpt-j` -> `GptJ`; `wav2vec2` -> `Wav2vec2`;
    `kosmos-2.5` -> `Kosmos25`.

    Each part separated by hyphens or underscores (or other characters an identifier cannot hold)
    gets an upper-case first letter and keeps the rest as written, so every spelling of one name
    gives one class name.
    """
    return "".join(part[:1].upper() + part[1:] for part in _NAME_PARTS.split(model_name) if part)


def expected_class_name(model_name: str) -> str:
    return f"Test{class_stem(model_name)}Models"


def importable_name(stem: str) -> str:
    """Every character that cannot be in an identifier becomes `_` (and a leading digit gets one)."""
    name = "".join(
        char if (char.isalnum() or char == "_") and char.isascii() else "_" for char in stem
    )
    return f"_{name}" if name[:1].isdigit() else name


def canonical_file_name(model_type: str) -> str:
    """The one importable file name hflint gives a model type's tests: `gptj` -> `test_hf_gptj.py`,
    `xlm-roberta` -> `test_hf_xlm_roberta.py`, `kosmos-2.5` -> `test_hf_kosmos_2_5.py`. It resolves
    back to the same type through the catalog, which ignores separators."""
    return importable_name(f"{FILE_PREFIX}{model_type}") + ".py"
