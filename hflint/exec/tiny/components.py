"""Assembling the pre- and post-processing parts of a tiny model (`Components`) and fitting them
to the shrunk config: which parts the task needs, the tokens the processor and config name, image
sizes. The parts are saved beside the model.
"""

from __future__ import annotations

import contextlib
import dataclasses
import inspect
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hflint import task_inputs
from hflint.exec.tiny.processors import (
    build_feature_extractor,
    build_image_processor,
    build_video_processor,
    image_tokens,
    processor_class,
    processor_kwargs,
    processor_tokens,
)
from hflint.exec.tiny.sizes import is_int, is_int_list, vision_config
from hflint.exec.tiny.stages import one_line, stage
from hflint.exec.tiny.tokenizer import (
    add_mask_token,
    add_pad_token,
    add_special_tokens,
    build_tokenizer,
    tokenizer_names,
)


@dataclass
class Components:
    """What goes into a tiny model's directory besides the model."""

    tokenizer: Any = None
    image_processor: Any = None
    feature_extractor: Any = None
    processor_class: Any = None
    processor_attributes: tuple[str, ...] = ()
    # Made for each config (`fit_processor`): its arguments follow the config.
    processor: Any = None
    video_processor: Any = None
    # Why an optional component was left out (shown when the pipeline then fails).
    notes: list[str] = field(default_factory=list)
    # Ids of tokens added for config token ids, by attribute name (`image_token_id`).
    extra_ids: dict[str, int] = field(default_factory=dict)

    def token_ids(self) -> dict[str, int | None]:
        """Token id by attribute name (`eos_token_id`, `image_token_id`...), for `set_token_ids`."""
        if self.tokenizer is None:
            return {}
        ids: dict[str, int | None] = {**token_ids_of(self.tokenizer), **self.extra_ids}
        fallback = self.tokenizer.unk_token_id
        ids["*"] = fallback if fallback is not None else self.tokenizer.eos_token_id
        return ids

    def part_for(self, attribute: str) -> Any:
        """The part a processor attribute takes, by the kind its name ends with, as transformers
        reads it: InstructBLIP's `qformer_tokenizer` is a second tokenizer (checkpoints ship
        another; the one trained here serves both), Granite Speech's `audio_processor` a
        feature extractor."""
        kinds = {
            "video_processor": self.video_processor,
            "image_processor": self.image_processor,
            "audio_processor": self.feature_extractor,
            "feature_extractor": self.feature_extractor,
            "tokenizer": self.tokenizer,
        }
        return next((part for kind, part in kinds.items() if attribute.endswith(kind)), None)

    def vocab(self) -> int | None:
        return None if self.tokenizer is None else len(self.tokenizer)

    def save(self, path: Path, modality: str) -> None:
        # Image processors and feature extractors share `preprocessor_config.json`: the one the
        # task's modality needs is saved last. The processor, saved last of all, adds its own files.
        for part in (self.tokenizer, *self._preprocessors(modality)):
            if part is not None:
                part.save_pretrained(str(path))
        if self.processor is not None:
            self.processor.save_pretrained(str(path))

    def _preprocessors(self, modality: str) -> tuple[Any, Any]:
        if modality == task_inputs.AUDIO:
            return self.image_processor, self.feature_extractor
        return self.feature_extractor, self.image_processor


def needs_text(task: str, modality: str) -> bool:
    """Whether the task's pipeline reads text (so a tokenizer must exist)."""
    return modality in (task_inputs.TEXT, task_inputs.TABLE, task_inputs.MULTIMODAL) or task in (
        "automatic-speech-recognition",
        "zero-shot-image-classification",
        "zero-shot-object-detection",
        "zero-shot-audio-classification",
        "document-question-answering",
    )


def build_components(types: Sequence[str], task: str, modality: str, base: Any) -> Components:
    """The tokenizer and preprocessors; the processor's class, its placeholder tokens added to
    the tokenizer (the processor itself is made once the config is known)."""
    parts = Components(processor_class=processor_class(types, type(base).__name__))
    if parts.processor_class is not None:
        parts.processor_attributes = tuple(parts.processor_class.get_attributes())
    wants_tokenizer = "tokenizer" in parts.processor_attributes or tokenizer_names(types)
    if needs_text(task, modality) or wants_tokenizer:
        with stage("tokenizer"):
            parts.tokenizer = build_tokenizer(types)
            if task_inputs.TASK_INPUTS[task].needs_mask:
                add_mask_token(parts.tokenizer, types)
    parts.image_processor = _optional(
        parts, "image processor", lambda t: build_image_processor(t, task), types
    )
    audio = any(
        a.endswith(("feature_extractor", "audio_processor")) for a in parts.processor_attributes
    )
    parts.feature_extractor = _optional(
        parts, "feature extractor", lambda t: build_feature_extractor(t, needed=audio), types
    )
    if any("video_processor" in a for a in parts.processor_attributes):
        parts.video_processor = build_video_processor(types, parts.image_processor)
    if parts.processor_class is not None and parts.tokenizer is not None:
        add_pad_token(parts.tokenizer)
        _prepare_processor_tokens(parts, base.to_dict())
    return parts


