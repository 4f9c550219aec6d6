"""Tiny models for `hflint exec`, synthesised offline from transformers' own configs.

`build_tiny_model(model_type, task)` returns a directory that `transformers.pipeline(task,
model=directory)` loads and runs on the task's canonical input (`hflint.task_inputs`), or raises
`TinyModelUnavailable` with a one-line reason. Nothing is downloaded: the model hub is never needed.

How a directory is made:

1. the type's default config (`AutoConfig.for_model`) is turned into a dict and its size
   attributes are shrunk by name (`shrink_config_dict`), nested sub-configs included, keeping the
   relations the modelling code relies on (hidden size divisible by heads, kv heads dividing heads,
   per-layer lists as long as the layer count, rope sections summing to half the head size...);
2. a tokenizer is trained on a small built-in corpus from the type's own tokenizer class (its
   pre-tokenizer and special tokens matter: CLIP's `</w>`, the mask token of fill-mask), a CTC
   vocabulary is written for wav2vec2-like types, and a byte-level BPE built with `tokenizers` stands
   in when the class cannot be trained; image processors, feature extractors and processors are
   made from their defaults. Token ids in the config (`image_token_id`, `eos_token_id`...) are then
   pointed at tokens that exist, and the vocabulary is cut to the tokenizer's size;
3. the model is made with the task's auto class, in float32, and everything is saved with
   `save_pretrained`;
4. the pipeline is run on the canonical input. A directory that fails this is never cached: the
   next, less aggressive shrink level is tried, then the type is reported unavailable.

Directories live under `<cache>/<transformers version>/<model_type>/<task>/` (cache: the argument,
else `$HFLINT_TINY_CACHE`, else `~/.cache/hflint/tiny`). They are built in a temporary sibling,
which gets its marker file last and is then renamed into place, so a half-built directory is never
reused and two processes building the same model do not corrupt each other. Failures are cached
too, per builder version, so a sweep does not pay for them twice.

Only `hflint exec` imports this module; torch and transformers are imported inside functions so
that importing it stays cheap and no lint path ever pays for them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import importlib.metadata
import inspect
import json
import math
import os
import re
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard

from hflint import task_inputs
from hflint.catalog import ModelEntry, load_catalog

# Bump when a change to the builder could turn a cached failure into a success.
BUILDER_VERSION = 4
MARKER = ".hflint-tiny.json"
ENV_CACHE = "HFLINT_TINY_CACHE"
DEFAULT_CACHE = Path("~/.cache/hflint/tiny")

# Sentences the tokenizers learn from: the canonical inputs, so that they tokenize into real
# sub-words, and the alphabet, so that any other text still maps to known tokens.
CORPUS = (
    "hflint checks that this sentence runs through the model.",
    "Paris is the capital of France.",
    "The quick brown fox jumps over the lazy dog.",
    "Describe the image.",
    "Which country is Paris in? What is written here?",
    "City Country Paris Berlin France Germany",
    "positive negative a cat a dog speech music",
    "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789",
    ".,;:!?'\"()[]{}<>-_/\\|@#$%^&*+=~`",
)
VOCAB_SIZE = 300
# A byte-level tokenizer's special tokens, when the type's own tokenizer cannot be trained. Ids
# follow this order: padding is 0, as in most default configs (ProphetNet counts positions from it).
GENERIC_SPECIALS = {
    "pad_token": "<pad>",
    "bos_token": "<s>",
    "eos_token": "</s>",
    "unk_token": "<unk>",
    "mask_token": "<mask>",
}
# Characters of the CTC vocabulary (wav2vec2-like types): `|` separates words.
CTC_VOCAB = ("<pad>", "<s>", "</s>", "<unk>", "|", *"abcdefghijklmnopqrstuvwxyz'")
# Models larger than this are not worth a tiny-model slot (a shrink that kept widths). 20M
# parameters are 80 MB in float32, built in a second or two: what the widest shrunk detection and
# speech models (convolutional backbones with fixed channel lists, vocoders) still come to.
MAX_PARAMETERS = 20_000_000


class TinyModelUnavailable(Exception):
    """A tiny model cannot be made for this type and task; `reason` says which part failed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class TinyModel:
    """A directory `transformers.pipeline(task, model=path)` runs."""

    model_type: str
    task: str
    path: Path
    cached: bool
    # Seconds this call took, and what the cold build that made the directory took.
    seconds: float
    build_seconds: float
    size_bytes: int
    # The shrink level that worked (`Level.name`).
    level: str
    # What it has that a checkpoint would bring instead (a chat template of hflint's), or "".
    note: str = ""


# --- shrinking configs (plain dicts: no transformers needed) ---------------------------------------


@dataclass(frozen=True)
class Level:
    """How far sizes are shrunk. Widths of every (sub-)config become `width`, so sizes that were
    equal stay equal (a projector's input is the vision width, its output the text width)."""

    name: str
    width: int
    heads: int
    ffn: int
    layers: int
    experts: int = 4


LEVELS = (
    Level("tiny", width=32, heads=4, ffn=64, layers=2),
    # Some types want more layers or wider heads: multimodal rotary sections hard-coded for
    # 64- or 128-wide heads, layouts of layers that need several of them.
    Level("small", width=64, heads=4, ffn=128, layers=4),
    Level("wide-heads", width=128, heads=2, ffn=256, layers=2),
    Level("wider-heads", width=256, heads=2, ffn=512, layers=2),
)

_WIDTH = re.compile(
    r"(^|_)(hidden_size|hidden_dim|d_model|n_embd|n_embed|embed_dim|dim|embedding_size|"
    r"embedding_dim|projection_dim|proj_dim|emb_dim|text_embed_dim|vision_embed_dim|"
    r"word_embed_proj_dim|projection_size|d_latents|hidden_size_global|"
    # A SAM-style vision neck's output is the prompt encoder's and mask decoder's width.
    r"output_channels)$"
)
_FFN = re.compile(
    r"(^|_)(intermediate_size|ffn_dim|d_ff|mlp_dim|ffn_hidden_size|intermediate_dim|linear_units)$"
)
_HEADS = re.compile(
    r"(^|_)(num_attention_heads|n_head|n_heads|num_heads|attention_heads|index_n_heads)$"
)
_KV_HEADS = re.compile(r"(^|_)(num_key_value_heads|num_kv_heads|n_kv_heads)$")
_HEAD_DIM = re.compile(
    r"(^|_)(head_dim|d_kv|qk_head_dim|v_head_dim|qk_nope_head_dim|qk_rope_head_dim|"
    r"linear_key_head_dim|linear_value_head_dim|mamba_d_head|mamba_head_dim)$"
)
_RANK = re.compile(r"(^|_)(kv_lora_rank|q_lora_rank|dt_rank|time_step_rank)$")
_LAYERS = re.compile(
    r"(^|_)(num_hidden_layers|num_layers|n_layer|n_layers|encoder_layers|decoder_layers|"
    r"num_decoder_layers|num_encoder_layers|decoder_num_hidden_layers|depth|"
    r"num_self_attends_per_block)$"
)
_EXPERTS = re.compile(r"(^|_)(num_experts|num_local_experts|n_routed_experts|moe_num_experts)$")
_EXPERTS_PER_TOKEN = re.compile(r"(^|_)(num_experts_per_tok|num_experts_per_token|moe_topk|moe_k)$")
_EXPERT_GROUPS = re.compile(r"(^|_)(n_group|topk_group|num_expert_group)$")
_WIDTH_LISTS = re.compile(
    r"(^|_)(hidden_sizes|embed_dims|embed_dim|conv_dim|dims|neck_hidden_sizes|"
    r"embed_dim_per_stage|backbone_channel_list|encoder_in_channels|decoder_in_channels)$"
)
_HEAD_LISTS = re.compile(r"(^|_)(num_heads|num_attention_heads|heads)$")
_DEPTH_LISTS = re.compile(r"(^|_)(depths|num_layers|layers|num_block_repeats|blocks_per_stage)$")
# Channel counts of convolutional stacks (codecs, vocoders, VQ autoencoders) that grow by powers
# of two from a base: the base, shrunk so the widest stage stays small.
_BASE_CHANNELS = {"base_channels": 32, "upsample_initial_channel": 32, "num_filters": 8}
# Multipliers of EfficientNet-like stacks (B7: width x2, depth x3.1).
_COEFFICIENTS = {"width_coefficient": 0.25, "depth_coefficient": 1.0}
# Vocabularies other than the tokenizer's (entities, hashed byte groups, VQ codebooks).
_OTHER_VOCAB = re.compile(r"vocab|^num_embeddings$")
OTHER_VOCAB_SIZE = 1024
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


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_int_list(value: object) -> TypeGuard[list[int]]:
    return isinstance(value, list) and bool(value) and all(_is_int(v) for v in value)


