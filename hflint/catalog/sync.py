"""`hflint catalog sync`: derive the catalog from the installed transformers.

The only module of hflint's lint side that imports transformers, and only when asked to: lint and
fix read the JSON file this writes. Everything comes from transformers' own tables (the auto
mappings, the module each model type lives in, `pipelines.SUPPORTED_TASKS`, `REMOVED_TASKS`,
`TASK_ALIASES`, the config classes' documentation, the tokenizer classes' mask tokens); the few
facts transformers does not hold are kept by hand, as data: family names users write, such as
`flan-t5`, in `data/family_aliases.toml`, and the model types transformers removed, with the release
that removed them, in `data/removed_types.toml`.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hflint.catalog import DATA, SCHEMA_VERSION, SEQ2SEQ_AUTO, normalize, spellings
from hflint.compat import tomllib

FAMILY_ALIASES_FILE = DATA / "family_aliases.toml"
REMOVED_TYPES_FILE = DATA / "removed_types.toml"


# The order in which a model type's tasks are preferred as its default: the most specific first,
# the generic feature-extraction ones last.
TASK_PREFERENCE: tuple[str, ...] = (
    "fill-mask",
    "text-generation",
    "image-text-to-text",
    "any-to-any",
    "automatic-speech-recognition",
    "zero-shot-image-classification",
    "zero-shot-object-detection",
    "zero-shot-audio-classification",
    "object-detection",
    "image-segmentation",
    "depth-estimation",
    "image-classification",
    "video-classification",
    "audio-classification",
    "text-to-audio",
    "document-question-answering",
    "table-question-answering",
    "mask-generation",
    "keypoint-matching",
    "text-classification",
    "token-classification",
    "zero-shot-classification",
    "decision",
    "image-feature-extraction",
    "feature-extraction",
)

# Tried before TASK_PREFERENCE for the family's models.
FAMILY_TASKS: Mapping[str, tuple[str, ...]] = {
    "audio": ("automatic-speech-recognition", "audio-classification", "text-to-audio"),
    "vision": (
        "image-classification",
        "object-detection",
        "image-segmentation",
        "depth-estimation",
    ),
    "vision-text": ("zero-shot-image-classification", "image-text-to-text"),
    "multimodal": ("image-text-to-text", "any-to-any", "automatic-speech-recognition"),
}

_AUDIO_TASKS = frozenset(
    {
        "automatic-speech-recognition",
        "audio-classification",
        "zero-shot-audio-classification",
        "text-to-audio",
    }
)
_VISION_TEXT_TASKS = frozenset(
    {
        "zero-shot-image-classification",
        "zero-shot-object-detection",
        "image-text-to-text",
        "document-question-answering",
    }
)
_VISION_TASKS = frozenset(
    {
        "image-classification",
        "object-detection",
        "image-segmentation",
        "depth-estimation",
        "image-feature-extraction",
        "video-classification",
        "mask-generation",
        "keypoint-matching",
    }
)
# What a bare model reads, by the name of its `forward`'s first parameter: what a generic
# `AutoModel` pipeline (feature-extraction: text; image-feature-extraction: an image) can feed it.
_TEXT_INPUT = "input_ids"
_IMAGE_INPUT = "pixel_values"
_AUDIO_INPUTS = frozenset({"input_values", "input_features", "audio_mel"})
_SERIES_INPUT = "past_values"
_CHECKPOINT = re.compile(r"https://huggingface\.co/([\w.-]+/[\w.-]+|[\w.-]+)\)")


def build_catalog() -> dict[str, Any]:
    import transformers
    from transformers.models.auto import configuration_auto, modeling_auto
    from transformers.pipelines import REMOVED_TASKS, SUPPORTED_TASKS, TASK_ALIASES

    types = sorted(configuration_auto.CONFIG_MAPPING_NAMES)
    configs = configuration_auto.CONFIG_MAPPING
    image_types = set(modeling_auto.MODEL_FOR_IMAGE_MAPPING_NAMES)
    specific: dict[str, dict[str, str]] = {model_type: {} for model_type in types}
    generic_tasks: dict[str, str] = {}  # served by the bare `AutoModel`, which every type has
    # A task's later classes that another task is built on are only fallbacks (`decision` also
    # accepts any causal LM): they say nothing about what the model type is for.
    primary = {spec["pt"][0].__name__ for spec in SUPPORTED_TASKS.values() if spec.get("pt")}
    for task, spec in sorted(SUPPORTED_TASKS.items()):
        auto_classes = spec.get("pt", ())
        if [c.__name__ for c in auto_classes] == ["AutoModel"]:
            generic_tasks[task] = "AutoModel"
            continue
        for index, auto_class in enumerate(auto_classes):
            if index and auto_class.__name__ in primary:
                continue
            for model_type in auto_class._model_mapping._model_mapping:
                if model_type in specific:
                    specific[model_type].setdefault(task, auto_class.__name__)
    base_types = set(modeling_auto.MODEL_MAPPING_NAMES)
    masked = set(modeling_auto.MODEL_FOR_MASKED_LM_MAPPING_NAMES)
    causal = set(modeling_auto.MODEL_FOR_CAUSAL_LM_MAPPING_NAMES)
    seq2seq = set(modeling_auto.MODEL_FOR_SEQ_TO_SEQ_CAUSAL_LM_MAPPING_NAMES)
    audio_types = set(modeling_auto.MODEL_FOR_AUDIO_XVECTOR_MAPPING_NAMES) | set(
        modeling_auto.MODEL_FOR_AUDIO_FRAME_CLASSIFICATION_MAPPING_NAMES
    )
    # Before anything loads a model or tokenizer class: that adds names to transformers' lazy
    # module.
    exports = _exports(transformers)
    loaders = Loaders.from_transformers(transformers)
    models: dict[str, dict[str, Any]] = {}
    for model_type in types:
        tasks = dict(specific[model_type])
        towers = set(getattr(configs[model_type], "sub_configs", {}) or {})
        inputs = _forward_inputs(configs[model_type]) if model_type in base_types else None
        first = inputs[0].name if inputs else None
        family = _family(
            model_type,
            set(tasks),
            image=model_type in image_types or "vision_config" in towers or first == _IMAGE_INPUT,
            audio=model_type in audio_types or "audio_config" in towers or first in _AUDIO_INPUTS,
            series=first == _SERIES_INPUT,
            masked=model_type in masked,
            causal=model_type in causal,
            seq2seq=model_type in seq2seq,
        )
        if model_type in base_types:
            tasks.update(_generic_tasks(family, configs[model_type], generic_tasks, inputs))
        models[model_type] = {
            "family": family,
            "module": configuration_auto.model_type_to_module_name(model_type),
            "tasks": dict(sorted(tasks.items())),
            "default_task": _default_task(family, tasks),
            "checkpoint": _checkpoint(model_type, configs[model_type]),
            **loaders.entry(model_type, tasks),
        }
    removed = {task: _replacement(message) for task, message in sorted(REMOVED_TASKS.items())}
    removed["image-to-text"] = "image-text-to-text"  # redirected, with a warning, by transformers
    return {
        "schema": SCHEMA_VERSION,
        "transformers_version": transformers.__version__,
        "pipeline_tasks": sorted(set(SUPPORTED_TASKS) | set(TASK_ALIASES)),
        "task_aliases": dict(sorted(TASK_ALIASES.items())),
        "removed_tasks": dict(sorted(removed.items())),
        "family_aliases": _family_aliases(types),
        "removed_types": removed_types(types, transformers.__version__),
        "mask_tokens": _mask_tokens(transformers, types),
        "models": models,
        "exports": exports,
    }


# Each kind of preprocessor a model type's checkpoints may be read with, and the auto mapping of
# `transformers.models.auto` that lists the types having one.
PREPROCESSOR_MAPPINGS: Mapping[str, tuple[str, str]] = {
    "feature_extractor": ("feature_extraction_auto", "FEATURE_EXTRACTOR_MAPPING_NAMES"),
    "image_processor": ("image_processing_auto", "IMAGE_PROCESSOR_MAPPING_NAMES"),
    "processor": ("processing_auto", "PROCESSOR_MAPPING_NAMES"),
    "video_processor": ("video_processing_auto", "VIDEO_PROCESSOR_MAPPING_NAMES"),
}


@dataclass(frozen=True)
class Loaders:
    """What loads each model type: the auto model classes whose mapping holds it, its tokenizer
    class, and which kinds of preprocessor it has."""

    transformers: Any
    # Auto class -> model type -> the class (or classes) it makes for that type.
    auto_mappings: Mapping[str, Mapping[str, Any]]
    tokenizers: Mapping[str, Any]
    # Kind of preprocessor -> model type -> its class (or classes).
    preprocessors: Mapping[str, Mapping[str, Any]]

    @classmethod
    def from_transformers(cls, transformers: Any) -> Loaders:
        import importlib

        from transformers.models.auto import tokenization_auto

        autos = {}
        for name in _exports(transformers):
            mapping = getattr(getattr(transformers, name), "_model_mapping", None)
            if name.startswith("Auto") and mapping is not None:
                autos[name] = mapping._model_mapping
        preprocessors = {
            kind: getattr(importlib.import_module(f"transformers.models.auto.{module}"), table)
            for kind, (module, table) in PREPROCESSOR_MAPPINGS.items()
        }
        return cls(transformers, autos, tokenization_auto.TOKENIZER_MAPPING_NAMES, preprocessors)

    def entry(self, model_type: str, tasks: Mapping[str, str]) -> dict[str, Any]:
        """The catalog entry's fields for `model_type`, whose tasks use the auto classes of `tasks`:
        `other_auto` (its other auto classes), `tokenizer` (its class),
        `preprocessors` (the kinds it has) and, for a type with a sequence-to-sequence LM,
        `encoder_decoder` (the auto classes whose model keeps both halves). Each is left out when
        empty, so that the snapshot stays small."""
        auto = sorted(name for name, types in self.auto_mappings.items() if model_type in types)
        seq2seq = SEQ2SEQ_AUTO in auto
        fields: dict[str, Any] = {
            "other_auto": [name for name in auto if name not in tasks.values()],
            "tokenizer": _first_name(self.tokenizers.get(model_type)),
            "preprocessors": sorted(
                kind for kind, types in self.preprocessors.items() if types.get(model_type)
            ),
            "encoder_decoder": [
                name for name in auto if seq2seq and self._reads_decoder_inputs(name, model_type)
            ],
        }
        return {key: value for key, value in fields.items() if value}

    def _reads_decoder_inputs(self, auto_class: str, model_type: str) -> bool:
        """Whether the class `auto_class` makes for the type runs the whole encoder-decoder (its
        `forward` takes `decoder_input_ids`), not its decoder or encoder alone (`BartForCausalLM`,
        `T5ForTokenClassification`)."""
        name = _first_name(self.auto_mappings[auto_class][model_type])
        try:
            forward = getattr(self.transformers, name or "").forward
            return "decoder_input_ids" in inspect.signature(forward).parameters
        except (ImportError, AttributeError, ValueError, TypeError):
            return False


def _first_name(value: Any) -> str | None:
    """A mapping's class name: the first of several (slow and fast tokenizers, DeiT's heads, an
    image processor per backend), None where there is none."""
    if isinstance(value, Mapping):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        value = next((item for item in value if item), None)
    return value if isinstance(value, str) else None


def _mask_tokens(transformers: Any, types: Iterable[str]) -> dict[str, str]:
    """Model type -> the mask token of its tokenizer class (the default of its `mask_token`
    argument, which a checkpoint's tokenizer keeps unless its files say otherwise), for the types
    whose tokenizer class has one."""
    from transformers.models.auto.tokenization_auto import TOKENIZER_MAPPING_NAMES

    by_class: dict[str, str | None] = {}
    found: dict[str, str] = {}
    for model_type in types:
        name = TOKENIZER_MAPPING_NAMES.get(model_type)
        if isinstance(name, (tuple, list)):  # transformers 4.x: (slow, fast)
            name = next((n for n in reversed(name) if n), None)
        if not name:
            continue
        if name not in by_class:
            by_class[name] = default_mask_token(getattr(transformers, name, None))
        token = by_class[name]
        if token:
            found[model_type] = token
    return found


def default_mask_token(tokenizer_class: Any) -> str | None:
    """The default of a tokenizer class's `mask_token` argument: the mask token a checkpoint's
    tokenizer of that class has unless its files say otherwise."""
    try:
        parameter = inspect.signature(tokenizer_class.__init__).parameters.get("mask_token")
    except (TypeError, ValueError, AttributeError):
        return None
    if parameter is None or parameter.default is inspect.Parameter.empty:
        return None
    return None if parameter.default is None else str(parameter.default)


def _exports(transformers: Any) -> list[str]:
    """The public names transformers exports. Its lazy module also lists the submodules imported
    so far, which depends on what ran before: those are left out, so a sync is reproducible."""
    submodules = set(getattr(transformers, "_modules", ()))
    return sorted(
        name
        for name in dir(transformers)
        if not name.startswith("_") and "." not in name and name not in submodules
    )


def _forward_inputs(config_class: type) -> list[inspect.Parameter] | None:
    """The parameters of the type's bare model's `forward`, in order; None when its class cannot
    be loaded here (a dummy standing in for a missing package such as torchaudio)."""
    from transformers.models.auto.modeling_auto import MODEL_MAPPING

    try:
        model_class = MODEL_MAPPING[config_class]
        if isinstance(model_class, (tuple, list)):
            model_class = model_class[0]
        parameters = inspect.signature(model_class.forward).parameters
    except (ImportError, ValueError, KeyError, AttributeError, TypeError):
        return None
    return [p for name, p in parameters.items() if name != "self"]


def _reads_one_input(inputs: Sequence[inspect.Parameter]) -> bool:
    """Whether the model runs on its first input alone: nothing else is required, and it is not
    contrastive (a `return_loss` model scores pairs, so needs a text and an image at once)."""
    rest = [p for p in inputs[1:] if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    return all(p.default is not p.empty for p in rest) and all(
        p.name != "return_loss" for p in rest
    )


def _generic_tasks(
    family: str,
    config: type,
    generic: Mapping[str, str],
    inputs: Sequence[inspect.Parameter] | None,
) -> dict[str, str]:
    """Which `AutoModel` tasks make sense for a type: every type has a bare model, but the
    feature-extraction pipeline feeds it only text, image-feature-extraction only an image, and
    zero-shot-audio-classification needs both an audio and a text tower (CLAP). The bare model's
    first input says which it reads (a vision tower, an audio encoder or a time-series model reads
    no text), when it runs on that input alone; where its class cannot be loaded, the family
    decides."""
    towers = set(getattr(config, "sub_configs", {}) or {})
    wanted = set()
    if inputs is None:
        if family in ("vision", "vision-text", "multimodal"):
            wanted.add("image-feature-extraction")
        if family not in ("vision", "audio"):
            wanted.add("feature-extraction")
    elif inputs and _reads_one_input(inputs):
        if inputs[0].name == _IMAGE_INPUT:
            wanted.add("image-feature-extraction")
        if inputs[0].name == _TEXT_INPUT and family not in ("vision", "audio"):
            wanted.add("feature-extraction")
    if {"audio_config", "text_config"} <= towers:
        wanted.add("zero-shot-audio-classification")
    return {task: auto for task, auto in generic.items() if task in wanted}


def _family(
    model_type: str,
    tasks: set[str],
    *,
    image: bool,
    audio: bool,
    series: bool,
    masked: bool,
    causal: bool,
    seq2seq: bool,
) -> str:
    """The modality family, from the model type's own (non-generic) tasks and mappings."""
    heard = audio or bool(tasks & _AUDIO_TASKS)
    seen = image or bool(tasks & (_VISION_TASKS | _VISION_TEXT_TASKS))
    if "any-to-any" in tasks or (heard and seen):
        return "multimodal"
    if heard:
        return "audio"
    if tasks & _VISION_TEXT_TASKS:
        return "vision-text"
    if seen:
        return "vision"
    if series:
        return "time-series"
    if seq2seq:
        return "encoder-decoder"
    if causal and not masked:
        return "decoder"
    return "text-encoder"


def _default_task(family: str, tasks: Mapping[str, str]) -> str | None:
    """The most specific task, the family's own kind of task first (whisper also has a causal LM
    decoder, but it is a speech recogniser)."""
    order = (*FAMILY_TASKS.get(family, ()), *TASK_PREFERENCE)
    return next((task for task in order if task in tasks), None)


def _checkpoint(model_type: str, config_class: type) -> str | None:
    """The checkpoint a config class's documentation names as its reference model, when one is
    named after the model type. Others are left out: docs copied from another model link that
    model's checkpoints (XLM-RoBERTa's link XLM's), and a wrong default is worse than none."""
    linked: list[str] = _CHECKPOINT.findall(config_class.__doc__ or "")
    own = [c for c in linked if normalize(model_type) in normalize(c.rsplit("/", 1)[-1])]
    return own[0] if own else None


def _replacement(message: str) -> str | None:
    """`Use the `text-generation` pipeline ...` -> `text-generation`."""
    match = re.search(r"`([a-z-]+)` pipeline", message)
    return None if match is None else str(match.group(1))


def _family_aliases(types: Iterable[str]) -> dict[str, str]:
    known = set(types)
    aliases = {}
    table: dict[str, str] = tomllib.loads(FAMILY_ALIASES_FILE.read_text(encoding="utf-8"))
    for alias, target in sorted(table.items()):
        if target in known and alias not in known:
            aliases[alias] = target
    return aliases


def removed_types(types: Iterable[str], version: str) -> dict[str, str]:
    """Model type -> the transformers release that removed it, for the types of
    `removed_types.toml` that `version` no longer has and that a release up to `version` removed."""
    known = {normalize(model_type) for model_type in types}
    table = tomllib.loads(REMOVED_TYPES_FILE.read_text(encoding="utf-8"))
    return {
        model_type: removed_in
        for removed_in, removed in table.items()
        if _release(removed_in) <= _release(version)
        for model_type in sorted(removed)
        if normalize(model_type) not in known
    }


def _release(version: str) -> tuple[int, ...]:
    """`5.25.0` -> (5, 25, 0); `5.0.0rc1` -> (5, 0, 0): the release numbers, compared as numbers."""
    match = re.match(r"\d+(?:\.\d+)*", version)
    return tuple(int(part) for part in match.group(0).split(".")) if match else ()


def render(catalog: Mapping[str, Any]) -> str:
    """One model per line: diffs between transformers versions stay readable."""
    head = {key: value for key, value in catalog.items() if key not in ("models", "exports")}
    lines = ["{"]
    lines += [
        f"  {json.dumps(key)}: {json.dumps(value, sort_keys=True)}," for key, value in head.items()
    ]
    lines.append('  "models": {')
    entries = list(catalog["models"].items())
    for index, (model_type, entry) in enumerate(entries):
        comma = "," if index < len(entries) - 1 else ""
        lines.append(f"    {json.dumps(model_type)}: {json.dumps(entry, sort_keys=True)}{comma}")
    lines.append("  },")
    lines.append(f'  "exports": {json.dumps(catalog["exports"])}')
    lines.append("}")
    return "\n".join(lines) + "\n"


def check_unambiguous(catalog: Mapping[str, Any]) -> list[str]:
    """Spellings that two model types share (each must resolve to one type)."""
    owners: dict[str, set[str]] = {}
    for model_type in catalog["models"]:
        for spelling in spellings(model_type):
            owners.setdefault(spelling, set()).add(model_type)
    return sorted(f"{s}: {', '.join(sorted(t))}" for s, t in owners.items() if len(t) > 1)
