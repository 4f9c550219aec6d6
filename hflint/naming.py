"""How a test file's name maps to the model it tests and to the class it must define."""

from __future__ import annotations

import re
from pathlib import PurePath

FILE_PREFIX = "test_hf_"
_NAME_PARTS = re.compile(r"[-_]+")
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
    """`xlm_roberta` and `xlm-roberta` -> `XlmRoberta`; `gpt-j` -> `GptJ`; `wav2vec2` -> `Wav2vec2`.

    Each part separated by hyphens or underscores gets an upper-case first letter and keeps the rest
    as written, so every spelling of one name gives one class name.
    """
    return "".join(part[:1].upper() + part[1:] for part in _NAME_PARTS.split(model_name) if part)


def expected_class_name(model_name: str) -> str:
    return f"Test{class_stem(model_name)}Models"
