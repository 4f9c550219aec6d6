"""What a test input for each pipeline task looks like, and what its pipeline returns: the one
table fixes (and skeletons) use.

For every pipeline task of the transformers version the catalog targets, `TASK_INPUTS` gives the
modality of the pipeline's main input, a canonical test input made in memory (no downloads, no
files), the keyword arguments the call cannot do without (zero-shot tasks need candidate labels),
and the keyword arguments the pipeline accepts at all (None where it takes any). Tests check the
table against the installed transformers (`tests/test_tasks.py`).

Inputs are Python expressions, kept as source text and parsed only when a fix builds code from
them. Two names in them are placeholders, bound by LibCST transformations, never by string
templating: `PIPE` is the pipeline object (the fill-mask input asks its tokenizer for the mask
token), and the module names in `IMPORTS` (`Image`, `numpy`) are renamed to whatever the target file
already binds them to (`np`), or imported.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import libcst as cst

# Modalities of a pipeline's main input.
TEXT = "text"
IMAGE = "image"
AUDIO = "audio"
VIDEO = "video"
TABLE = "table"
MULTIMODAL = "multimodal"

# What a statically known input is (see `hflint.analysis.tasks.input_kind`): `location` is a string naming a
# URL or a file, which image, audio and video pipelines load (and text pipelines read as text);
# `array` is a numeric array (an audio waveform, usually).
LOCATION = "location"
ARRAY = "array"

# The placeholder for the pipeline object in input expressions.
PIPE = "PIPE"
SENTENCE = '"hflint checks that this sentence runs through the model."'
PROMPT = '"The quick brown fox"'
PICTURE = 'Image.new("RGB", (64, 64), "white")'
WAVEFORM = 'numpy.zeros(16000, dtype="float32")'  # one second of silence at 16 kHz
MASKED_SENTENCE = 'f"Paris is the {PIPE.tokenizer.mask_token} of France."'
# An image and a question for image-text-to-text: a chat turn when the processor has a chat
# template, which puts the model's own image placeholder (`<image>`, `<|image_pad|>`...) in the
# prompt, as most vision-language processors require; else the plain pair, for processors that
# have no template and place the image's tokens themselves (BLIP, Pix2Struct, Kosmos-2). Laid out
# on several lines as ruff would, since it fits on none (fixes indent it where they put it).
IMAGE_QUESTION = f"""(
    [
        {{
            "role": "user",
            "content": [
                {{"type": "image", "image": {PICTURE}}},
                {{"type": "text", "text": "Describe the image."}},
            ],
        }}
    ]
    if {PIPE}.processor.chat_template
    else {{"images": {PICTURE}, "text": "Describe the image."}}
)"""

# Names the input expressions use -> the statement that binds each, and the module it comes from.
IMPORTS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "Image": ("from PIL import Image", "PIL.Image"),
        "numpy": ("import numpy", "numpy"),
    }
)
# Keyword arguments every pipeline call takes (`Pipeline.__call__` consumes them).
ALWAYS_ACCEPTED = frozenset({"batch_size", "num_workers"})
# Spellings of mask tokens in literal test sentences (the fill-mask pipeline needs exactly one).
MASK_MARKERS = ("[MASK]", "<mask>", "[mask]", "<MASK>", "<special1>")


@dataclass(frozen=True)
class TaskInput:
    """How to call a pipeline of one task on a test input."""

    modality: str
    # Positional arguments of a canonical call; empty when no input can be made in memory.
    args: tuple[str, ...] = ()
    # Keyword arguments of a canonical call (name, expression); `required` names the ones a call
    # fails without.
    keywords: tuple[tuple[str, str], ...] = ()
    required: frozenset[str] = frozenset()
    # The keyword arguments the pipeline accepts besides ALWAYS_ACCEPTED; None: any (it forwards
    # them to the tokenizer, the model or `generate`).
    accepts: frozenset[str] | None = None
    # Whether the kind of the main (first) argument can be checked against `modality` (HF205).
    checked: bool = True
    # Whether a text input must contain the tokenizer's mask token.
    needs_mask: bool = False

    def accepts_keyword(self, name: str) -> bool:
        return (
            self.accepts is None
            or name in self.accepts
            or name in ALWAYS_ACCEPTED
            or name in self.required
        )


def _labels(*labels: str) -> str:
    return "[" + ", ".join(f'"{label}"' for label in labels) + "]"


def _image_task(
    keywords: tuple[tuple[str, str], ...] = (),
    required: frozenset[str] = frozenset(),
    accepts: frozenset[str] | None = None,
) -> TaskInput:
    return TaskInput(IMAGE, (PICTURE,), keywords, required, accepts)


def _audio_task(
    keywords: tuple[tuple[str, str], ...] = (), required: frozenset[str] = frozenset()
) -> TaskInput:
    return TaskInput(AUDIO, (WAVEFORM,), keywords, required)


TASK_INPUTS: Mapping[str, TaskInput] = MappingProxyType(
    {
        # Text in.
        "feature-extraction": TaskInput(TEXT, (SENTENCE,)),
        "fill-mask": TaskInput(
            TEXT,
            (MASKED_SENTENCE,),
            accepts=frozenset({"top_k", "targets", "tokenizer_kwargs"}),
            needs_mask=True,
        ),
        "text-classification": TaskInput(TEXT, (SENTENCE,)),
        "token-classification": TaskInput(
            TEXT,
            (SENTENCE,),
            accepts=frozenset(
                {
                    "ignore_labels",
                    "aggregation_strategy",
                    "offset_mapping",
                    "is_split_into_words",
                    "stride",
                    "delimiter",
                }
            ),
        ),
        "text-generation": TaskInput(TEXT, (PROMPT,), (("max_new_tokens", "8"),)),
        "zero-shot-classification": TaskInput(
            TEXT,
            (SENTENCE,),
            (("candidate_labels", _labels("positive", "negative")),),
            required=frozenset({"candidate_labels"}),
        ),
        "text-to-audio": TaskInput(
            TEXT,
            (SENTENCE,),
            accepts=frozenset(
                {"preprocess_params", "forward_params", "generate_kwargs", "processor_kwargs"}
            ),
        ),
        "table-question-answering": TaskInput(
            TABLE,
            (),
            (
                ("table", '{"City": ["Paris", "Berlin"], "Country": ["France", "Germany"]}'),
                ("query", '"Which country is Paris in?"'),
            ),
            required=frozenset({"table", "query"}),
            checked=False,
        ),
        # Images in.
        "image-classification": _image_task(
            accepts=frozenset({"top_k", "function_to_apply", "timeout"})
        ),
        "image-feature-extraction": _image_task(),
        "image-segmentation": _image_task(),
        "object-detection": _image_task(),
        "depth-estimation": _image_task(),
        # 16 prompt points rather than the default 1,024: on a CPU the default grid takes minutes
        # even on a tiny SAM, and a smoke test needs the masks to come out, not to be many.
        "mask-generation": _image_task(keywords=(("points_per_crop", "4"),)),
        "zero-shot-image-classification": _image_task(
            keywords=(("candidate_labels", _labels("a cat", "a dog")),),
            required=frozenset({"candidate_labels"}),
        ),
        "zero-shot-object-detection": _image_task(
            keywords=(("candidate_labels", _labels("a cat", "a dog")),),
            required=frozenset({"candidate_labels"}),
        ),
        "document-question-answering": _image_task(
            keywords=(("question", '"What is written here?"'),),
            required=frozenset({"question"}),
        ),
        "keypoint-matching": TaskInput(
            IMAGE,
            (f"[{PICTURE}, {PICTURE}]",),
            accepts=frozenset({"threshold", "timeout"}),
            checked=False,  # a pair of images
        ),
        # Audio in.
        "automatic-speech-recognition": _audio_task(),
        "audio-classification": _audio_task(),
        "zero-shot-audio-classification": _audio_task(
            keywords=(("candidate_labels", _labels("speech", "music")),),
            required=frozenset({"candidate_labels"}),
        ),
        # Video in: only from a file or URL, which a test input must not need.
        "video-classification": TaskInput(
            VIDEO,
            accepts=frozenset({"top_k", "num_frames", "frame_sampling_rate", "function_to_apply"}),
        ),
        # Several inputs at once; the first argument alone says little.
        "image-text-to-text": TaskInput(
            MULTIMODAL, (IMAGE_QUESTION,), (("max_new_tokens", "8"),), checked=False
        ),
        "any-to-any": TaskInput(MULTIMODAL, (PROMPT,), (("max_new_tokens", "8"),), checked=False),
        "decision": TaskInput(MULTIMODAL, accepts=frozenset(), checked=False),
    }
)


# How a pipeline's output is laid out: a list with one dict per result (`items`), one dict
# (`mapping`), or nested lists of numbers (`nested`, the feature-extraction tasks).
ITEMS = "items"
MAPPING = "mapping"
NESTED = "nested"


@dataclass(frozen=True)
class TaskOutput:
    """What a pipeline of one task returns for one input: its layout and the keys of its dicts
    (the keys code reading it may use; optional ones included)."""

    layout: str
    keys: frozenset[str] = frozenset()


def _items(*keys: str) -> TaskOutput:
    return TaskOutput(ITEMS, frozenset(keys))


def _mapping(*keys: str) -> TaskOutput:
    return TaskOutput(MAPPING, frozenset(keys))


_LABELLED = _items("label", "score")
# What each task's pipeline returns for one input (transformers' pipeline documentation; the
# text tasks of a BERT and the speech ones are checked against real pipelines by the tests). A fix that moves a
# pipeline to another task is safe only when what the file reads of the output fits the new one.
TASK_OUTPUTS: Mapping[str, TaskOutput] = MappingProxyType(
    {
        "feature-extraction": TaskOutput(NESTED),
        "fill-mask": _items("score", "token", "token_str", "sequence"),
        "text-classification": _LABELLED,
        "token-classification": _items(
            "entity", "entity_group", "score", "index", "word", "start", "end"
        ),
        "text-generation": _items("generated_text"),
        "zero-shot-classification": _mapping("sequence", "labels", "scores"),
        "text-to-audio": _mapping("audio", "sampling_rate"),
        "table-question-answering": _mapping("answer", "coordinates", "cells", "aggregator"),
        "image-classification": _LABELLED,
        "image-feature-extraction": TaskOutput(NESTED),
        "image-segmentation": _items("score", "label", "mask"),
        "object-detection": _items("score", "label", "box"),
        "depth-estimation": _mapping("predicted_depth", "depth"),
        "mask-generation": _mapping("masks", "scores"),
        "zero-shot-image-classification": _LABELLED,
        "zero-shot-object-detection": _items("score", "label", "box"),
        "document-question-answering": _items("score", "answer", "start", "end"),
        "keypoint-matching": _items("keypoint_image_0", "keypoint_image_1", "score"),
        "automatic-speech-recognition": _mapping("text", "chunks"),
        "audio-classification": _LABELLED,
        "zero-shot-audio-classification": _LABELLED,
        "video-classification": _LABELLED,
        "image-text-to-text": _items("input_text", "generated_text"),
        "any-to-any": _items("input_text", "generated_text"),
    }
)


def task_input(task: str) -> TaskInput | None:
    """The entry of a canonical task name (`catalog.canonical_task` first for aliases)."""
    return TASK_INPUTS.get(task)


# Pipelines that return hidden states whatever the model reads: alone, they say nothing of its input.
GENERIC_TASKS = frozenset({"feature-extraction", "image-feature-extraction"})


def runs_pipeline(task: str, model_tasks: Collection[str] | None) -> bool:
    """Whether a test of a model (whose tasks are `model_tasks`, None when unknown) for `task`
    runs it through the task's pipeline. It does not, and builds the model directly, when no input
    of the task can be made in memory (a video, an episode) or the model's only pipelines are the
    generic feature extractors: generated `direct` files, and the tiny models they load."""
    entry = task_input(task)
    if entry is None or not (entry.args or entry.keywords):
        return False
    return not (
        model_tasks is not None and task in GENERIC_TASKS and set(model_tasks) <= GENERIC_TASKS
    )


_LOCATION = re.compile(
    r"(://|^data:|[.](png|jpe?g|gif|bmp|webp|tiff?|wav|flac|mp3|ogg|m4a|mp4|avi|mkv|webm|pdf)$)",
    re.IGNORECASE,
)


def string_kind(value: str) -> str:
    """`location` for a URL or a file name (what media pipelines load), else `text`."""
    if _LOCATION.search(value.strip()) and " " not in value.strip():
        return LOCATION
    return TEXT


def has_mask_marker(value: str) -> bool:
    return any(marker in value for marker in MASK_MARKERS)


def mismatch(modality: str, kind: str) -> bool:
    """Whether an input of `kind` (text, location, image, audio, array) cannot feed a pipeline
    whose main input is `modality`. Unknown combinations are never a mismatch."""
    wrong = {
        TEXT: {IMAGE, AUDIO, ARRAY},
        IMAGE: {TEXT, AUDIO},
        AUDIO: {TEXT, IMAGE},
        VIDEO: {TEXT, IMAGE, AUDIO},
    }
    return kind in wrong.get(modality, set())


def suits(entry: TaskInput, kind: str | None, masked: bool) -> bool:
    """Whether an input of `kind` fits the task (for fill-mask, text with a mask token)."""
    if kind is None:
        return False
    if entry.needs_mask:
        return kind == TEXT and masked
    if entry.modality == TEXT:
        return kind in (TEXT, LOCATION)
    if entry.modality == IMAGE:
        return kind in (IMAGE, LOCATION)
    if entry.modality == AUDIO:
        return kind in (AUDIO, ARRAY, LOCATION)
    if entry.modality == VIDEO:
        return kind == LOCATION
    return not mismatch(entry.modality, kind)


# --- building inputs (fixes only) -----------------------------------------------------------------


class _Bind(cst.CSTTransformer):
    """Replace the `PIPE` placeholder and rename imported names to the target file's aliases."""

    def __init__(self, pipe: cst.BaseExpression | None, names: Mapping[str, str]) -> None:
        # `names`: placeholder name -> the expression the file refers to that module by.
        super().__init__()
        self.pipe = pipe
        self.names = names
        self.unbound = False

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        if updated_node.value == PIPE:
            if self.pipe is None:
                self.unbound = True
                return updated_node
            return self.pipe.deep_clone()
        if updated_node.value in self.names:
            return cst.parse_expression(self.names[updated_node.value])
        return updated_node


def build_expression(
    source: str, *, pipe: cst.BaseExpression | None, names: Mapping[str, str]
) -> cst.BaseExpression | None:
    """The expression `source` with its placeholders bound; None when it needs the pipeline
    object and there is none (a pipeline called where it is built)."""
    binder = _Bind(pipe, names)
    expression = cst.parse_expression(source).visit(binder)
    if binder.unbound or not isinstance(expression, cst.BaseExpression):
        return None
    return expression


def names_used(sources: Sequence[str]) -> list[str]:
    """The names of `IMPORTS` that the expressions `sources` use, in `IMPORTS` order."""
    return [name for name in IMPORTS if any(re.search(rf"\b{name}\b", s) for s in sources)]
