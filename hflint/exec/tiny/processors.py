"""Image processors, feature extractors, video processors and processors for tiny models.

Each is made from its class's defaults, picked through transformers' auto mappings for the type and
its sub-config types; a processor gets the keywords its config implies (image token counts...).
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.metadata
import inspect
import re
from collections.abc import Mapping, Sequence
from typing import Any

from hflint import task_inputs
from hflint.exec.tiny.sizes import is_int, is_subconfig, vision_config
from hflint.exec.tiny.stages import one_line, transformers_class


def _mapped(mapping_module: str, mapping_name: str, types: Sequence[str]) -> list[str]:
    mapping = getattr(importlib.import_module(mapping_module), mapping_name)
    names: list[str] = []
    for model_type in types:
        value = mapping.get(model_type)
        if isinstance(value, dict):  # image processors: {"pil": ..., "torchvision": ...}
            names.extend(_image_processor_choice(value))
        elif isinstance(value, (tuple, list)):
            names.extend(v for v in value if v)
        elif value:
            names.append(value)
    return list(dict.fromkeys(names))


def _image_processor_choice(backends: Mapping[str, str | None]) -> list[str]:
    from transformers.utils import is_torchvision_available

    order = ("torchvision", "pil") if is_torchvision_available() else ("pil",)
    return [name for backend in order if (name := backends.get(backend))]


def _first_built(names: Sequence[str]) -> Any:
    errors = []
    for name in names:
        cls = transformers_class(name)
        if cls is None:
            continue
        try:
            return cls()
        except Exception as error:
            errors.append(one_line(error))
    if errors:
        raise RuntimeError(errors[0])
    return None


# Image processors for types that map to none (D-FINE, HGNet-V2, VitDet): checkpoints ship one
# of these, and the pipeline only needs resizing, normalising and the task's post-processing.
_FALLBACK_IMAGE_PROCESSORS = {"object-detection": "RTDetrImageProcessorPil"}
_FALLBACK_IMAGE_PROCESSOR = "ViTImageProcessorPil"


def build_image_processor(types: Sequence[str], task: str = "") -> Any:
    """The type's image processor, else one of a type its name extends (`rt_detr_v2` ->
    `rt_detr`, `dinov2_with_registers` -> `dinov2`), as checkpoints of such types ship; a
    generic one for image tasks of types that map to none."""
    module = "transformers.models.auto.image_processing_auto"
    mapping = importlib.import_module(module).IMAGE_PROCESSOR_MAPPING_NAMES
    for candidates in (types, _name_prefixes(types[0])):
        backends = [mapping[t] for t in candidates if isinstance(mapping.get(t), dict)]
        names = [name for value in backends for name in _image_processor_choice(value)]
        if names:
            return _first_built(names)
        if backends:  # mapped, but to torchvision-only classes
            wanted = ", ".join(str(b.get("torchvision")) for b in backends)
            raise RuntimeError(f"{wanted} needs torchvision, which is not installed")
    modality = task_inputs.TASK_INPUTS[task].modality if task in task_inputs.TASK_INPUTS else ""
    if modality == task_inputs.IMAGE:
        return _first_built([_FALLBACK_IMAGE_PROCESSORS.get(task, _FALLBACK_IMAGE_PROCESSOR)])
    return None


def _name_prefixes(model_type: str) -> list[str]:
    """`rt_detr_v2` -> [`rt_detr`, `rt`]: the types a type's name extends, longest first."""
    words = re.split(r"[_-]", model_type)
    return ["_".join(words[:n]) for n in range(len(words) - 1, 0, -1)]


# The feature extractor audio-language checkpoints of types that map to none ship (Qwen2.5-Omni's
# thinker, Music Flamingo): log-mel features, Whisper's.
_FALLBACK_FEATURE_EXTRACTOR = "WhisperFeatureExtractor"


def build_feature_extractor(types: Sequence[str], needed: bool = False) -> Any:
    """The type's feature extractor; when none maps and its processor `needed` one, Whisper's."""
    names = _mapped(
        "transformers.models.auto.feature_extraction_auto", "FEATURE_EXTRACTOR_MAPPING_NAMES", types
    )
    return _first_built(names or ([_FALLBACK_FEATURE_EXTRACTOR] if needed else []))


def build_video_processor(types: Sequence[str], image_processor: Any = None) -> Any:
    """The type's video processor, else the one beside its image processor
    (`Qwen2VLImageProcessor` -> `Qwen2VLVideoProcessor`), as checkpoints of types that map to
    none (Qwen2.5-Omni's thinker, GLM-4.5V) ship."""
    names = _mapped(
        "transformers.models.auto.video_processing_auto", "VIDEO_PROCESSOR_MAPPING_NAMES", types
    )
    if image_processor is not None:
        image_name = re.sub(r"(Fast|Pil)$", "", type(image_processor).__name__)
        names.append(image_name.replace("ImageProcessor", "VideoProcessor"))
    with contextlib.suppress(Exception):
        return _first_built(names)
    return None


