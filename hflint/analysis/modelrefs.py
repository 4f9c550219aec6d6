"""What a test file says about models: its registry constant, the hub ids it names, the model type a
hub id or a name means, template placeholders, and the transformers class a placeholder stood for.

Shared by the template-leftover (HF403), registry-mismatch (HF404) and unknown-model-type (HF503)
rules and their codemods. Everything here reads module-level statements or single names: no walk.

Names are matched to model types only through the catalog and only on whole name parts, never by
substring: `hubert-large-ls960-ft` is hubert (not bert), `xlm-roberta-base` is xlm-roberta (not
roberta), `distilroberta-base` is nothing the catalog knows (so nothing is claimed about it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache

import libcst as cst

from hflint.analysis.testclass import class_methods, find_test_class, module_imports
from hflint.analysis.type_classes import fits_type
from hflint.catalog import Catalog, ModelEntry, normalize
from hflint.naming import SIZE_WORDS, TEST_CLASS_PATTERN, expected_class_name, resolve_model_name

# --- the registry constant and the hub ids a file names ----------------------------------------

REGISTRY_SUFFIX = "_MODELS_REGISTRY"
_REGISTRY_NAME = re.compile(r"^([A-Za-z][A-Za-z0-9_]*?)_MODELS_REGISTRY$")
# Module-level constants that hold the default checkpoint: DEFAULT_MODEL_ID, BERT_DEFAULT_MODEL...
_DEFAULT_NAME = re.compile(r"^(?:[A-Z][A-Z0-9_]*_)?DEFAULT_MODEL(?:_ID|_NAME)?$")
# Constructor parameters / variables that hold a model id.
_MODEL_ID_NAMES = frozenset({"model_id", "model_name", "model_name_or_path", "checkpoint"})
_NAME_PARTS = re.compile(r"[-_.\s]+")
# A hub id's name splits the same way, except that a dot between digits is a version or a size
# (`mamba-2.8b` is mamba at 2.8B parameters, not mamba2; `Qwen2.5` is not qwen2).
_ID_PARTS = re.compile(r"[-_\s]+|(?<!\d)\.|\.(?!\d)")
# A hub id: `name` or `org/name`, the characters the hub allows.
_HUB_ID = re.compile(r"^(?:[A-Za-z0-9][\w.-]*/)?[A-Za-z0-9][\w.-]*$")


@dataclass(frozen=True)
class IdLiteral:
    """A string literal that holds a hub model id."""

    value: str
    node: cst.SimpleString
    # A registry key's entry (its metadata dict, `{"model_type": ..., "task": ...}`); None elsewhere.
    entry: cst.BaseExpression | None = None


@dataclass(frozen=True)
class Registry:
    """A module-level `<PREFIX>_MODELS_REGISTRY = {...}` assignment."""

    name: str
    target: cst.Name
    prefix: str
    ids: tuple[IdLiteral, ...]


def expected_registry_name(model_name: str) -> str | None:
    """`data2vec-audio` -> `DATA2VEC_AUDIO_MODELS_REGISTRY`; None when no identifier results."""
    stem = "_".join(part.upper() for part in _NAME_PARTS.split(model_name) if part)
    name = f"{stem}{REGISTRY_SUFFIX}"
    return name if stem and name.isidentifier() and not name[0].isdigit() else None


def registries(module: cst.Module) -> list[Registry]:
    """The file's registry constants, in order (module level only, as the suite writes them)."""
    found = []
    for target, value in module_assignments(module):
        match = _REGISTRY_NAME.match(target.value)
        if match is None:
            continue
        ids: tuple[IdLiteral, ...] = ()
        if isinstance(value, cst.Dict):
            ids = tuple(
                IdLiteral(str(element.key.evaluated_value), element.key, element.value)
                for element in value.elements
                if isinstance(element, cst.DictElement)
                and isinstance(element.key, cst.SimpleString)
                and isinstance(element.key.evaluated_value, str)
            )
        found.append(Registry(target.value, target, match.group(1), ids))
    return found


