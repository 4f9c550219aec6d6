"""The tiny config, the model and the pipeline check.

`tiny_config` shrinks the type's default config and points its token ids at tokens that exist;
`build_model` makes the model with the task's auto class in float32; `run_pipeline` runs the saved
directory on the task's canonical input (`hflint.task_inputs`), with each chat template to try.
"""

from __future__ import annotations

import contextlib
import inspect
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from hflint import task_inputs
from hflint.exec.tiny.components import Components
from hflint.exec.tiny.shrink import shrink_config_dict
from hflint.exec.tiny.sizes import Level, is_int, is_int_list, is_subconfig
from hflint.exec.tiny.stages import TinyModelUnavailable, stage, transformers_class
from hflint.exec.tiny.tokenizer import add_special_tokens

# Models larger than this are not worth a tiny-model slot (a shrink that kept widths). 20M
# parameters are 80 MB in float32, built in a second or two: what the widest shrunk detection and
# speech models (convolutional backbones with fixed channel lists, vocoders) still come to.
MAX_PARAMETERS = 20_000_000
# Token ids a config may hold; they must index the (shrunk) embedding table.
_TOKEN_ID = re.compile(r"_token_(id|ids|index)$")
# A tokenizer special token for each common id.
_TOKEN_ROLES = {
    "bos": "bos_token_id",
    "eos": "eos_token_id",
    "pad": "pad_token_id",
    "unk": "unk_token_id",
    "sep": "sep_token_id",
    "cls": "cls_token_id",
    "mask": "mask_token_id",
    "decoder_start": "bos_token_id",
    "forced_bos": "bos_token_id",
    "forced_eos": "eos_token_id",
}


def set_token_ids(config: dict[str, Any], ids: Mapping[str, int | None], vocab: int) -> None:
    """Point every token id of a config dict (sub-configs included) at a token that exists:
    the id `ids` gives for its name or role, else (when out of range) the fallback `ids["*"]`;
    and make every vocabulary at least `vocab` entries."""
    start = _decoder_start_role(config, ids)
    for key, value in list(config.items()):
        if is_subconfig(value):
            set_token_ids(value, ids, vocab)
        elif key == "decoder_start_token_id" and start is not None:
            config[key] = ids[start]
        elif key == "vocab_size" and (is_int(value) or value is None):
            config[key] = vocab
        elif _TOKEN_ID.search(key) and (is_int(value) or is_int_list(value)):
            config[key] = _token_id(key, value, ids, vocab)
        elif _TOKEN_ID.search(key) and value is None and key not in _NONE_MEANS_NONE:
            # `image_token_index` (BLIP-2's) is the processor's `image_token_id`.
            same = ids.get(_TOKEN_ID.sub("_token_id", key))
            if same is not None:
                config[key] = same


def _decoder_start_role(config: Mapping[str, Any], ids: Mapping[str, int | None]) -> str | None:
    """The token decoders start from, as the config has it: the same id as its padding (T5,
    ProphetNet, whose positions count from it), end or start token, which must stay the same."""
    start = config.get("decoder_start_token_id")
    if not is_int(start):
        return None
    roles = ("pad_token_id", "eos_token_id", "bos_token_id")
    return next((r for r in roles if config.get(r) == start and ids.get(r) is not None), None)


# Ids that default configs leave None for checkpoints to set are the tokenizer's or processor's of
# the same name, as checkpoints set them: models still use them as numbers (ESM's embedding padding
# index is `pad_token_id`, MiniCPM-o finds its image features at `image_token_id`). These, left
# None, mean the model has no such token, and stay so.
_NONE_MEANS_NONE = frozenset(
    {"bos_token_id", "eos_token_id", "unk_token_id", "sep_token_id", "cls_token_id"}
)


def _token_id(key: str, value: int | list[int], ids: Mapping[str, int | None], vocab: int) -> Any:
    role = _TOKEN_ID.sub("", key)
    wanted = ids.get(f"{role}_token_id", ids.get(_TOKEN_ROLES.get(role, ""), None))
    if wanted is not None:
        return [wanted] if isinstance(value, list) else wanted
    values = value if isinstance(value, list) else [value]
    if all(0 <= v < vocab or v < 0 for v in values):
        return value
    fallback = ids.get("*") or 0
    return [fallback] if isinstance(value, list) else fallback


# The sub-configs that hold the tower reading each modality of a pipeline's input.
_TOWERS = {
    task_inputs.IMAGE: "vision",
    task_inputs.AUDIO: "audio",
    task_inputs.MULTIMODAL: "vision",
}