def processor_class(types: Sequence[str], config_class: str) -> Any:
    """The type's processor: from the auto mapping, else from a type its name extends
    (`qwen2_5_omni_thinker`), else by transformers' naming of the config (`Kosmos2Config` ->
    `Kosmos2Processor`, which the mapping lacks), of the model it maps to (`glmga` ->
    `Glm46VModel` -> `Glm46VProcessor`), or of the video or image processor it maps to
    (`cosmos3_omni` -> `Qwen3VLVideoProcessor` -> `Qwen3VLProcessor`), as checkpoints of types
    that share another's model or preprocessing ship that type's processor (`data2vec-audio` ->
    `Wav2Vec2FeatureExtractor` -> `Wav2Vec2Processor`, what its checkpoints name)."""
    module = "transformers.models.auto.processing_auto"
    names = _mapped(module, "PROCESSOR_MAPPING_NAMES", types[:1])
    names = names or _mapped(module, "PROCESSOR_MAPPING_NAMES", _name_prefixes(types[0]))
    names.append(config_class.removesuffix("Config") + "Processor")
    names.extend(_sibling_processors(types[0]))
    return next((cls for name in names if (cls := transformers_class(name)) is not None), None)


# Where transformers maps a type to the classes whose names say which processor goes with them.
_SIBLING_MAPPINGS = (
    ("transformers.models.auto.modeling_auto", "MODEL_MAPPING_NAMES", "Model"),
    (
        "transformers.models.auto.video_processing_auto",
        "VIDEO_PROCESSOR_MAPPING_NAMES",
        "VideoProcessor",
    ),
    (
        "transformers.models.auto.image_processing_auto",
        "IMAGE_PROCESSOR_MAPPING_NAMES",
        "ImageProcessor",
    ),
    (
        "transformers.models.auto.feature_extraction_auto",
        "FEATURE_EXTRACTOR_MAPPING_NAMES",
        "FeatureExtractor",
    ),
)


def _sibling_processors(model_type: str) -> list[str]:
    """`<Stem>Processor` for each class the type's base model, video processor, image processor
    and feature extractor mappings name `<Stem>Model`, `<Stem>VideoProcessor`,
    `<Stem>ImageProcessor[Pil]`, `<Stem>FeatureExtractor`."""
    names = []
    for module, mapping, suffix in _SIBLING_MAPPINGS:
        for name in _mapped(module, mapping, [model_type]):
            stem = re.sub(r"(Fast|Pil)$", "", name)
            if stem.endswith(suffix):
                names.append(stem.removesuffix(suffix) + "Processor")
    return names


def processor_tokens(cls: Any) -> dict[str, str]:
    """The placeholder strings a processor puts in its text (`image_token="<image>"`...), by
    name: they must be single tokens of the tokenizer, and config ids of the same name point at
    them (`image_token_id`)."""
    tokens: dict[str, str] = {}
    for name in dir(cls):
        value = getattr(cls, name, None)
        if name.endswith("_token") and isinstance(value, str) and not name.startswith("_"):
            tokens[name] = value
    for name, parameter in inspect.signature(cls.__init__).parameters.items():
        if name.endswith("_token") and isinstance(parameter.default, str):
            tokens[name] = parameter.default
    return tokens


# Processor arguments that no config attribute has under the same name: where to read them.
_PROCESSOR_ALIASES = {
    "image_seq_length": ("image_seq_length", "num_image_tokens", "mm_tokens_per_image"),
    "num_image_tokens": ("num_image_tokens", "image_seq_length", "mm_tokens_per_image"),
}


def find_in_config(config: Mapping[str, Any], name: str) -> Any:
    """The value of `name` in a config dict, its own attributes first, then its sub-configs'."""
    if config.get(name) is not None:
        return config[name]
    for value in config.values():
        if is_subconfig(value) and (found := find_in_config(value, name)) is not None:
            return found
    return None


def image_tokens(config: Mapping[str, Any]) -> int | None:
    """How many tokens one image becomes, where the config says or implies it."""
    for name in _PROCESSOR_ALIASES["image_seq_length"]:
        if is_int(value := find_in_config(config, name)):
            return int(value)
    vision = vision_config(config)
    size, patch = vision.get("image_size"), vision.get("patch_size")
    if is_int(size) and is_int(patch) and patch > 0:
        return int(size // patch) ** 2
    return None


def processor_kwargs(cls: Any, config: Mapping[str, Any]) -> dict[str, Any]:
    """Processor arguments that describe the model (`patch_size`,
    `vision_feature_select_strategy`, `image_seq_length`...), read from the config: hub
    checkpoints ship them in `processor_config.json`, defaults often leave them None."""
    kwargs: dict[str, Any] = {}
    for name, parameter in inspect.signature(cls.__init__).parameters.items():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD) or name == "self":
            continue
        if (
            name.endswith(("_token", "processor", "tokenizer", "extractor"))
            or name == "chat_template"
        ):
            continue
        if name in _PROCESSOR_ALIASES:
            value: Any = image_tokens(config)
        else:
            value = find_in_config(config, name)
        if value is not None:
            kwargs[name] = value
    if "num_additional_image_tokens" in inspect.signature(cls.__init__).parameters:
        # CLIP-like vision towers add a CLS token to the patches.
        vision_type = str(vision_config(config).get("model_type", ""))
        kwargs["num_additional_image_tokens"] = 1 if "clip" in vision_type else 0
    return kwargs