def _prepare_processor_tokens(parts: Components, config: Mapping[str, Any]) -> None:
    """Give the tokenizer the placeholders the processor uses, as single special tokens, and
    the named ones it reads from the tokenizer (`tokenizer.boi_token`); then make a first
    processor from the full-size config, since some add tokens of their own when made
    (PaliGemma's `<image>`). The ids the config must hold follow: the tokenizer's named tokens
    first, then the processor's attributes, then its declared defaults."""
    cls, tokenizer = parts.processor_class, parts.tokenizer
    defaults = processor_tokens(cls)
    add_special_tokens(tokenizer, list(defaults.values()))
    defaults.update(_tokens_set_when_made(parts, config))
    add_special_tokens(tokenizer, list(defaults.values()))
    named = {name: defaults.get(name, f"<|{name}|>") for name in tokenizer_tokens_read(cls)}
    register_named_tokens(tokenizer, named)
    declared = {f"{name}_id": tokenizer.convert_tokens_to_ids(t) for name, t in defaults.items()}
    fit_components(parts, config)
    read = {f"{name}_id": tokenizer.convert_tokens_to_ids(t) for name, t in named.items()}
    parts.extra_ids.update({**declared, **token_ids_of(parts.processor), **read})


def _tokens_set_when_made(parts: Components, config: Mapping[str, Any]) -> dict[str, str]:
    """The placeholder strings a processor sets in its `__init__` rather than declaring them
    (Cohere Compass's `self.image_token = "<|IMAGE_PAD|>"`), read from a first processor: the
    text it writes holds them, so the tokenizer must know them, under the same names. A
    processor that cannot be made yet (it reads a named token the tokenizer lacks) has none."""
    try:
        probe = _make_processor(parts, config)
    except Exception:
        return {}
    tokens = {}
    for name, value in vars(probe).items():
        # A string, or an `AddedToken` (BLIP-2's `<image>`), whose text is its `content`.
        text = value if isinstance(value, str) else getattr(value, "content", None)
        if name.endswith("_token") and isinstance(text, str) and text:
            tokens[name] = text
    return tokens


# The special tokens every tokenizer knows by name.
_STANDARD_TOKENS = frozenset(
    {"bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"}
)


# `tokenizer.<name>_token[_id]`, or the same read through `getattr`.
_TOKENIZER_TOKEN_READ = re.compile(
    r"\btokenizer\.(\w+?_token)(?:_id)?\b|\bgetattr\(\s*tokenizer\s*,\s*[\"'](\w+?_token)(?:_id)?[\"']"
)

# `hasattr(tokenizer, "<name>_token")`: the processor has its own token when the tokenizer has none
# (BLIP-2's `AddedToken("<image>")`, whose `.content` it then reads).
_TOKENIZER_TOKEN_TESTED = re.compile(r"\bhasattr\(\s*tokenizer\s*,\s*[\"'](\w+?_token)[\"']")


def tokenizer_tokens_read(cls: Any) -> list[str]:
    """Model-specific token names a processor reads from its tokenizer (`tokenizer.image_token`,
    `tokenizer.boi_token_id`, `getattr(tokenizer, "audio_token", None)`): checkpoints'
    tokenizers define them, trained ones do not. Those it first tests for are left out."""
    with contextlib.suppress(OSError, TypeError):
        source = inspect.getsource(cls)
        names = [a or b for a, b in _TOKENIZER_TOKEN_READ.findall(source)]
        optional = set(_TOKENIZER_TOKEN_TESTED.findall(source))
        return [n for n in dict.fromkeys(names) if n not in _STANDARD_TOKENS | optional]
    return []


def register_named_tokens(tokenizer: Any, named: Mapping[str, str]) -> None:
    """Add tokens under a name the tokenizer then answers to (`tokenizer.image_token`,
    `tokenizer.image_token_id`) and saves in its config, as a checkpoint's tokenizer does."""
    missing = {}
    for name, token in named.items():
        try:
            getattr(tokenizer, name)
        except AttributeError:
            missing[name] = token
    if not missing:
        return
    add_special_tokens(tokenizer, list(missing.values()))
    # transformers 5 has no public call for named model-specific tokens; this is what its
    # `extra_special_tokens={name: token}` argument runs.
    setter = getattr(tokenizer, "_set_model_specific_special_tokens", None)
    if setter is not None:
        setter(special_tokens=missing)