def default_ids(module: cst.Module, expected_class: str | None) -> list[IdLiteral]:
    """The default checkpoint as the file spells it: a `DEFAULT_MODEL_ID = "..."` constant, a
    `model_id="..."` parameter default or a `model_id or "..."` fallback in the test class's
    `__init__`."""
    found = [
        IdLiteral(str(value.evaluated_value), value)
        for target, value in module_assignments(module)
        if _DEFAULT_NAME.match(target.value)
        and isinstance(value, cst.SimpleString)
        and isinstance(value.evaluated_value, str)
    ]
    test_class = find_test_class(module, expected_class)
    init = None if test_class is None else class_methods(test_class).get("__init__")
    if init is not None:
        for param in init.params.params:
            if param.name.value in _MODEL_ID_NAMES and isinstance(param.default, cst.SimpleString):
                found.append(_literal(param.default))
        body = init.body.body if isinstance(init.body, cst.IndentedBlock) else ()
        for statement in body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                value = small.value if isinstance(small, (cst.Assign, cst.AnnAssign)) else None
                if (
                    isinstance(value, cst.BooleanOperation)
                    and isinstance(value.operator, cst.Or)
                    and isinstance(value.left, cst.Name)
                    and value.left.value in _MODEL_ID_NAMES
                    and isinstance(value.right, cst.SimpleString)
                ):
                    found.append(_literal(value.right))
    return [literal for literal in found if is_hub_id(literal.value)]


def _literal(node: cst.SimpleString) -> IdLiteral:
    return IdLiteral(str(node.evaluated_value), node)


def module_assignments(module: cst.Module) -> Iterator[tuple[cst.Name, cst.BaseExpression]]:
    """(target, value) of each top-level `NAME = value` / `NAME: type = value`."""
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                target = small.targets[0].target
                if isinstance(target, cst.Name):
                    yield target, small.value
            elif (
                isinstance(small, cst.AnnAssign)
                and isinstance(small.target, cst.Name)
                and small.value is not None
            ):
                yield small.target, small.value


def is_hub_id(value: str) -> bool:
    return bool(_HUB_ID.match(value))


# --- what model type a name or a hub id means ---------------------------------------------------


@dataclass(frozen=True)
class IdModel:
    """The model type a hub id names: `entry`, spelled by the first `used` of the name's `parts`."""

    entry: ModelEntry
    org: str
    parts: tuple[str, ...]
    used: int

    @property
    def spelled(self) -> str:
        return "-".join(self.parts[: self.used])


def hub_id_model(catalog: Catalog, hub_id: str) -> IdModel | None:
    """The model type whose name is the longest run of leading whole parts of the id's name.

    `FacebookAI/xlm-roberta-base` -> xlm-roberta (parts `xlm`, `roberta`); `hubert-large-ls960-ft`
    -> hubert; `google/flan-t5-base` -> t5 (a family alias); `TinyLlama/TinyLlama-1.1B` -> None.
    """
    if not is_hub_id(hub_id):
        return None
    org, _, name = hub_id.rpartition("/")
    parts = tuple(part for part in _ID_PARTS.split(name) if part)
    for used in range(len(parts), 0, -1):
        entry = catalog.resolve("-".join(parts[:used]))
        if entry is not None:
            return IdModel(entry, org, parts, used)
    return None


def inner_id_model(catalog: Catalog, hub_id: str) -> ModelEntry | None:
    """The model type named by a run of whole parts inside the id's name, longest run first, then
    leftmost: `hf-internal-testing/tiny-random-bert` -> bert, `twitter-roberta-base-sentiment` ->
    roberta. Weaker than `hub_id_model` (an inner word may be a model's name by chance: `led`,
    `bit`), so only for ids whose leading parts name nothing."""
    if not is_hub_id(hub_id):
        return None
    parts = [part for part in _ID_PARTS.split(hub_id.rpartition("/")[2]) if part]
    for used in range(len(parts) - 1, 0, -1):
        for start in range(1, len(parts) - used + 1):
            entry = catalog.resolve("-".join(parts[start : start + used]))
            if entry is not None:
                return entry
    return None