def base_config(model_type: str, task: str) -> Any:
    """The type's default config, with the tower that reads the task's input where the default
    leaves it out (Gemma 4's `vision_config` is None): a checkpoint for the task has one."""
    from transformers import AutoConfig

    with stage("config"):
        config = AutoConfig.for_model(model_type)
        tower = _TOWERS.get(task_inputs.TASK_INPUTS[task].modality)
        missing = {}
        for name, sub_config in getattr(type(config), "sub_configs", {}).items():
            if tower and tower in name and getattr(config, name, 0) is None:
                with contextlib.suppress(Exception):  # AutoConfig: no default to make
                    missing[name] = sub_config().to_dict()
        return type(config).from_dict({**config.to_dict(), **missing}) if missing else config


def tiny_config(base: Any, level: Level, parts: Components) -> Any:
    """The base config shrunk to `level`, with its token ids pointed at the tokenizer's."""
    with stage("config"):
        shrunk = shrink_config_dict(base.to_dict(), level)
        vocab = parts.vocab()
        if vocab is not None:
            _add_missing_tokens(shrunk, parts, vocab)
            set_token_ids(shrunk, parts.token_ids(), _round_up(parts.vocab() or vocab, 8))
        follow_vocab(base.to_dict(), shrunk)
        shrunk.pop("transformers_version", None)
        _add_decoder_start(shrunk)
        return type(base).from_dict(shrunk)


def follow_vocab(full: Mapping[str, Any], shrunk: dict[str, Any]) -> None:
    """Vocabulary sizes that are the config's own vocabulary under another name (Inkling's
    `unpadded_vocab_size`, the part of the padded `vocab_size` with tokens) follow its new size:
    within it, and as far below it as at full size. A size under half of it counts another
    vocabulary (token types, entities, codebooks)."""
    vocab = full.get("vocab_size")
    for key, value in full.items():
        if is_subconfig(value) and is_subconfig(shrunk.get(key)):
            follow_vocab(value, shrunk[key])
        elif (
            key != "vocab_size"
            and key.endswith("vocab_size")
            and is_int(value)
            and is_int(vocab)
            and vocab // 2 <= value <= vocab
            and is_int(shrunk.get("vocab_size"))
        ):
            shrunk[key] = max(1, shrunk["vocab_size"] - (vocab - value))


def _add_decoder_start(config: dict[str, Any]) -> None:
    """Encoder-decoder models shift labels right from `decoder_start_token_id`, which checkpoints
    set but some default configs (T5's) do not have at all."""
    if config.get("is_encoder_decoder") and config.get("decoder_start_token_id") is None:
        start = config.get("pad_token_id", config.get("bos_token_id"))
        config["decoder_start_token_id"] = start if is_int(start) else 0


