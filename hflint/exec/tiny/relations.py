"""Keeping a shrunk config consistent: the relations modelling code relies on after `shrink`.

Hidden size divisible by heads, kv heads dividing heads, per-layer lists as long as the layer count,
rope sections summing to half the head size, layer indices inside the new depth, image token counts
matching the patch grid...
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from hflint.exec.tiny.sizes import (
    ATTENTION_HEADS,
    HEAD_DIM,
    HEADS,
    KV_HEADS,
    Level,
    divisor_at_most,
    heads_of,
    is_int,
    is_int_list,
    is_subconfig,
    vision_config,
    width_of,
)


def keep_consistent(original: Mapping[str, Any], shrunk: dict[str, Any], level: Level) -> None:
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
    factor = next((shrunk[k] for k in _SHUFFLE_FACTORS if is_int(shrunk.get(k))), None)
    if not (is_subconfig(vision) and factor and factor > 1):
        return
    size, patch = vision.get("image_size"), vision.get("patch_size")
    if is_int(size) and is_int(patch) and patch > 0 and (size // patch) % factor:
        vision["image_size"] = max(factor, size // patch // factor * factor) * patch


def _fit_width_coefficient(original: Mapping[str, Any], shrunk: dict[str, Any]) -> None:
    """EfficientNet-like stacks derive their last width from the width coefficient
    (`hidden_dim` = 1280 x the coefficient): it scales with the coefficient, not to the level."""
    old, new = original.get("width_coefficient"), shrunk.get("width_coefficient")
    hidden = original.get("hidden_dim")
    if isinstance(old, float) and isinstance(new, float) and old > 0 and is_int(hidden):
        shrunk["hidden_dim"] = max(1, round(hidden * new / old))


# Indices of layers whose hidden states are read (`vision_feature_layer`, Mllama's
# `intermediate_layers_indices`), in the config that has the layers or in a sibling of it.
_LAYER_INDICES = re.compile(r"(^|_)(feature_layers?|intermediate_layers_indices)$")


def fit_layer_indices(original: Mapping[str, Any], shrunk: dict[str, Any]) -> None:
    """Point layer indices at layers the shrunk stack still has: each index moves to the same
    place in proportion (layer 16 of 32 becomes layer 1 of 2), negative ones count from the end
    as before, at most as far back as the stack goes."""
    vision = vision_config(original)
    for holder, shrunk_holder in _with_subconfigs(original, shrunk):
        counts = _layer_count(holder) or _layer_count(vision)
        new_counts = _layer_count(shrunk_holder) or _layer_count(vision_config(shrunk))
        if counts is None or new_counts is None:
            continue
        for key, value in holder.items():
            if _LAYER_INDICES.search(key) and (is_int(value) or is_int_list(value)):
                values = [_move_index(v, counts[1], new_counts[1]) for v in _as_list(value)]
                shrunk_holder[key] = values if isinstance(value, list) else values[0]


def _with_subconfigs(
    original: Mapping[str, Any], shrunk: dict[str, Any]
) -> Iterator[tuple[Mapping[str, Any], dict[str, Any]]]:
    yield original, shrunk
    for key, value in original.items():
        if is_subconfig(value) and is_subconfig(shrunk.get(key)):
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
    if not (is_subconfig(vision) and is_int(tokens)):
        return
    size, patch = vision.get("image_size"), vision.get("patch_size")
    if is_int(size) and is_int(patch) and patch > 0 and tokens > (size // patch) ** 2:
        shrunk["mm_tokens_per_image"] = (size // patch) ** 2


def _fit_heads(original: Mapping[str, Any], shrunk: dict[str, Any], level: Level) -> None:
    """Heads divide the width; kv heads divide heads (MHA, GQA and MQA kept as such); head sizes
    follow width / heads."""
    width = width_of(shrunk)
    heads = level.heads
    for key, value in original.items():
        if is_int(value) and value > 0 and HEADS.search(key):
            new = min(value, level.heads)
            if width is not None:
                new = divisor_at_most(width, new)
            shrunk[key] = new
            heads = new if key in ATTENTION_HEADS else heads
    head_size = max(2, (width or level.width) // heads)
    _fill_unset(original, shrunk, heads, head_size, level)
    for key, value in original.items():
        if is_int(value) and value > 0 and KV_HEADS.search(key):
            pair = _paired_heads(key)
            if is_int(original.get(pair)) and is_int(shrunk.get(pair)):
                shrunk[key] = _kv_heads(value, original[pair], shrunk[pair])
            else:
                shrunk[key] = _kv_heads(value, heads_of(original), heads)
        elif is_int(value) and value > 0 and (HEAD_DIM.search(key) or key == "rotary_dim"):
            shrunk[key] = min(value, head_size)


def _paired_heads(kv_key: str) -> str:
    """The query heads a kv-head count goes with, by prefix (Moonshine's
    `encoder_num_key_value_heads` -> `encoder_num_attention_heads`)."""
    return KV_HEADS.sub(lambda m: m.group(1) + "num_attention_heads", kv_key)


def _fill_unset(
    original: Mapping[str, Any], shrunk: dict[str, Any], heads: int, head_size: int, level: Level
) -> None:
    """Sizes some default configs leave None for checkpoints to set, and some models then use
    as numbers (Ministral's `head_dim`, Nemotron's kv heads, dots1's experts)."""
    if width_of(shrunk) is None:
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
    width = width_of(shrunk)
    if not (is_int(expand) and width):
        return
    inner = int(expand) * width
    # Falcon-H1 sizes its state-space part on its own (`mamba_d_ssm`), expand x width at most.
    if is_int(shrunk.get("mamba_d_ssm")) and shrunk["mamba_d_ssm"] > 0:
        inner = shrunk["mamba_d_ssm"] = min(int(shrunk["mamba_d_ssm"]), inner)
    for heads_key, size_key in _SSM_HEADS:
        heads = shrunk.get(heads_key)
        if heads_key == "num_heads" and "num_attention_heads" in shrunk:
            continue  # attention heads, not state-space ones
        if is_int(heads) and heads > 0 and is_int(shrunk.get(size_key)):
            heads = divisor_at_most(inner, int(heads))
            shrunk[heads_key], shrunk[size_key] = heads, inner // heads


def _kv_heads(kv: int, heads: int, new_heads: int) -> int:
    if heads and kv >= heads:
        return new_heads  # multi-head attention
    if kv == 1:
        return 1  # multi-query attention
    return divisor_at_most(new_heads, max(1, new_heads // 2))  # grouped-query attention


def _layer_count(config: Mapping[str, Any]) -> tuple[str, int] | None:
    for key in ("num_hidden_layers", "num_layers", "n_layer", "n_layers", "decoder_layers"):
        value = config.get(key)
        if is_int(value) and value > 0:
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
    wanted = len(outputs) if is_int_list(outputs) and max(outputs) > level.layers else 1
    new_layers = min(layers, max(level.layers, kinds, wanted))
    shrunk[key] = new_layers
    for name, value in lists.items():
        shrunk[name] = _pick_layers(value, new_layers)
    for name, table in _per_layer_dicts(original).items():
        shrunk[name] = {k: v for k, v in table.items() if int(k) < new_layers}
    for name, value in original.items():
        if name == "first_k_dense_replace" and is_int(value):
            shrunk[name] = min(value, max(0, new_layers - 1))
        elif name == "num_kv_shared_layers" and is_int(value):
            shrunk[name] = min(
                value, _layers_after_every_kind(shrunk.get("layer_types"), new_layers)
            )
        elif name.endswith("_layer_offset") and is_int(value):
            shrunk[name] = min(value, new_layers - 1)
    for name, value in original.items():
        if name.endswith("_layer_period") and is_int(value):
            offset = shrunk.get(name.replace("_period", "_offset"), 0)
            shrunk[name] = max(int(offset) + 1, min(value, new_layers))
    if is_int_list(outputs) and max(outputs) > new_layers:
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
        kept = [i for i in value if 0 <= i < layers] if is_int_list(value) else []
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
    width = width_of(shrunk)
    heads = heads_of(shrunk)
    head_size = shrunk.get("head_dim") if is_int(shrunk.get("head_dim")) else None
    if head_size is None and width and heads:
        head_size = width // heads
    if not head_size:
        return
    for key in ("rope_parameters", "rope_scaling"):
        rope = shrunk.get(key)
        if isinstance(rope, dict) and is_int_list(rope.get("mrope_section")):
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