def name_model(catalog: Catalog, name: str) -> ModelEntry | None:
    """The model type a file or constant name means: what `resolve_model_name` makes of it
    (`gpt_j_standardized` -> gptj, `donut` -> donut-swin); when that is nothing it knows of, the
    longest run of the name's leading whole parts that names a type (`BERT_WEB` -> bert). None for
    removed types, kinds of model and families (`xlm_prophetnet` is not xlm)."""
    match = resolve_model_name(catalog, name)
    if match.kind != "unknown":
        return match.entry
    parts = [part for part in _NAME_PARTS.split(name) if part]
    for used in range(len(parts) - 1, 0, -1):
        entry = catalog.resolve("-".join(parts[:used]))
        if entry is not None:
            return entry
    return None


def related(catalog: Catalog, first: ModelEntry, second: ModelEntry) -> bool:
    """Whether two model types share checkpoints by name, so one's hub ids in the other's file are
    no evidence of a foreign model: one type's name extends the other's (`llava` / `llava_next`,
    `gpt_neo` / `gpt_neox`), or one's documented checkpoint is named for the other (`mllama`'s is
    `meta-llama/Llama-3.2-11B-Vision`)."""
    if first.model_type == second.model_type:
        return True
    a, b = normalize(first.model_type), normalize(second.model_type)
    if a.startswith(b) or b.startswith(a):
        return True
    for one, other in ((first, second), (second, first)):
        if one.checkpoint:
            named = hub_id_model(catalog, one.checkpoint)
            if named is not None and named.entry.model_type == other.model_type:
                return True
    return False


def is_composite(model: ModelEntry) -> bool:
    """Types built from other models' checkpoints (`encoder-decoder`, `vision-text-dual-encoder`,
    `timm_wrapper`): any model's hub id is at home in their files."""
    key = normalize(model.model_type)
    return key.endswith(("encoderdecoder", "dualencoder")) or key.startswith("timm")


def foreign_model(catalog: Catalog, file_model: ModelEntry, hub_id: str) -> ModelEntry | None:
    """The other model type a hub id names, when it names one unrelated to the file's model."""
    if is_composite(file_model):
        return None
    named = hub_id_model(catalog, hub_id)
    if named is None or related(catalog, file_model, named.entry):
        return None
    return named.entry


# --- template products among hub ids -------------------------------------------------------------


@dataclass(frozen=True)
class CheckpointNaming:
    """How a family's official checkpoints are named: the size words they use right after the
    family name, and the organisations that publish them (ids without an organisation are the
    hub's legacy canonical ids)."""

    sizes: frozenset[str]
    orgs: frozenset[str]


def _naming(sizes: str, orgs: str) -> CheckpointNaming:
    return CheckpointNaming(frozenset(sizes.split()), frozenset(orgs.split()))


# Deliberately small: only families whose official naming is stable and documented (the model
# cards and transformers' docs), so a size word outside it is a template product, not a checkpoint
# hflint has not heard of. `gpt2` is `gpt2`, `gpt2-medium`, `gpt2-large`, `gpt2-xl`; BLOOM and OPT
# name sizes by parameter count only (`bloom-560m`, `opt-350m`).
CHECKPOINT_NAMING: Mapping[str, CheckpointNaming] = {
    "albert": _naming("base large xlarge xxlarge", "albert"),
    "bart": _naming("base large", "facebook"),
    "bert": _naming("base large", "google-bert"),
    "bloom": _naming("", "bigscience"),
    "distilbert": _naming("base", "distilbert"),
    "electra": _naming("small base large", "google"),
    "gpt2": _naming("medium large xl", "openai-community"),
    "gpt_neo": _naming("", "EleutherAI"),
    "opt": _naming("", "facebook"),
    "roberta": _naming("base large", "FacebookAI"),
    "xlm-roberta": _naming("base large", "FacebookAI facebook"),
}


@dataclass(frozen=True)
class ImplausibleSize:
    """A hub id whose size word its family's checkpoints never use."""

    entry: ModelEntry
    size: str
    naming: CheckpointNaming


def implausible_size(catalog: Catalog, hub_id: str) -> ImplausibleSize | None:
    """`distilbert-large-uncased` (distilbert comes in base only), `bloom-medium` (BLOOM sizes are
    parameter counts): the word right after the family's own name is a size word the family's
    official naming never uses. Only ids without an organisation or under the family's own (a
    fine-tune elsewhere may be named anything), spelled with the model type's own name."""
    named = hub_id_model(catalog, hub_id)
    if named is None or named.used >= len(named.parts):
        return None
    entry = named.entry
    naming = CHECKPOINT_NAMING.get(entry.model_type)
    if naming is None or normalize(named.spelled) != normalize(entry.model_type):
        return None
    orgs = {org.lower() for org in naming.orgs}
    if entry.checkpoint and "/" in entry.checkpoint:
        orgs.add(entry.checkpoint.split("/", 1)[0].lower())
    if named.org and named.org.lower() not in orgs:
        return None
    size = named.parts[named.used].lower()
    if size in SIZE_WORDS and size not in naming.sizes:
        return ImplausibleSize(entry, size, naming)
    return None