def token_ids_of(source: Any) -> dict[str, int]:
    ids: dict[str, int] = {}
    if source is None:
        return ids
    # transformers 5 tokenizers answer `pad_token_id` and the like through `__getattr__`, so
    # `dir` does not list them: the standard names are asked for as well.
    names = [n for n in dir(source) if n.endswith("_token_id") and not n.startswith("_")]
    for name in dict.fromkeys([*names, *sorted(f"{t}_id" for t in _STANDARD_TOKENS)]):
        with contextlib.suppress(Exception):
            value = getattr(source, name)
            if is_int(value) and value >= 0:
                ids[name] = value
    return ids


def _optional(
    parts: Components, what: str, build: Callable[[Sequence[str]], Any], types: Sequence[str]
) -> Any:
    try:
        return build(types)
    except Exception as error:
        parts.notes.append(f"{what}: {one_line(error)}")
        return None


def fit_components(parts: Components, config: Mapping[str, Any]) -> None:
    """Make the preprocessors agree with a (shrunk) config: image sizes the position embeddings
    were made for, the processor's model-dependent arguments."""
    if parts.image_processor is not None:
        fit_image_processor(parts.image_processor, config)
    for part in (parts.image_processor, parts.video_processor):
        if part is not None:
            fit_patch_grid(part, config)
    if parts.processor_class is None:
        return
    try:
        parts.processor = _make_processor(parts, config)
    except Exception as error:
        parts.processor = None
        parts.notes.append(f"processor {parts.processor_class.__name__}: {one_line(error)}")


def _make_processor(parts: Components, config: Mapping[str, Any]) -> Any:
    """The processor made of the parts, with the arguments the config implies."""
    kwargs = processor_kwargs(parts.processor_class, config)
    for attribute in parts.processor_attributes:
        kwargs[attribute] = parts.part_for(attribute)
    return parts.processor_class(**kwargs)


def fit_image_processor(processor: Any, config: Mapping[str, Any]) -> None:
    """Resize to the vision config's image size; record how many tokens an image makes."""
    size = vision_config(config).get("image_size")
    if is_int(size):
        height = width = int(size)
    elif is_int_list(size) and len(size) == 2:
        height, width = int(size[0]), int(size[1])
    else:
        return
    size_now = _size_fields(getattr(processor, "size", None))
    if size_now.keys() >= {"height", "width"}:
        _set_size(processor, "size", {**size_now, "height": height, "width": width})
    elif size_now.keys() == {"shortest_edge"}:
        _set_size(processor, "size", {"shortest_edge": min(height, width)})
    crop_now = _size_fields(getattr(processor, "crop_size", None))
    if crop_now.keys() >= {"height", "width"}:
        _set_size(processor, "crop_size", {**crop_now, "height": height, "width": width})
    if getattr(processor, "image_seq_length", None) is None and (tokens := image_tokens(config)):
        processor.image_seq_length = tokens


# An image or video processor's patch grid, and where the vision config keeps the same size: the
# processor cuts the image into the patches the model's patch embedding unfolds, so they must agree
# (Qwen3-VL's default processor cuts 14-pixel patches, its default vision config embeds 16-pixel ones).
_PATCH_GRID = {
    "patch_size": ("patch_size",),
    "temporal_patch_size": ("temporal_patch_size",),
    "merge_size": ("spatial_merge_size", "merge_size"),
}


def fit_patch_grid(processor: Any, config: Mapping[str, Any]) -> None:
    """Give the processor the vision config's patch, temporal patch and merge sizes, where both
    have them as numbers."""
    vision = vision_config(config)
    for name, config_names in _PATCH_GRID.items():
        value = next((vision[n] for n in config_names if is_int(vision.get(n))), None)
        if value is not None and is_int(getattr(processor, name, None)):
            setattr(processor, name, value)


def _size_fields(size: Any) -> dict[str, Any]:
    """The set fields of an image processor size (a dict, or a `SizeDict` in transformers 5)."""
    if isinstance(size, dict):
        return {k: v for k, v in size.items() if v is not None}
    if dataclasses.is_dataclass(size) and not isinstance(size, type):
        return {k: v for k, v in dataclasses.asdict(size).items() if v is not None}
    return {}


def _set_size(processor: Any, name: str, fields: dict[str, Any]) -> None:
    current = getattr(processor, name)
    setattr(processor, name, fields if isinstance(current, dict) else type(current)(**fields))
