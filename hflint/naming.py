"""How a test file's name maps to the model it tests and to the class it must define.

A test file is `test_hf_<model>.py` (or, in some suites, `test_<model>.py`); `resolve_model_name` says
which model type `<model>` means, trying in order:

1. a model type, however spelled (`gpt-j`, `gpt_j`, `GPT-J`), or a family alias (`flan-t5`);
2. a type transformers removed (`transfo-xl`: reported with the release that removed it);
3. a kind of model rather than a model (`audio`, `vision`, `decoder_only`: the catalog's families and
   `GENERIC_NAMES`);
4. the name of the module transformers keeps a model in, or that name less its version number
   (`donut` -> donut-swin, `florence` -> florence2); a module of several types (`data2vec`) is a
   family: the name alone does not say which (`hflint.analysis.filemodel` asks the file's code);
5. a variant suffix (`VARIANT_WORDS`): the name less its last such word and what follows it, tried
   from the longest such stem to the shortest, through steps 1 to 4 (`gpt_j_standardized` ->
   gptj, `xlm_roberta_large` -> xlm-roberta, `bert_base_uncased` -> bert). A name that is a type
   itself is never cut: `xlm-roberta-xl` is a type, not xlm-roberta in size `xl`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePath

from hflint.catalog import Catalog, ModelEntry, RemovedType, normalize, spellings

FILE_PREFIX = "test_hf_"
# The older form some suites use: `test_<model>.py`.
PLAIN_PREFIX = "test_"
# Hyphens and underscores separate a name's parts; so does anything an identifier cannot hold
# (`kosmos-2.5`), so that every name gives a class name that is an identifier.
_NAME_PARTS = re.compile(r"[\W_]+")
# `Test<Anything>Models`: the suite's convention for the test class, whichever model it names.
TEST_CLASS_PATTERN = re.compile(r"^Test\w*Models$")


def model_name_from_path(path: str | PurePath) -> str | None:
    """`.../test_hf_xlm-roberta.py` -> `xlm-roberta`, `.../test_albert.py` -> `albert`; None for
    files outside the naming scheme."""
    name = PurePath(path).name
    if not name.endswith(".py"):
        return None
    for prefix in (FILE_PREFIX, PLAIN_PREFIX):
        if name.startswith(prefix):
            return name[len(prefix) : -len(".py")] or None
    return None


# --- what a model name means ---------------------------------------------------------------------

# Checkpoint sizes, as hub ids and suites write them after a model's name.
SIZE_WORDS = frozenset(
    {"tiny", "mini", "small", "base", "medium", "large", "xlarge", "xxlarge", "xl", "xxl", "huge"}
)
# Words after a model's name that make a variant of its test file, not another model: how the suite
# made the file (`_standardized`, `_improved`, `_minimal`, `_copy`), a checkpoint size (`_base`,
# `_7b`: see `is_variant_word`) or a checkpoint's kind (`_uncased`, `_instruct`). Whatever follows
# one describes the checkpoint (`vit_base_patch16_224`).
VARIANT_WORDS = SIZE_WORDS | {
    "standardized",
    "improved",
    "fixed",
    "minimal",
    "simple",
    "basic",
    "copy",
    "test",
    "tests",
    "uncased",
    "cased",
    "instruct",
    "chat",
}
# A parameter count: `7b`, `560m`, `1.5b`.
_PARAMETER_COUNT = re.compile(r"^\d+(?:\.\d+)?[kmb]$", re.IGNORECASE)
# Names of a kind of model rather than a model, besides the catalog's families (`audio`, `vision`,
# `multimodal`, `decoder`...): what template generators name their per-modality files.
GENERIC_NAMES = frozenset(
    {"text", "image", "video", "speech", "encoder", "encoder-only", "decoder-only", "model"}
)
# The separators `normalize` ignores: where a name splits into the words a suffix is made of.
_WORD = re.compile(r"[^-_.\s]+")

NAME_KINDS = ("type", "alias", "module", "family", "removed", "generic", "unknown")


@dataclass(frozen=True)
class NameMatch:
    """What a model name means (`resolve_model_name`). `kind` is one of `NAME_KINDS`:

    - `type`: the model type's own name, however spelled (`gpt_j` -> gptj);
    - `alias`: a family alias of the catalog (`flan-t5` -> t5);
    - `module`: the name of the module transformers keeps the type in, or it less its version
      (`donut` -> donut-swin, `florence` -> florence2);
    - `family`: a module's name with several types (`data2vec`): `candidates` lists them;
    - `removed`: a type transformers removed (`removed` says when);
    - `generic`: a kind of model, not a model (`audio`);
    - `unknown`: none of these.

    `stem` is the name less its variant suffix (the whole name when it has none)."""

    name: str
    kind: str
    stem: str
    entry: ModelEntry | None = None
    removed: RemovedType | None = None
    candidates: tuple[str, ...] = ()

    @property
    def suffix(self) -> str:
        """The variant suffix the name carries: `_standardized`; empty when none."""
        return self.name[len(self.stem) :]

    def how(self) -> str:
        """How the name gives its model type, for messages: `the file name`, `the file name less
        its suffix `_standardized``, `` `donut`, the name of transformers' module for donut-swin``."""
        if self.entry is None:
            return "the file name gives none"
        stem = f"`{self.stem}`"
        if self.kind == "alias":
            said = f"{stem}, a name of {self.entry.model_type} checkpoints"
        elif self.kind == "module":
            said = f"{stem}, the name of the module transformers keeps {self.entry.model_type} in"
        else:
            said = "the file name"
        return f"{said}, less its variant suffix `{self.suffix}`" if self.suffix else said


def is_variant_word(word: str) -> bool:
    return word.lower() in VARIANT_WORDS or bool(_PARAMETER_COUNT.match(word))


@lru_cache(maxsize=4096)
def resolve_model_name(catalog: Catalog, name: str) -> NameMatch:
    """What model type `name` (from a file name) means: see the module's documentation."""
    whole = _resolve_stem(catalog, name)
    if whole.kind != "unknown":
        return whole
    words = list(_WORD.finditer(name))
    for word in reversed(words[1:]):
        if not is_variant_word(word.group()):
            continue
        stem = name[: word.start()].rstrip("-_. ")
        found = _resolve_stem(catalog, stem)
        if found.kind != "unknown":
            return NameMatch(name, found.kind, stem, found.entry, found.removed, found.candidates)
    return whole


def _resolve_stem(catalog: Catalog, name: str) -> NameMatch:
    entry = catalog.resolve(name)
    if entry is not None:
        kind = "type" if normalize(name) in spellings(entry.model_type) else "alias"
        return NameMatch(name, kind, name, entry)
    removed = catalog.removed(name)
    if removed is not None:
        return NameMatch(name, "removed", name, removed=removed)
    key = normalize(name)
    if key in {normalize(word) for word in GENERIC_NAMES | catalog.families}:
        return NameMatch(name, "generic", name)
    found = catalog.module_models(name)
    if len(found) == 1:
        return NameMatch(name, "module", name, found[0])
    if found:
        return NameMatch(name, "family", name, candidates=tuple(e.model_type for e in found))
    return NameMatch(name, "unknown", name)


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