# --- template placeholders -----------------------------------------------------------------------

# `ModelType` as two CamelCase words at the start of a name, after the suite's `Test` prefix or a
# framework prefix: `ModelType`, `ModelTypeForMaskedLM`, `TestModelTypeModels`, `TFModelTypeModel`.
# Not `ModelTypes`, and not a name that merely ends in the words (`PreTrainedModelType`, a TypeVar).
_CAMEL_PLACEHOLDER = re.compile(r"^(?:Test|TF|Flax)?ModelType(?![a-z])")
_CAMEL_WORDS = re.compile(r"ModelType(?![a-z])")
BARE_PLACEHOLDERS = frozenset({"ModelType", "MODEL_TYPE"})


def placeholder(identifier: str) -> bool:
    """Whether an identifier is (or contains) a template generator's model placeholder.

    The vocabulary, exactly:
    - `ModelType` as two CamelCase words at the start of a name, or after `Test`, `TF` or `Flax`:
      `ModelType`, `ModelTypeForMaskedLM`, `ModelTypeConfig`, `TestModelTypeModels` (not
      `ModelTypes`, not `PreTrainedModelType`);
    - `MODEL_TYPE` alone, or leading a registry-style name: `MODEL_TYPE_MODELS_REGISTRY` (not
      `DEFAULT_MODEL_TYPE` or `MODEL_TYPE_TO_CLASS`, which are ordinary constants);
    - the words `model type` (any case, `_`-separated) together with the word `placeholder`:
      `model_type_placeholder`, `PLACEHOLDER_MODEL_TYPE`;
    - `model_type` in double underscores: `__model_type__`, `__MODEL_TYPE__`.
    Lower-case `model_type` alone is a real name (`config.model_type`) and never a placeholder.
    """
    if "odel" not in identifier and "ODEL" not in identifier:
        return False  # the common case, decided cheaply (`model`, `model_id` go one step more)
    lowered = identifier.lower()
    if "modeltype" not in lowered and "model_type" not in lowered:
        return False
    if _CAMEL_PLACEHOLDER.match(identifier):
        return True
    if identifier == "MODEL_TYPE" or identifier.startswith("MODEL_TYPE_MODELS"):
        return True
    words = [word.lower() for word in identifier.split("_") if word]
    if not any(words[i : i + 2] == ["model", "type"] for i in range(len(words) - 1)):
        return False
    dunder = len(words) == 2 and identifier.startswith("__") and identifier.endswith("__")
    return dunder or "placeholder" in words


def fill_placeholder(identifier: str, replacement: str) -> str:
    """`ModelTypeForMaskedLM` with `ModelType` replaced by `replacement`."""
    return _CAMEL_WORDS.sub(replacement, identifier, count=1)


def expected_for_placeholder(identifier: str, model_name: str | None) -> str | None:
    """The name the file's model gives where the placeholder stands, when the suite's convention
    says it: the test class (`TestModelTypeModels` -> `TestMpnetModels`)."""
    if model_name is None or not TEST_CLASS_PATTERN.match(identifier):
        return None
    return expected_class_name(model_name)


# --- transformers names --------------------------------------------------------------------------


