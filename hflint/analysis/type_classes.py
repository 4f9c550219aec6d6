"""What loads a model type's checkpoints, from the catalog: the auto model classes whose mapping
holds it, the preprocessors it has, and which of them fits a task. `has_loader` says whether the
type has what an auto class loads, `lacks` whether loading it with one certainly fails, and
`class_for_task` what replaces a class it lacks for the task the file runs. Shared by HF207
(`hflint.analysis.loaders` finds the loads) and HF403 (a placeholder such as
`ModelTypeForMaskedLM` for a head the type lacks). Lint-safe: the catalog only.
"""

from __future__ import annotations

from collections.abc import Mapping

from hflint import task_inputs as ti
from hflint.catalog import ModelEntry, normalize

# The auto classes of preprocessors, with the catalog's kind of each.
PREPROCESSOR_KINDS: Mapping[str, str] = {
    "AutoTokenizer": "tokenizer",
    "AutoImageProcessor": "image_processor",
    "AutoFeatureExtractor": "feature_extractor",
    "AutoVideoProcessor": "video_processor",
}
# What reads a task's input, by its modality (the canonical skeleton's choice; `AutoProcessor`
# falls back on whichever of the others a checkpoint has).
MODALITY_LOADERS: Mapping[str, str] = {
    ti.TEXT: "AutoTokenizer",
    ti.TABLE: "AutoTokenizer",
    ti.IMAGE: "AutoImageProcessor",
    ti.VIDEO: "AutoVideoProcessor",
    ti.AUDIO: "AutoFeatureExtractor",
    ti.MULTIMODAL: "AutoProcessor",
}
_TEXT_FAMILIES = frozenset({"text-encoder", "decoder", "encoder-decoder"})
# The families in which a type without a kind of preprocessor certainly has none: its
# checkpoints hold no such files, and transformers 5 has no other class to fall back on (a vision
# checkpoint's `ViTFeatureExtractor` is gone). Elsewhere (multimodal types, audio types read by
# another type's feature extractor) the checkpoint may still say.
_CERTAINLY_WITHOUT: Mapping[str, frozenset[str]] = {
    "tokenizer": frozenset({"vision", "audio", "time-series"}),
    "image_processor": _TEXT_FAMILIES | {"audio", "time-series"},
    "feature_extractor": _TEXT_FAMILIES | {"vision", "vision-text", "time-series"},
    "video_processor": _TEXT_FAMILIES | {"audio", "time-series"},
}


def is_loader_class(name: str) -> bool:
    return name.startswith("AutoModel") or name == "AutoBackbone" or name in PREPROCESSOR_KINDS


def has_loader(model: ModelEntry, class_name: str) -> bool:
    """Whether the catalog says the type has what `class_name` loads (`AutoProcessor` falls back
    on a tokenizer, an image processor or a feature extractor)."""
    if class_name == "AutoProcessor":
        return model.tokenizer is not None or bool(model.preprocessors)
    kind = PREPROCESSOR_KINDS.get(class_name)
    if kind is None:  # a snapshot from before schema 3 knows only the classes of the tasks
        known = model.auto_classes
        return class_name in (known if known is not None else model.tasks.values())
    return model.tokenizer is not None if kind == "tokenizer" else kind in model.preprocessors


def lacks(model: ModelEntry, class_name: str) -> bool:
    """Whether loading the type's checkpoints with `class_name` certainly fails: an auto model
    class whose mapping does not hold the type, or the auto class of a preprocessor the type has
    none of (judged only in the families where its checkpoints cannot have one, for types that
    are their module's own: `donut-swin` is read through donut's checkpoints, and never for the
    reader of an input one of its tasks takes: a text-to-speech type's checkpoints name their
    tokenizer class, which transformers' mapping need not list)."""
    if model.auto_classes is None or not is_loader_class(class_name):
        return False  # a snapshot from before schema 3 does not say
    kind = PREPROCESSOR_KINDS.get(class_name)
    if kind is None:
        return not has_loader(model, class_name)
    if normalize(model.model_type) != normalize(model.module) or not model.auto_classes:
        return False
    if any(_reader(task) == class_name for task in model.tasks):
        return False
    return not has_loader(model, class_name) and model.family in _CERTAINLY_WITHOUT[kind]


def _reader(task: str) -> str | None:
    """The auto class of the preprocessor that reads `task`'s input."""
    entry = ti.task_input(task)
    return MODALITY_LOADERS.get(entry.modality) if entry is not None else None


def fits_type(model: ModelEntry, class_name: str) -> bool:
    """Whether `class_name` can load the type's checkpoints as far as the catalog tells: an auto
    model class the type has, or a preprocessor class it does not certainly lack."""
    if class_name in PREPROCESSOR_KINDS or class_name == "AutoProcessor":
        return not lacks(model, class_name)
    return has_loader(model, class_name)


def class_for_task(model: ModelEntry, class_name: str, task: str | None) -> str | None:
    """What replaces a class the type lacks when the file runs `task`: the type's auto class for
    the task, or the preprocessor that reads the task's input; None when the type has neither."""
    if task is None:
        return None
    if class_name not in PREPROCESSOR_KINDS:
        return model.tasks.get(task)
    loader = _reader(task)
    return loader if loader is not None and has_loader(model, loader) else None
