"""Shrinking a config dict's sizes by attribute name (`shrink_config_dict`), sub-configs included.

Widths, heads, feed-forward sizes, layer and expert counts are cut to a `Level`;
`hflint.exec.tiny.relations` then restores the relations between them that modelling code relies on.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

from hflint.exec.tiny.relations import fit_layer_indices, keep_consistent
from hflint.exec.tiny.sizes import Level, config_keys, is_int, is_int_list, is_subconfig, width_of

_WIDTH = re.compile(
    r"(^|_)(hidden_size|hidden_dim|d_model|n_embd|n_embed|embed_dim|dim|embedding_size|"
    r"embedding_dim|projection_dim|proj_dim|emb_dim|text_embed_dim|vision_embed_dim|"
    r"word_embed_proj_dim|projection_size|d_latents|hidden_size_global|"
    # A SAM-style vision neck's output is the prompt encoder's and mask decoder's width.
    r"output_channels)$"
)
_FFN = config_keys(
    "intermediate_size",
    "ffn_dim",
    "d_ff",
    "mlp_dim",
    "ffn_hidden_size",
    "intermediate_dim",
    "linear_units",
)
_RANK = config_keys("kv_lora_rank", "q_lora_rank", "dt_rank", "time_step_rank")
_LAYERS = config_keys(
    "num_hidden_layers",
    "num_layers",
    "n_layer",
    "n_layers",
    "encoder_layers",
    "decoder_layers",
    "num_decoder_layers",
    "num_encoder_layers",
    "decoder_num_hidden_layers",
    "depth",
    "num_self_attends_per_block",
)
_EXPERTS = config_keys("num_experts", "num_local_experts", "n_routed_experts", "moe_num_experts")
_EXPERTS_PER_TOKEN = config_keys(
    "num_experts_per_tok", "num_experts_per_token", "moe_topk", "moe_k"
)
_EXPERT_GROUPS = config_keys("n_group", "topk_group", "num_expert_group")
_WIDTH_LISTS = config_keys(
    "hidden_sizes",
    "embed_dims",
    "embed_dim",
    "conv_dim",
    "dims",
    "neck_hidden_sizes",
    "embed_dim_per_stage",
    "backbone_channel_list",
    "encoder_in_channels",
    "decoder_in_channels",
)
_HEAD_LISTS = config_keys("num_heads", "num_attention_heads", "heads")
_DEPTH_LISTS = config_keys(
    "depths", "num_layers", "layers", "num_block_repeats", "blocks_per_stage"
)
# Channel counts of convolutional stacks (codecs, vocoders, VQ autoencoders) that grow by powers
# of two from a base: the base, shrunk so the widest stage stays small.
_BASE_CHANNELS = {"base_channels": 32, "upsample_initial_channel": 32, "num_filters": 8}
# Multipliers of EfficientNet-like stacks (B7: width x2, depth x3.1).
_COEFFICIENTS = {"width_coefficient": 0.25, "depth_coefficient": 1.0}
# Vocabularies other than the tokenizer's (entities, hashed byte groups, VQ codebooks).
_OTHER_VOCAB = re.compile(r"vocab|^num_embeddings$")
OTHER_VOCAB_SIZE = 1024


def shrink_config_dict(
    config: Mapping[str, Any], level: Level, channels: int | None = None
) -> dict[str, Any]:
    """A copy of a config dict (`PreTrainedConfig.to_dict()`) with its sizes shrunk to `level`,
    sub-configs included. Sizes already smaller than the level's stay as they are. `channels`:
    the divisor of channel lists, one for the whole tree (computed at the top when None)."""
    if channels is None:
        channels = channel_divisor(config, 2 * level.width)
    shrunk: dict[str, Any] = {}
    width = width_of(config)
    for key, value in config.items():
        if is_subconfig(value) and value["model_type"] == "timm_backbone":
            shrunk[key] = _resnet_backbone(value)
        elif is_subconfig(value):
            shrunk[key] = shrink_config_dict(value, level, channels)
        elif isinstance(value, list) and value and all(is_subconfig(v) for v in value):
            shrunk[key] = [shrink_config_dict(v, level, channels) for v in value]
        elif is_int(value):
            shrunk[key] = _shrink_int(key, value, level, width)
        elif (
            is_int_list(value)
            and _CHANNEL_LISTS.search(key)
            and not _all_width(values=value, width=width, key=key)
        ):
            shrunk[key] = [v if v <= _INPUT_CHANNELS else max(1, v // channels) for v in value]
        elif is_int_list(value):
            shrunk[key] = _shrink_list(key, value, level, width)
        elif isinstance(value, float) and key in _COEFFICIENTS:
            shrunk[key] = min(value, _COEFFICIENTS[key])
        else:
            shrunk[key] = value
    keep_consistent(config, shrunk, level)
    fit_layer_indices(config, shrunk)
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
_GROUPS = config_keys("num_groups", "groups", "n_groups", "num_conv_pos_embedding_groups")


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
    return value  # heads, head sizes and the like are set together in `keep_consistent`


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
_CHANNEL_LISTS = config_keys("hidden_sizes", "channels")
_INPUT_CHANNELS = 4


def _channel_lists(config: Mapping[str, Any]) -> Iterator[list[int]]:
    for key, value in config.items():
        if is_subconfig(value):
            yield from _channel_lists(value)
        elif is_int_list(value) and _CHANNEL_LISTS.search(key):
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