@cache
def _exports_by_spelling(exports: frozenset[str]) -> Mapping[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for name in sorted(exports):
        index.setdefault(normalize(name), []).append(name)
    return {key: tuple(names) for key, names in index.items()}


def auto_class_candidates(catalog: Catalog, name: str, model: ModelEntry | None) -> list[str]:
    """The auto classes a placeholder name (`ModelTypeForMaskedLM`) can stand for: `ModelType`
    read as `AutoModel` or `Auto`, kept when transformers exports it and, with the file's model
    known, when the model's type has that class (`type_classes.fits_type`: a head its auto
    mapping holds, a preprocessor it may have). Empty for the bare `ModelType`, which could mean
    any head."""
    if name in BARE_PLACEHOLDERS or not _CAMEL_PLACEHOLDER.match(name):
        return []
    found = []
    for replacement in ("AutoModel", "Auto"):
        candidate = fill_placeholder(name, replacement)
        if candidate in catalog.exports and candidate not in found:
            found.append(candidate)
    if model is not None:
        found = [c for c in found if fits_type(model, c)]
    return found


def model_class_for(catalog: Catalog, name: str, model: ModelEntry | None) -> str | None:
    """The file's model's own class where a placeholder name stands (`ModelTypeForMaskedLM` in the
    rembert file -> `RemBertForMaskedLM`), when transformers exports exactly one such name."""
    if model is None or not _CAMEL_PLACEHOLDER.match(name):
        return None
    wanted = normalize(fill_placeholder(name, model.model_type))
    names = _exports_by_spelling(catalog.exports).get(wanted, ())
    return names[0] if len(names) == 1 else None


def respelled_export(catalog: Catalog, name: str) -> str | None:
    """The one export spelled like `name` but for case and underscores (`RembertForMaskedLM` ->
    `RemBertForMaskedLM`), if there is exactly one."""
    names = _exports_by_spelling(catalog.exports).get(normalize(name), ())
    return names[0] if len(names) == 1 and names[0] != name else None


def replacement_for(catalog: Catalog, name: str, model: ModelEntry | None) -> str | None:
    """The export an unexported `transformers.<name>` certainly means, or None when unsure: the one
    fitting auto class for a placeholder (with the file's model known), or the one export that
    differs only in case and underscores."""
    if placeholder(name):
        if model is None:
            return None
        candidates = auto_class_candidates(catalog, name, model)
        return candidates[0] if len(candidates) == 1 else None
    return respelled_export(catalog, name)


def transformers_aliases(module: cst.Module) -> set[str]:
    """Names `transformers` is bound to by `import transformers [as x]` at module level (including
    inside the usual `try:` import guards); always includes `transformers` itself."""
    aliases = {"transformers"}
    for small in module_imports(module):
        if isinstance(small, cst.Import):
            for alias in small.names:
                if (
                    isinstance(alias.name, cst.Name)
                    and alias.name.value == "transformers"
                    and alias.asname is not None
                    and isinstance(alias.asname.name, cst.Name)
                ):
                    aliases.add(alias.asname.name.value)
    return aliases


# --- checkpoints to suggest ----------------------------------------------------------------------


def documented_checkpoint(catalog: Catalog, model: ModelEntry) -> str | None:
    """The catalog's checkpoint for a model type, when its name names that type (the catalog takes
    it from transformers' docs, which sometimes cite a related model's checkpoint)."""
    if not model.checkpoint:
        return None
    named = hub_id_model(catalog, model.checkpoint)
    if named is None or named.entry.model_type != model.model_type:
        return None
    return model.checkpoint


def own_checkpoints(catalog: Catalog, model: ModelEntry, ids: Iterable[str]) -> list[str]:
    """The ids among `ids` that name `model` itself."""
    return [
        value
        for value in dict.fromkeys(ids)
        if (named := hub_id_model(catalog, value)) is not None
        and named.entry.model_type == model.model_type
    ]


def size_siblings(catalog: Catalog, hub_id: str, ids: Iterable[str]) -> list[str]:
    """The ids among `ids` spelled like `hub_id` but for the size word after the family name
    (`distilbert-base-uncased` for `distilbert-large-uncased`) and not implausible themselves."""
    named = hub_id_model(catalog, hub_id)
    if named is None or named.used >= len(named.parts):
        return []
    found = []
    for value in dict.fromkeys(ids):
        other = hub_id_model(catalog, value)
        if (
            other is not None
            and value != hub_id
            and other.entry.model_type == named.entry.model_type
            and len(other.parts) == len(named.parts)
            and other.used == named.used
            and all(
                a.lower() == b.lower()
                for i, (a, b) in enumerate(zip(other.parts, named.parts, strict=True))
                if i != named.used
            )
            and implausible_size(catalog, value) is None
        ):
            found.append(value)
    return found