def _is_subconfig(value: object) -> TypeGuard[dict[str, Any]]:
    return isinstance(value, dict) and "model_type" in value


def _divisor_at_most(number: int, limit: int) -> int:
    """The largest divisor of `number` that is at most `limit` (at least 1)."""
    return next(d for d in range(max(1, min(limit, number)), 0, -1) if number % d == 0)


def shrink_config_dict(
    config: Mapping[str, Any], level: Level, channels: int | None = None
) -> dict[str, Any]:
    """A copy of a config dict (`PreTrainedConfig.to_dict()`) with its sizes shrunk to `level`,
    sub-configs included. Sizes already smaller than the level's stay as they are. `channels`:
    the divisor of channel lists, one for the whole tree (computed at the top when None)."""
    if channels is None:
        channels = channel_divisor(config, 2 * level.width)
    shrunk: dict[str, Any] = {}
    width = _width_of(config)
    for key, value in config.items():
        if _is_subconfig(value) and value["model_type"] == "timm_backbone":
            shrunk[key] = _resnet_backbone(value)
        elif _is_subconfig(value):
            shrunk[key] = shrink_config_dict(value, level, channels)
        elif isinstance(value, list) and value and all(_is_subconfig(v) for v in value):
            shrunk[key] = [shrink_config_dict(v, level, channels) for v in value]
        elif _is_int(value):
            shrunk[key] = _shrink_int(key, value, level, width)
        elif (
            _is_int_list(value)
            and _CHANNEL_LISTS.search(key)
            and not _all_width(values=value, width=width, key=key)
        ):
            shrunk[key] = [v if v <= _INPUT_CHANNELS else max(1, v // channels) for v in value]
        elif _is_int_list(value):
            shrunk[key] = _shrink_list(key, value, level, width)
        elif isinstance(value, float) and key in _COEFFICIENTS:
            shrunk[key] = min(value, _COEFFICIENTS[key])
        else:
            shrunk[key] = value
    _keep_consistent(config, shrunk, level)
    _fit_layer_indices(config, shrunk)
    # Float32 everywhere: a bfloat16 default would be saved as such and run slowly on CPUs.
    if "dtype" in shrunk:
        shrunk["dtype"] = "float32"
    return shrunk


def _resnet_backbone(timm: Mapping[str, Any]) -> dict[str, Any]:
    """A small transformers ResNet in place of a timm backbone (DETR and its kin default to
    timm's ResNet-50, which needs the timm package): the same stages out, as transformers' own
    DETR tests do."""
    indices = timm.get("out_indices") or [1, 2, 3, 4]
    return {
        "model_type": "resnet",
        "num_channels": timm.get("num_channels", 3),
        "embedding_size": 16,
        "hidden_sizes": [16, 32, 64, 128],
        "depths": [1, 1, 1, 1],
        "out_indices": list(indices),
        "out_features": [f"stage{i}" for i in indices],
    }


# Sizes named like widths that are fixed by the input: a flattened 16x16x3 patch, the side of a
# SAM image embedding (image size / patch size).
_INPUT_SIZES = frozenset(
    {"patch_embed_hidden_size", "feature_projection_input_dim", "input_dim", "image_embedding_size"}
)
# Names of sizes that are not widths even when they equal the hidden size.
_NOT_WIDTH = re.compile(
    r"image|patch|position|vocab|window|kernel|chunk|batch|stride|max_|pool|sample|bucket|length|"
    r"seq|token|mel|frame|codebook|rate"
)
_GROUPS = re.compile(r"(^|_)(num_groups|groups|n_groups|num_conv_pos_embedding_groups)$")


def _shrink_int(key: str, value: int, level: Level, width: int | None) -> int:
    if value <= 0 or key in _INPUT_SIZES:
        return value  # 0 and -1 mean "none" or "derive it"
    if _WIDTH.search(key) or _same_as_width(key, value, width):
        return min(value, level.width)
    if key == "num_pos_feats":  # SAM: sine/random position features, half of each point's width
        return min(value, level.width // 2)
    if _FFN.search(key) or key.endswith("intermediate_size"):
        return min(value, level.ffn)
    if _LAYERS.search(key):
        return min(value, level.layers)
    if _EXPERTS.search(key):
        return min(value, level.experts)
    if _EXPERTS_PER_TOKEN.search(key):
        return min(value, max(1, level.experts // 2))
    if _EXPERT_GROUPS.search(key):
        return 1
    if _RANK.search(key):
        return min(value, level.width // 2)
    if _GROUPS.search(key):
        return math.gcd(value, 4)  # group norms and grouped convs divide the shrunk channels
    if key in _BASE_CHANNELS:
        return min(value, _BASE_CHANNELS[key])
    if key != "vocab_size" and _OTHER_VOCAB.search(key):
        return min(value, OTHER_VOCAB_SIZE)
    return value  # heads, head sizes and the like are set together in `_keep_consistent`


def _same_as_width(key: str, value: int, width: int | None) -> bool:
    """A size equal to the hidden size is a width under another name (`projection_size`,
    `true_hidden_size`), unless its name says it measures something else."""
    return (
        width is not None
        and value == width
        and key.endswith(("_size", "_dim", "_width"))
        and not _NOT_WIDTH.search(key)
    )


# Channel counts of convolutional stages, which feed each other across lists and sub-configs
# (HGNetV2's `stage_out_channels[i]` is `stage_in_channels[i + 1]`, D-FINE's `encoder_in_channels`
# are its backbone's last `stage_out_channels`): all divided by one factor, so equal counts stay
# equal. Counts up to `_INPUT_CHANNELS` are those of the input image (RGB, grayscale) and stay.
_CHANNEL_LISTS = re.compile(r"(^|_)(hidden_sizes|channels)$")
_INPUT_CHANNELS = 4


def _channel_lists(config: Mapping[str, Any]) -> Iterator[list[int]]:
    for key, value in config.items():
        if _is_subconfig(value):
            yield from _channel_lists(value)
        elif _is_int_list(value) and _CHANNEL_LISTS.search(key):
            yield value


def channel_divisor(config: Mapping[str, Any], target: int) -> int:
    """The factor dividing every channel list of a config tree: the largest count becomes about
    `target`, and the factor divides every count (so ratios between stages survive)."""
    counts = [v for values in _channel_lists(config) for v in values if v > _INPUT_CHANNELS]
    if not counts or max(counts) <= target:
        return 1
    factor = max(counts) // target
    common = math.gcd(*counts)
    while factor > 1 and common % factor:
        factor -= 1
    return factor


def _all_width(values: list[int], width: int | None, key: str) -> bool:
    """A list with one entry per stage, each the model's width (`decoder_in_channels`)."""
    return width is not None and all(v == width for v in values) and bool(_WIDTH_LISTS.search(key))


def _shrink_list(key: str, values: list[int], level: Level, width: int | None) -> list[int]:
    if _all_width(values, width, key):
        return [level.width] * len(values)  # one width per stage, all the model's width
    if _DEPTH_LISTS.search(key) and len(values) > 1:
        return [min(v, 1) for v in values]
    if _HEAD_LISTS.search(key):
        low = max(1, min(values))
        return [max(1, v // low) for v in values]
    if _WIDTH_LISTS.search(key) or _FFN.search(key):
        return _scale_widths(values, 2 * level.width)
    return values


def _scale_widths(values: list[int], target: int) -> list[int]:
    """Widths divided by one factor, so the largest is about `target` and ratios between stages
    (and their divisibility by per-stage heads) survive."""
    positive = [v for v in values if v > 0]
    if not positive or max(positive) <= target:
        return values
    factor = max(1, max(positive) // target)
    common = math.gcd(*positive)
    while factor > 1 and common % factor:
        factor -= 1
    return [v // factor if v > 0 else v for v in values]


def _keep_consistent(original: Mapping[str, Any], shrunk: dict[str, Any], level: Level) -> None:
    _fit_heads(original, shrunk, level)
    _fit_state_space(shrunk)
    _fit_layers(original, shrunk, level)
    _fit_rope(shrunk)
    _fill_rope_per_layer_type(shrunk)
    _fit_image_tokens(shrunk)
    _fit_patch_grid(shrunk)
    _fit_width_coefficient(original, shrunk)


# Factors by which a projector pixel-shuffles the vision tower's patch grid.
_SHUFFLE_FACTORS = ("downsample_factor", "scale_factor")


def _fit_patch_grid(shrunk: dict[str, Any]) -> None:
    """A patch grid the pixel shuffle can fold: the image size is cut to a multiple of patch x
    factor (Aya Vision's default 384-pixel image makes 27 patches a side for a shuffle by 2; its
    checkpoints use 364, 26 patches)."""
    vision = shrunk.get("vision_config")
    factor = next((shrunk[k] for k in _SHUFFLE_FACTORS if _is_int(shrunk.get(k))), None)
    if not (_is_subconfig(vision) and factor and factor > 1):
        return
    size, patch = vision.get("image_size"), vision.get("patch_size")
    if _is_int(size) and _is_int(patch) and patch > 0 and (size // patch) % factor:
        vision["image_size"] = max(factor, size // patch // factor * factor) * patch


def _fit_width_coefficient(original: Mapping[str, Any], shrunk: dict[str, Any]) -> None:
    """EfficientNet-like stacks derive their last width from the width coefficient
    (`hidden_dim` = 1280 x the coefficient): it scales with the coefficient, not to the level."""
    old, new = original.get("width_coefficient"), shrunk.get("width_coefficient")
    hidden = original.get("hidden_dim")
    if isinstance(old, float) and isinstance(new, float) and old > 0 and _is_int(hidden):
        shrunk["hidden_dim"] = max(1, round(hidden * new / old))


# Indices of layers whose hidden states are read (`vision_feature_layer`, Mllama's
# `intermediate_layers_indices`), in the config that has the layers or in a sibling of it.
_LAYER_INDICES = re.compile(r"(^|_)(feature_layers?|intermediate_layers_indices)$")


def _fit_layer_indices(original: Mapping[str, Any], shrunk: dict[str, Any]) -> None:
    """Point layer indices at layers the shrunk stack still has: each index moves to the same
    place in proportion (layer 16 of 32 becomes layer 1 of 2), negative ones count from the end
    as before, at most as far back as the stack goes."""
    vision = _vision_config(original)
    for holder, shrunk_holder in _with_subconfigs(original, shrunk):
        counts = _layer_count(holder) or _layer_count(vision)
        new_counts = _layer_count(shrunk_holder) or _layer_count(_vision_config(shrunk))
        if counts is None or new_counts is None:
            continue
        for key, value in holder.items():
            if _LAYER_INDICES.search(key) and (_is_int(value) or _is_int_list(value)):
                values = [_move_index(v, counts[1], new_counts[1]) for v in _as_list(value)]
                shrunk_holder[key] = values if isinstance(value, list) else values[0]


def _with_subconfigs(
    original: Mapping[str, Any], shrunk: dict[str, Any]
) -> Iterator[tuple[Mapping[str, Any], dict[str, Any]]]:
    yield original, shrunk
    for key, value in original.items():
        if _is_subconfig(value) and _is_subconfig(shrunk.get(key)):
            yield value, shrunk[key]


def _as_list(value: int | list[int]) -> list[int]:
    return value if isinstance(value, list) else [value]


def _move_index(index: int, layers: int, new_layers: int) -> int:
    if index < 0:
        return max(index, -new_layers)
    return min(new_layers - 1, index * new_layers // max(1, layers))


def _fit_image_tokens(shrunk: dict[str, Any]) -> None:
    """Tokens per image pooled from the patch grid cannot outnumber the patches (Gemma 3's
    default config pairs 256 tokens with a 14x14 grid; its checkpoints use 64x64)."""
    vision = shrunk.get("vision_config")
    tokens = shrunk.get("mm_tokens_per_image")
    if not (_is_subconfig(vision) and _is_int(tokens)):
        return
    size, patch = vision.get("image_size"), vision.get("patch_size")
    if _is_int(size) and _is_int(patch) and patch > 0 and tokens > (size // patch) ** 2:
        shrunk["mm_tokens_per_image"] = (size // patch) ** 2


def _width_of(config: Mapping[str, Any]) -> int | None:
    for key in ("hidden_size", "d_model", "n_embd", "embed_dim", "dim", "hidden_dim"):
        value = config.get(key)
        if _is_int(value) and value > 0:
            return int(value)
    return None


def _fit_heads(original: Mapping[str, Any], shrunk: dict[str, Any], level: Level) -> None:
    """Heads divide the width; kv heads divide heads (MHA, GQA and MQA kept as such); head sizes
    follow width / heads."""
    width = _width_of(shrunk)
    heads = level.heads
    for key, value in original.items():
        if _is_int(value) and value > 0 and _HEADS.search(key):
            new = min(value, level.heads)
            if width is not None:
                new = _divisor_at_most(width, new)
            shrunk[key] = new
            heads = new if key in _ATTENTION_HEADS else heads
    head_size = max(2, (width or level.width) // heads)
    _fill_unset(original, shrunk, heads, head_size, level)
    for key, value in original.items():
        if _is_int(value) and value > 0 and _KV_HEADS.search(key):
            pair = _paired_heads(key)
            if _is_int(original.get(pair)) and _is_int(shrunk.get(pair)):
                shrunk[key] = _kv_heads(value, original[pair], shrunk[pair])
            else:
                shrunk[key] = _kv_heads(value, _heads_of(original), heads)
        elif _is_int(value) and value > 0 and (_HEAD_DIM.search(key) or key == "rotary_dim"):
            shrunk[key] = min(value, head_size)


_ATTENTION_HEADS = ("num_attention_heads", "n_head", "num_heads", "n_heads")


def _paired_heads(kv_key: str) -> str:
    """The query heads a kv-head count goes with, by prefix (Moonshine's
    `encoder_num_key_value_heads` -> `encoder_num_attention_heads`)."""
    return _KV_HEADS.sub(lambda m: m.group(1) + "num_attention_heads", kv_key)


def _fill_unset(
    original: Mapping[str, Any], shrunk: dict[str, Any], heads: int, head_size: int, level: Level
) -> None:
    """Sizes some default configs leave None for checkpoints to set, and some models then use
    as numbers (Ministral's `head_dim`, Nemotron's kv heads, dots1's experts)."""
    if _width_of(shrunk) is None:
        return
    defaults = {
        "head_dim": head_size,
        "num_key_value_heads": heads,
        "n_routed_experts": level.experts,
        "num_experts": level.experts,
        "num_experts_per_tok": max(1, level.experts // 2),
        "top_k_experts": max(1, level.experts // 2),
        "moe_intermediate_size": level.ffn,
        "n_shared_experts": 1,
        "n_group": 1,
        "topk_group": 1,
    }
    for key, value in defaults.items():
        if key in original and original[key] is None:
            shrunk[key] = value


# State-space (Mamba) heads and head sizes: heads x head size = expand x hidden size.
_SSM_HEADS = (
    ("mamba_num_heads", "mamba_head_dim"),
    ("mamba_n_heads", "mamba_d_head"),
    ("num_heads", "head_dim"),
    ("n_mamba_heads", "mamba_headdim"),
)


def _fit_state_space(shrunk: dict[str, Any]) -> None:
    expand = shrunk.get("mamba_expand", shrunk.get("expand"))
    width = _width_of(shrunk)
    if not (_is_int(expand) and width):
        return
    inner = int(expand) * width
    # Falcon-H1 sizes its state-space part on its own (`mamba_d_ssm`), expand x width at most.
    if _is_int(shrunk.get("mamba_d_ssm")) and shrunk["mamba_d_ssm"] > 0:
        inner = shrunk["mamba_d_ssm"] = min(int(shrunk["mamba_d_ssm"]), inner)
    for heads_key, size_key in _SSM_HEADS:
        heads = shrunk.get(heads_key)
        if heads_key == "num_heads" and "num_attention_heads" in shrunk:
            continue  # attention heads, not state-space ones
        if _is_int(heads) and heads > 0 and _is_int(shrunk.get(size_key)):
            heads = _divisor_at_most(inner, int(heads))
            shrunk[heads_key], shrunk[size_key] = heads, inner // heads


def _heads_of(config: Mapping[str, Any]) -> int:
    for key in _ATTENTION_HEADS:
        value = config.get(key)
        if _is_int(value) and value > 0:
            return int(value)
    return 0


def _kv_heads(kv: int, heads: int, new_heads: int) -> int:
    if heads and kv >= heads:
        return new_heads  # multi-head attention
    if kv == 1:
        return 1  # multi-query attention
    return _divisor_at_most(new_heads, max(1, new_heads // 2))  # grouped-query attention


def _layer_count(config: Mapping[str, Any]) -> tuple[str, int] | None:
    for key in ("num_hidden_layers", "num_layers", "n_layer", "n_layers", "decoder_layers"):
        value = config.get(key)
        if _is_int(value) and value > 0:
            return key, int(value)
    return None


def _per_layer_lists(
    original: Mapping[str, Any], shrunk: Mapping[str, Any], key: str, layers: int
) -> dict[str, list[Any]]:
    """Lists with one entry per layer (`layer_types`, `layers_block_type`, Gemma 3n's
    per-layer `intermediate_size`), as shrunk so far: named for layers, or as long as a stack
    too deep for the length to be a coincidence."""
    return {
        name: shrunk[name]
        for name, value in original.items()
        if name != key
        and isinstance(value, list)
        and len(value) == layers
        and ("layer" in name or layers >= 8)
        and isinstance(shrunk.get(name), list)
        and len(shrunk[name]) == layers
    }


def _per_layer_dicts(original: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Dicts keyed by layer index (`per_layer_config`)."""
    return {
        name: value
        for name, value in original.items()
        if "layer" in name
        and isinstance(value, dict)
        and value
        and all(str(k).isdigit() for k in value)
    }


def _fit_layers(original: Mapping[str, Any], shrunk: dict[str, Any], level: Level) -> None:
    """The layer count, and what depends on it: per-layer lists keep every kind of layer they
    had (a hybrid keeps an attention layer among its linear ones), periodic layouts
    (`attn_layer_period`/`_offset`) place one of each, backbone outputs pick distinct layers."""
    count = _layer_count(original)
    if count is None:
        return
    key, layers = count
    lists = _per_layer_lists(original, shrunk, key, layers)
    kinds = max((len({repr(v) for v in value}) for value in lists.values()), default=1)
    outputs_key = next((k for k in original if k.endswith("out_indices")), "out_indices")
    outputs = original.get(outputs_key)
    wanted = len(outputs) if _is_int_list(outputs) and max(outputs) > level.layers else 1
    new_layers = min(layers, max(level.layers, kinds, wanted))
    shrunk[key] = new_layers
    for name, value in lists.items():
        shrunk[name] = _pick_layers(value, new_layers)
    for name, table in _per_layer_dicts(original).items():
        shrunk[name] = {k: v for k, v in table.items() if int(k) < new_layers}
    for name, value in original.items():
        if name == "first_k_dense_replace" and _is_int(value):
            shrunk[name] = min(value, max(0, new_layers - 1))
        elif name == "num_kv_shared_layers" and _is_int(value):
            shrunk[name] = min(
                value, _layers_after_every_kind(shrunk.get("layer_types"), new_layers)
            )
        elif name.endswith("_layer_offset") and _is_int(value):
            shrunk[name] = min(value, new_layers - 1)
    for name, value in original.items():
        if name.endswith("_layer_period") and _is_int(value):
            offset = shrunk.get(name.replace("_period", "_offset"), 0)
            shrunk[name] = max(int(offset) + 1, min(value, new_layers))
    if _is_int_list(outputs) and max(outputs) > new_layers:
        _fit_backbone_outputs(original, shrunk, outputs_key, new_layers)
    _fit_attention_layers(original, shrunk, new_layers)
    _fill_layer_kinds(original, shrunk, new_layers)


# Per-layer lists some default configs leave None for checkpoints to set, which the modelling code
# then indexes by layer (LFM2-MoE's `layer_types`, DeepSeek-OCR 2's `mlp_layer_types`): the kinds
# every model of the family has, cycled over the layers (a dense layer, then a sparse one).
_LAYER_KINDS = {"layer_types": ("full_attention",), "mlp_layer_types": ("dense", "sparse")}


def _fill_layer_kinds(original: Mapping[str, Any], shrunk: dict[str, Any], layers: int) -> None:
    for name, kinds in _LAYER_KINDS.items():
        if name in original and original[name] is None:
            shrunk[name] = [kinds[i % len(kinds)] for i in range(layers)]


def _layers_after_every_kind(layer_types: Any, layers: int) -> int:
    """How many last layers may share the kv cache of earlier ones (Gemma 3n): those after one
    layer of each kind, since a shared layer reads the cache of an earlier layer of its kind."""
    if not isinstance(layer_types, list) or not layer_types:
        return max(0, layers - 1)
    firsts: dict[str, int] = {}
    for index, kind in enumerate(layer_types):
        firsts.setdefault(repr(kind), index)
    return max(0, layers - 1 - max(firsts.values()))


def _fit_attention_layers(original: Mapping[str, Any], shrunk: dict[str, Any], layers: int) -> None:
    """Hybrids that list their attention layers keep at least one (the last) among the shrunk
    ones; with none (Bamba's default), generation finds no attention cache to measure."""
    for name, value in original.items():
        if not name.endswith(("attn_layer_indices", "attention_layer_indices")):
            continue
        kept = [i for i in value if 0 <= i < layers] if _is_int_list(value) else []
        shrunk[name] = kept or [layers - 1]


def _pick_layers(values: list[Any], count: int) -> list[Any]:
    """`count` entries of a per-layer list, in order, with the first of each distinct kind."""
    firsts: dict[str, int] = {}
    for index, value in enumerate(values):
        firsts.setdefault(repr(value), index)
    chosen = set(list(firsts.values())[:count])
    for index in range(len(values)):
        if len(chosen) >= count:
            break
        chosen.add(index)
    return [values[i] for i in sorted(chosen)]


def _fit_backbone_outputs(
    original: Mapping[str, Any], shrunk: dict[str, Any], key: str, layers: int
) -> None:
    """Backbones whose stages are their layers (`stage12` of a 12-layer ViT) output as many
    distinct layers as before, the last ones of the shrunk stack."""
    outputs = list(original[key])
    count = _layer_count(original)
    # `out_indices` count stages from the stem (`stem`, `stage1`...); DPT's
    # `backbone_out_indices` count layers from 0: the original's last index says which.
    from_stem = key == "out_indices" or (count is not None and max(outputs) == count[1])
    last = layers if from_stem else layers - 1
    shrunk[key] = list(range(max(0, last - len(outputs) + 1), last + 1))
    if key == "out_indices" and isinstance(original.get("out_features"), list):
        shrunk["out_features"] = [f"stage{i}" if i else "stem" for i in shrunk["out_indices"]]


def _fit_rope(shrunk: dict[str, Any]) -> None:
    """Multimodal rope sections (`mrope_section`) sum to half the new head size."""
    width = _width_of(shrunk)
    heads = _heads_of(shrunk)
    head_size = shrunk.get("head_dim") if _is_int(shrunk.get("head_dim")) else None
    if head_size is None and width and heads:
        head_size = width // heads
    if not head_size:
        return
    for key in ("rope_parameters", "rope_scaling"):
        rope = shrunk.get(key)
        if isinstance(rope, dict) and _is_int_list(rope.get("mrope_section")):
            shrunk[key] = {**rope, "mrope_section": _split(head_size // 2, rope["mrope_section"])}


def _fill_rope_per_layer_type(shrunk: dict[str, Any]) -> None:
    """Rope parameters keyed by layer type that the default config leaves empty for checkpoints
    to fill (Cohere Compass): plain rope for each type, which the layers look up by their type."""
    layer_types = shrunk.get("layer_types")
    if shrunk.get("rope_parameters") == {} and isinstance(layer_types, list) and layer_types:
        plain = {"rope_type": "default", "rope_theta": 10000.0}
        shrunk["rope_parameters"] = {kind: dict(plain) for kind in dict.fromkeys(layer_types)}


def _split(total: int, weights: Sequence[int]) -> list[int]:
    """`total` split in proportion to `weights`, every part at least 1 where possible."""
    parts = [max(1 if total >= len(weights) else 0, total * w // sum(weights)) for w in weights]
    index = 0
    while sum(parts) != total:
        step = 1 if sum(parts) < total else -1
        if parts[index] + step >= (1 if total >= len(weights) else 0):
            parts[index] += step
        index = (index + 1) % len(parts)
    return parts


def set_token_ids(config: dict[str, Any], ids: Mapping[str, int | None], vocab: int) -> None:
    """Point every token id of a config dict (sub-configs included) at a token that exists:
    the id `ids` gives for its name or role, else (when out of range) the fallback `ids["*"]`;
    and make every vocabulary at least `vocab` entries."""
    start = _decoder_start_role(config, ids)
    for key, value in list(config.items()):
        if _is_subconfig(value):
            set_token_ids(value, ids, vocab)
        elif key == "decoder_start_token_id" and start is not None:
            config[key] = ids[start]
        elif key == "vocab_size" and (_is_int(value) or value is None):
            config[key] = vocab
        elif _TOKEN_ID.search(key) and (_is_int(value) or _is_int_list(value)):
            config[key] = _token_id(key, value, ids, vocab)
        elif key in _SET_WHEN_UNSET and value is None and ids.get(key) is not None:
            config[key] = ids[key]


def _decoder_start_role(config: Mapping[str, Any], ids: Mapping[str, int | None]) -> str | None:
    """The token decoders start from, as the config has it: the same id as its padding (T5,
    ProphetNet, whose positions count from it), end or start token, which must stay the same."""
    start = config.get("decoder_start_token_id")
    if not _is_int(start):
        return None
    roles = ("pad_token_id", "eos_token_id", "bos_token_id")
    return next((r for r in roles if config.get(r) == start and ids.get(r) is not None), None)


# Ids some default configs leave None that models still use as numbers (ESM's embedding padding
# index is `pad_token_id`): the tokenizer's, as checkpoints set them.
_SET_WHEN_UNSET = frozenset({"pad_token_id", "mask_token_id"})


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


# --- transformers-side helpers -------------------------------------------------------------------


def transformers_version() -> str:
    """The installed transformers version, read without importing it (a cache hit stays cheap)."""
    return importlib.metadata.version("transformers")


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence progress bars, warnings and logging while building and checking a model."""
    from transformers.utils import logging as hf_logging

    level = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        hf_logging.set_verbosity(level)
        hf_logging.enable_progress_bar()


def _one_line(error: BaseException, limit: int = 240) -> str:
    text = " ".join(f"{type(error).__name__}: {error}".split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _Failed(Exception):
    """A build step failed; `stage` names the component (tokenizer, model, pipeline...)."""

    def __init__(self, stage: str, error: BaseException | str) -> None:
        detail = error if isinstance(error, str) else _one_line(error)
        super().__init__(f"{stage}: {detail}")
        self.stage = stage


# Build stages in order: a failure later in the list got further.
STAGES = ("config", "tokenizer", "processor", "model", "save", "pipeline load", "pipeline run")


def _stage_rank(failure: _Failed) -> int:
    return STAGES.index(failure.stage) if failure.stage in STAGES else 0


@contextlib.contextmanager
def _stage(name: str) -> Iterator[None]:
    try:
        yield
    except _Failed:
        raise
    except Exception as error:
        raise _Failed(name, error) from error


def _related_types(model_type: str, config: Mapping[str, Any]) -> list[str]:
    """The type and the types of its sub-configs (text first): where to look for a tokenizer or
    an image processor when the composite type has none of its own."""
    types = [model_type]
    for key in ("text_config", "decoder", "text_encoder", "language_config", "llm_config"):
        value = config.get(key)
        if _is_subconfig(value):
            types.append(value["model_type"])
    for value in config.values():
        if _is_subconfig(value):
            types.append(value["model_type"])
    return list(dict.fromkeys(types))


def _class(name: str | None) -> Any:
    import transformers

    return getattr(transformers, name, None) if name else None


# --- tokenizers ----------------------------------------------------------------------------------


def _tokenizer_names(types: Sequence[str]) -> list[str]:
    from transformers.models.auto.tokenization_auto import TOKENIZER_MAPPING_NAMES

    names: list[str] = []
    for model_type in types:
        name = TOKENIZER_MAPPING_NAMES.get(model_type)
        if isinstance(name, (tuple, list)):  # transformers 4.x: (slow, fast)
            name = next((n for n in reversed(name) if n), None)
        if name:
            names.append(name)
    return list(dict.fromkeys(names))


def build_tokenizer(types: Sequence[str]) -> Any:
    """A tokenizer of the type's own class trained on the corpus; a CTC vocabulary for CTC
    tokenizers; a byte-level BPE when neither can be made."""
    for name in _tokenizer_names(types):
        cls = _class(name)
        if cls is None or name in ("TokenizersBackend", "PreTrainedTokenizerFast"):
            continue
        if "CTC" in name:
            with contextlib.suppress(Exception):
                return _ctc_tokenizer(cls)
            continue
        with contextlib.suppress(Exception):
            return cls().train_new_from_iterator(
                list(CORPUS), vocab_size=VOCAB_SIZE, show_progress=False
            )
    return generic_tokenizer()


def _ctc_tokenizer(cls: Any) -> Any:
    # CTC tokenizers read a character vocabulary from a JSON file; it only has to outlive __init__.
    with tempfile.TemporaryDirectory() as scratch:
        vocab = Path(scratch) / "vocab.json"
        vocab.write_text(json.dumps({c: i for i, c in enumerate(CTC_VOCAB)}), encoding="utf-8")
        return cls(str(vocab), unk_token="<unk>", pad_token="<pad>", word_delimiter_token="|")


def generic_tokenizer() -> Any:
    """A byte-level BPE trained on the corpus, with the usual special tokens."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    backend = Tokenizer(models.BPE(unk_token=GENERIC_SPECIALS["unk_token"]))
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE + 256,
        special_tokens=list(GENERIC_SPECIALS.values()),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    backend.train_from_iterator(CORPUS, trainer)
    return PreTrainedTokenizerFast(tokenizer_object=backend, **GENERIC_SPECIALS)


def add_mask_token(tokenizer: Any) -> None:
    """A mask token for fill-mask, where the type's tokenizer has none (Reformer's): the
    pipeline refuses a tokenizer without one."""
    if tokenizer.mask_token is None:
        tokenizer.add_special_tokens({"mask_token": GENERIC_SPECIALS["mask_token"]})


def add_pad_token(tokenizer: Any) -> None:
    """A padding token where the tokenizer has none (Llama's): processors pad their text to
    the image tokens' length, and refuse to without one."""
    if tokenizer.pad_token is None:
        tokenizer.add_special_tokens({"pad_token": GENERIC_SPECIALS["pad_token"]})


def add_special_tokens(tokenizer: Any, tokens: Sequence[str]) -> None:
    """Add tokens the processor or config refer to (`<image>`...) as special, unsplittable ones."""
    from tokenizers import AddedToken

    new = [
        t
        for t in dict.fromkeys(tokens)
        if t and tokenizer.convert_tokens_to_ids(t) in (None, tokenizer.unk_token_id)
    ]
    if new:
        tokenizer.add_tokens(
            [AddedToken(t, special=True, normalized=False) for t in new], special_tokens=True
        )


# --- image processors, feature extractors, processors --------------------------------------------


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
        cls = _class(name)
        if cls is None:
            continue
        try:
            return cls()
        except Exception as error:
            errors.append(_one_line(error))
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


def build_feature_extractor(types: Sequence[str]) -> Any:
    names = _mapped(
        "transformers.models.auto.feature_extraction_auto", "FEATURE_EXTRACTOR_MAPPING_NAMES", types
    )
    return _first_built(names)


def build_video_processor(types: Sequence[str]) -> Any:
    names = _mapped(
        "transformers.models.auto.video_processing_auto", "VIDEO_PROCESSOR_MAPPING_NAMES", types
    )
    with contextlib.suppress(Exception):
        return _first_built(names)
    return None


def processor_class(types: Sequence[str], config_class: str) -> Any:
    """The type's processor: from the auto mapping, else from a type its name extends
    (`qwen2_5_omni_thinker`), else by transformers' naming (`Kosmos2Config` ->
    `Kosmos2Processor`, which the mapping lacks)."""
    module = "transformers.models.auto.processing_auto"
    names = _mapped(module, "PROCESSOR_MAPPING_NAMES", types[:1])
    names = names or _mapped(module, "PROCESSOR_MAPPING_NAMES", _name_prefixes(types[0]))
    names.append(config_class.removesuffix("Config") + "Processor")
    return next((cls for name in names if (cls := _class(name)) is not None), None)


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
        if _is_subconfig(value) and (found := find_in_config(value, name)) is not None:
            return found
    return None


def _vision_config(config: Mapping[str, Any]) -> Mapping[str, Any]:
    for key in ("vision_config", "vision_tower_config", "encoder"):
        if _is_subconfig(config.get(key)):
            return config[key]  # type: ignore[no-any-return]
    return config


def image_tokens(config: Mapping[str, Any]) -> int | None:
    """How many tokens one image becomes, where the config says or implies it."""
    for name in _PROCESSOR_ALIASES["image_seq_length"]:
        if _is_int(value := find_in_config(config, name)):
            return int(value)
    vision = _vision_config(config)
    size, patch = vision.get("image_size"), vision.get("patch_size")
    if _is_int(size) and _is_int(patch) and patch > 0:
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
        vision_type = str(_vision_config(config).get("model_type", ""))
        kwargs["num_additional_image_tokens"] = 1 if "clip" in vision_type else 0
    return kwargs


# --- components, together ------------------------------------------------------------------------


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
        ids: dict[str, int | None] = {**_token_ids_of(self.tokenizer), **self.extra_ids}
        fallback = self.tokenizer.unk_token_id
        ids["*"] = fallback if fallback is not None else self.tokenizer.eos_token_id
        return ids

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
    wants_tokenizer = "tokenizer" in parts.processor_attributes or _tokenizer_names(types)
    if needs_text(task, modality) or wants_tokenizer:
        with _stage("tokenizer"):
            parts.tokenizer = build_tokenizer(types)
            if task_inputs.TASK_INPUTS[task].needs_mask:
                add_mask_token(parts.tokenizer)
    parts.image_processor = _optional(
        parts, "image processor", lambda t: build_image_processor(t, task), types
    )
    parts.feature_extractor = _optional(parts, "feature extractor", build_feature_extractor, types)
    if any("video_processor" in a for a in parts.processor_attributes):
        parts.video_processor = build_video_processor(types)
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
    named = {name: defaults.get(name, f"<|{name}|>") for name in tokenizer_tokens_read(cls)}
    register_named_tokens(tokenizer, named)
    declared = {f"{name}_id": tokenizer.convert_tokens_to_ids(t) for name, t in defaults.items()}
    fit_components(parts, config)
    read = {f"{name}_id": tokenizer.convert_tokens_to_ids(t) for name, t in named.items()}
    parts.extra_ids.update({**declared, **_token_ids_of(parts.processor), **read})


# The special tokens every tokenizer knows by name.
_STANDARD_TOKENS = frozenset(
    {"bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"}
)


def tokenizer_tokens_read(cls: Any) -> list[str]:
    """Model-specific token names a processor reads from its tokenizer (`tokenizer.image_token`,
    `tokenizer.boi_token_id`): checkpoints' tokenizers define them, trained ones do not."""
    with contextlib.suppress(OSError, TypeError):
        source = inspect.getsource(cls)
        names = re.findall(r"\btokenizer\.(\w+?_token)(?:_id)?\b", source)
        return [n for n in dict.fromkeys(names) if n not in _STANDARD_TOKENS]
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


def _token_ids_of(source: Any) -> dict[str, int]:
    ids: dict[str, int] = {}
    if source is None:
        return ids
    # transformers 5 tokenizers answer `pad_token_id` and the like through `__getattr__`, so
    # `dir` does not list them: the standard names are asked for as well.
    names = [n for n in dir(source) if n.endswith("_token_id") and not n.startswith("_")]
    for name in dict.fromkeys([*names, *sorted(f"{t}_id" for t in _STANDARD_TOKENS)]):
        with contextlib.suppress(Exception):
            value = getattr(source, name)
            if _is_int(value) and value >= 0:
                ids[name] = value
    return ids


def _optional(
    parts: Components, what: str, build: Callable[[Sequence[str]], Any], types: Sequence[str]
) -> Any:
    try:
        return build(types)
    except Exception as error:
        parts.notes.append(f"{what}: {_one_line(error)}")
        return None


def fit_components(parts: Components, config: Mapping[str, Any]) -> None:
    """Make the preprocessors agree with a (shrunk) config: image sizes the position embeddings
    were made for, the processor's model-dependent arguments."""
    if parts.image_processor is not None:
        fit_image_processor(parts.image_processor, config)
    if parts.processor_class is None:
        return
    available = {
        "tokenizer": parts.tokenizer,
        "image_processor": parts.image_processor,
        "feature_extractor": parts.feature_extractor,
        "video_processor": parts.video_processor,
    }
    kwargs = processor_kwargs(parts.processor_class, config)
    for attribute in parts.processor_attributes:
        kwargs[attribute] = available.get(attribute)
    try:
        parts.processor = parts.processor_class(**kwargs)
    except Exception as error:
        parts.processor = None
        parts.notes.append(f"processor {parts.processor_class.__name__}: {_one_line(error)}")


def fit_image_processor(processor: Any, config: Mapping[str, Any]) -> None:
    """Resize to the vision config's image size; record how many tokens an image makes."""
    size = _vision_config(config).get("image_size")
    if _is_int(size):
        height = width = int(size)
    elif _is_int_list(size) and len(size) == 2:
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


# --- the model -----------------------------------------------------------------------------------


def base_config(model_type: str) -> Any:
    from transformers import AutoConfig

    with _stage("config"):
        return AutoConfig.for_model(model_type)


def tiny_config(base: Any, level: Level, parts: Components) -> Any:
    """The base config shrunk to `level`, with its token ids pointed at the tokenizer's."""
    with _stage("config"):
        shrunk = shrink_config_dict(base.to_dict(), level)
        vocab = parts.vocab()
        if vocab is not None:
            _add_missing_tokens(shrunk, parts, vocab)
            set_token_ids(shrunk, parts.token_ids(), _round_up(parts.vocab() or vocab, 8))
        shrunk.pop("transformers_version", None)
        _add_decoder_start(shrunk)
        return type(base).from_dict(shrunk)


def _add_decoder_start(config: dict[str, Any]) -> None:
    """Encoder-decoder models shift labels right from `decoder_start_token_id`, which checkpoints
    set but some default configs (T5's) do not have at all."""
    if config.get("is_encoder_decoder") and config.get("decoder_start_token_id") is None:
        start = config.get("pad_token_id", config.get("bos_token_id"))
        config["decoder_start_token_id"] = start if _is_int(start) else 0


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
        if _is_subconfig(value):
            yield from _token_keys(value)
        elif _TOKEN_ID.search(key) and (_is_int(value) or _is_int_list(value)):
            yield key, value


def model_class(config: Any, auto_class: str) -> Any:
    """The class `auto_class` makes for `config`; where the task maps to several (DeiT's with and
    without teacher), the first, recorded in `config.architectures` so the pipeline picks it too."""
    auto = _class(auto_class)
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
    with _stage("model"):  # a class whose backend is missing raises on any attribute
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

    with _stage("model"):
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


# --- checking it runs ----------------------------------------------------------------------------


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


def run_pipeline(path: Path, task: str) -> None:
    """Load the directory with `transformers.pipeline` and run it on the canonical input."""
    from transformers import pipeline

    with _stage("pipeline load"):
        pipe = pipeline(task, model=str(path), device="cpu")
    with _stage("pipeline run"):
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


# --- building and caching ------------------------------------------------------------------------


def cache_root(cache_dir: Path | None = None) -> Path:
    if cache_dir is not None:
        return Path(cache_dir)
    configured = os.environ.get(ENV_CACHE)
    return Path(configured).expanduser() if configured else DEFAULT_CACHE.expanduser()


def model_dir(root: Path, model_type: str, task: str) -> Path:
    return root / transformers_version() / model_type / task


def _resolve(model_type: str, task: str) -> tuple[ModelEntry, str, str]:
    """The catalog entry, canonical task and its auto class; unavailable when the type has no
    model class for the task or the task has no in-memory input."""
    catalog = load_catalog()
    entry = catalog.resolve(model_type)
    if entry is None:
        raise TinyModelUnavailable(f"unknown model type {model_type!r}")
    task = catalog.canonical_task(task)
    auto_class = entry.tasks.get(task)
    if auto_class is None:
        raise TinyModelUnavailable(f"{entry.model_type} has no model class for task {task}")
    spec = task_inputs.task_input(task)
    if spec is None or not (spec.args or spec.keywords):
        raise TinyModelUnavailable(f"task {task} has no input that can be made in memory")
    return entry, task, auto_class


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _read_marker(path: Path) -> dict[str, Any] | None:
    """The marker of a finished directory of this builder version; None for a directory built by
    another version, which may lack what this one adds (a chat template)."""
    with contextlib.suppress(OSError, ValueError):
        data = json.loads((path / MARKER).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) and data.get("builder") == BUILDER_VERSION else None
    return None


def _failure_file(target: Path) -> Path:
    return target.with_name(target.name + ".unavailable.json")


def _cached_failure(target: Path) -> str | None:
    with contextlib.suppress(OSError, ValueError):
        data = json.loads(_failure_file(target).read_text(encoding="utf-8"))
        if data.get("builder") == BUILDER_VERSION:
            return str(data["reason"])
    return None


def build_tiny_model(model_type: str, task: str, cache_dir: Path | None = None) -> TinyModel:
    """A tiny model of `model_type` for `task`, built offline or reused from the cache."""
    started = time.perf_counter()
    entry, task, auto_class = _resolve(model_type, task)
    target = model_dir(cache_root(cache_dir), entry.model_type, task)
    marker = _read_marker(target)
    if marker is not None:
        return _tiny(entry.model_type, task, target, marker, True, started)
    reason = _cached_failure(target)
    if reason is not None:
        raise TinyModelUnavailable(reason)
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{task}.", dir=target.parent))
    try:
        marker = _build(entry.model_type, task, auto_class, scratch)
    except TinyModelUnavailable as error:
        _record_failure(target, error.reason)
        raise
    finally:
        if _read_marker(scratch) is None:
            shutil.rmtree(scratch, ignore_errors=True)
    _publish(scratch, target)
    return _tiny(entry.model_type, task, target, _read_marker(target) or marker, False, started)


def _tiny(
    model_type: str, task: str, path: Path, marker: Mapping[str, Any], cached: bool, started: float
) -> TinyModel:
    return TinyModel(
        model_type=model_type,
        task=task,
        path=path,
        cached=cached,
        seconds=time.perf_counter() - started,
        build_seconds=float(marker.get("build_seconds", 0.0)),
        size_bytes=int(marker.get("size_bytes", 0)),
        level=str(marker.get("level", "")),
        note=str(marker.get("note", "")),
    )


def _record_failure(target: Path, reason: str) -> None:
    data = {"builder": BUILDER_VERSION, "reason": reason}
    with contextlib.suppress(OSError):
        _failure_file(target).write_text(json.dumps(data), encoding="utf-8")


def _publish(scratch: Path, target: Path) -> None:
    """Move a finished build into place. Another process may have published first: its
    directory is as good as ours. A directory without a marker (of this builder version) is a
    leftover and is replaced."""
    if target.exists() and _read_marker(target) is None:
        shutil.rmtree(target, ignore_errors=True)
    try:
        os.rename(scratch, target)
    except OSError:
        if _read_marker(target) is None:
            raise
        shutil.rmtree(scratch, ignore_errors=True)


def _build(model_type: str, task: str, auto_class: str, scratch: Path) -> dict[str, Any]:
    """Build into `scratch`, trying each shrink level until the pipeline runs; write the marker."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    started = time.perf_counter()
    modality = task_inputs.TASK_INPUTS[task].modality
    failures: list[_Failed] = []
    with _quiet():
        try:
            base = base_config(model_type)
            check_task_fits(base, auto_class, task)
            types = _related_types(model_type, base.to_dict())
            with _stage("tokenizer"):
                parts = build_components(types, task, modality, base)
        except _Failed as failure:
            raise TinyModelUnavailable(str(failure)) from failure
        for level in LEVELS:
            try:
                note = _attempt(base, level, parts, auto_class, task, scratch)
            except _Failed as failure:
                failures.append(failure)
                _clear(scratch)
                continue
            seconds = time.perf_counter() - started
            return _write_marker(scratch, model_type, task, level, seconds, note)
    raise TinyModelUnavailable(_reason(failures, parts))


def _attempt(
    base: Any, level: Level, parts: Components, auto_class: str, task: str, scratch: Path
) -> str:
    """One build at `level` into `scratch`, checked by running the pipeline, with each chat
    template to try (the first that runs is kept); its note."""
    config = tiny_config(base, level, parts)
    with _stage("processor"):
        fit_components(parts, config.to_dict())
    model = build_model(config, auto_class)
    fit_model_input_names(parts.tokenizer, model)
    modality = task_inputs.TASK_INPUTS[task].modality
    failures: list[_Failed] = []
    for template in chat_templates(parts.processor, task):
        with _stage("save"):
            if template is not None:
                parts.processor.chat_template = template[0]
            model.save_pretrained(str(scratch))
            parts.save(scratch, modality)
        try:
            run_pipeline(scratch, task)
        except _Failed as failure:
            failures.append(failure)
            continue
        return "" if template is None else template[1]
    raise max(failures, key=_stage_rank)


def _clear(path: Path) -> None:
    for child in path.iterdir():
        if child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


_MISSING_PACKAGE = re.compile(r"needs torchvision|requires the \S+ librar")


def _reason(failures: Sequence[_Failed], parts: Components) -> str:
    """The failure of the attempt that got furthest (the first such), with what was left out."""
    best = max(failures, key=_stage_rank) if failures else None
    reason = str(best) if best is not None else "no shrink level to try"
    limit = 400
    if parts.notes and best is not None and best.stage.startswith("pipeline"):
        notes = "; ".join(dict.fromkeys(parts.notes))
        # A part left out for a missing package is the cause; the pipeline's error, its effect.
        reason = f"{notes} ({reason})" if _MISSING_PACKAGE.search(notes) else f"{reason} ({notes})"
    return reason if len(reason) <= limit else reason[: limit - 3] + "..."


def _write_marker(
    scratch: Path, model_type: str, task: str, level: Level, seconds: float, note: str
) -> dict[str, Any]:
    marker = {
        "builder": BUILDER_VERSION,
        "model_type": model_type,
        "task": task,
        "transformers": transformers_version(),
        "level": level.name,
        "build_seconds": round(seconds, 3),
        "size_bytes": _size(scratch),
        "note": note,
    }
    # Written last: its presence is what makes the directory reusable.
    (scratch / MARKER).write_text(json.dumps(marker, indent=2), encoding="utf-8")
    return marker