def _round_up(value: int, step: int) -> int:
    return -(-value // step) * step


def _add_missing_tokens(config: Mapping[str, Any], parts: Components, vocab: int) -> None:
    """Config token ids with no counterpart in the tokenizer or processor get a token of their
    own (`<|hflint:image_start_token_id|>`), so that different roles keep different ids."""
    known = parts.token_ids()
    missing = []
    for key, value in _token_keys(config):
        role = _TOKEN_ID.sub("", key)
        if f"{role}_token_id" in known or _TOKEN_ROLES.get(role, "") in known:
            continue
        values = value if isinstance(value, list) else [value]
        if any(v >= vocab for v in values):
            missing.append(f"<|hflint:{role}|>")
    if missing:
        add_special_tokens(parts.tokenizer, missing)
        for token in missing:
            role = token[len("<|hflint:") : -len("|>")]
            parts.extra_ids[f"{role}_token_id"] = parts.tokenizer.convert_tokens_to_ids(token)


def _token_keys(config: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    for key, value in config.items():
        if is_subconfig(value):
            yield from _token_keys(value)
        elif _TOKEN_ID.search(key) and (is_int(value) or is_int_list(value)):
            yield key, value


def model_class(config: Any, auto_class: str) -> Any:
    """The class `auto_class` makes for `config`; where the task maps to several (DeiT's with and
    without teacher), the first, recorded in `config.architectures` so the pipeline picks it too."""
    auto = transformers_class(auto_class)
    if auto is None:
        raise RuntimeError(f"transformers has no {auto_class}")
    classes = auto._model_mapping[type(config)]
    chosen = classes[0] if isinstance(classes, (tuple, list)) else classes
    config.architectures = [chosen.__name__]
    return chosen


def check_task_fits(config: Any, auto_class: str, task: str) -> None:
    """Unavailable at once when the task's input can never reach the model: a text pipeline for
    a model whose `forward` takes no `input_ids` (Bark's `text-to-audio`, or a task named by hand
    for a vision tower, an audio encoder, a time-series model)."""
    if task_inputs.TASK_INPUTS[task].modality != task_inputs.TEXT:
        return
    with stage("model"):  # a class whose backend is missing raises on any attribute
        cls = model_class(config, auto_class)
        parameters = inspect.signature(cls.forward).parameters
    if "input_ids" not in parameters:
        raise TinyModelUnavailable(
            f"task: {task} feeds text, but {cls.__name__}.forward takes no input_ids"
        )


def build_model(config: Any, auto_class: str) -> Any:
    """The task's model class from `config`, in float32, checked against `MAX_PARAMETERS` on the
    meta device before any memory is allocated."""
    import torch

    with stage("model"):
        cls = model_class(config, auto_class)
        with torch.device("meta"):
            probe = cls(config)
        count = sum(p.numel() for p in probe.parameters())
        if count > MAX_PARAMETERS:
            raise RuntimeError(f"{count:,} parameters after shrinking (limit {MAX_PARAMETERS:,})")
        torch.manual_seed(0)
        return cls._from_config(config, dtype=torch.float32)


def fit_model_input_names(tokenizer: Any, model: Any) -> None:
    """Drop what the tokenizer returns that the model's `forward` does not take (a BERT tokenizer's
    `token_type_ids` for GIT, which `generate` refuses), as checkpoints' tokenizer configs do."""
    names = getattr(tokenizer, "model_input_names", None)
    if not isinstance(names, list):
        return
    taken = inspect.signature(type(model).forward).parameters
    kept = [name for name in names if name in taken or name == "input_ids"]
    if kept != names:
        tokenizer.model_input_names = kept
        tokenizer.init_kwargs["model_input_names"] = kept  # what `save_pretrained` writes


def canonical_call(task: str, pipe: Any) -> tuple[list[Any], dict[str, Any]]:
    """The canonical input of `hflint.task_inputs`, evaluated: (args, keywords)."""
    import numpy
    from PIL import Image

    entry = task_inputs.task_input(task)
    if entry is None or not (entry.args or entry.keywords):
        raise TinyModelUnavailable(f"no in-memory input for task {task}")
    # The expressions are hflint's own table, written to be evaluated with these names bound.
    names = {task_inputs.PIPE: pipe, "Image": Image, "numpy": numpy}
    args = [eval(source, {"__builtins__": {}}, names) for source in entry.args]
    keywords = {key: eval(source, {"__builtins__": {}}, names) for key, source in entry.keywords}
    return args, keywords


def load_directly(path: Path, auto_class: str) -> None:
    """Load the directory as a file that builds the model directly does: its config, then the
    model through the task's auto class."""
    from transformers import AutoConfig

    with stage("model load"):
        auto = transformers_class(auto_class)
        auto.from_config(AutoConfig.from_pretrained(str(path)))
        auto.from_pretrained(str(path))


def run_pipeline(path: Path, task: str) -> None:
    """Load the directory with `transformers.pipeline` and run it on the canonical input."""
    from transformers import pipeline

    with stage("pipeline load"):
        pipe = pipeline(task, model=str(path), device="cpu")
    with stage("pipeline run"):
        args, keywords = canonical_call(task, pipe)
        pipe(*args, **keywords)


# Tasks whose canonical input is a chat, which the processor's chat template turns into a prompt.
CHAT_TASKS = frozenset({"image-text-to-text"})
# Processor attributes naming what a prompt holds for an image, the most specific first (Qianfan
# expands `image_placeholder_token` into its `image_token`s).
_IMAGE_PLACEHOLDERS = ("image_placeholder_token", "image_token")


def generic_chat_template(placeholder: str) -> str:
    """A chat template that writes each message's text, and each image as `placeholder` (which
    the processor expands into the image's tokens)."""
    image = f"{{% raw %}}{placeholder}{{% endraw %}}" if placeholder else ""
    return (
        "{%- for message in messages -%}"
        "{%- if message['content'] is string -%}{{ message['content'] }}"
        "{%- else -%}{%- for block in message['content'] -%}"
        "{%- if block['type'] == 'image' -%}" + image + "{%- elif block['type'] == 'text' -%}"
        "{{ block['text'] }}{%- endif -%}{%- endfor -%}{%- endif -%}{%- endfor -%}"
    )


def chat_templates(processor: Any, task: str) -> list[tuple[str, str] | None]:
    """The chat templates to try a processor with, in order, each with a note saying so; [None]:
    keep what it has (a template, or none for a class that cannot hold one: the canonical input
    is then plain text). Hub processors ship a template, one made from its defaults has none: a
    generic one writes the image as the processor's placeholder (`<image>`), which most
    processors expand, else as nothing, for those that put the image's tokens in by themselves."""
    if (
        task not in CHAT_TASKS
        or processor is None
        or getattr(processor, "chat_template", None)
        or "chat_template" not in inspect.signature(type(processor).__init__).parameters
    ):
        return [None]
    tokens = [getattr(processor, name, None) for name in _IMAGE_PLACEHOLDERS]
    placeholders = [*dict.fromkeys(t for t in tokens if isinstance(t, str) and t), ""]
    return [
        (generic_chat_template(p), f"hflint's generic chat template, the image as {p!r}")
        for p in placeholders
    ]
