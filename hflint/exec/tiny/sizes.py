"""Shrink levels and the reading of a config dict's sizes that shrinking and fitting share.

Plain dicts (`PreTrainedConfig.to_dict()`) only: nothing here needs transformers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard


def config_keys(*names: str) -> re.Pattern[str]:
    """A config key that is one of `names`, alone or after a prefix: `num_heads`, `text_num_heads`."""
    return re.compile(rf"(^|_)({'|'.join(names)})$")


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
HEADS = config_keys(
    "num_attention_heads", "n_head", "n_heads", "num_heads", "attention_heads", "index_n_heads"
)
KV_HEADS = config_keys("num_key_value_heads", "num_kv_heads", "n_kv_heads")
HEAD_DIM = config_keys(
    "head_dim",
    "d_kv",
    "qk_head_dim",
    "v_head_dim",
    "qk_nope_head_dim",
    "qk_rope_head_dim",
    "linear_key_head_dim",
    "linear_value_head_dim",
    "mamba_d_head",
    "mamba_head_dim",
)


def is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def is_int_list(value: object) -> TypeGuard[list[int]]:
    return isinstance(value, list) and bool(value) and all(is_int(v) for v in value)


def is_subconfig(value: object) -> TypeGuard[dict[str, Any]]:
    return isinstance(value, dict) and "model_type" in value


def divisor_at_most(number: int, limit: int) -> int:
    """The largest divisor of `number` that is at most `limit` (at least 1)."""
    return next(d for d in range(max(1, min(limit, number)), 0, -1) if number % d == 0)


def width_of(config: Mapping[str, Any]) -> int | None:
    for key in ("hidden_size", "d_model", "n_embd", "embed_dim", "dim", "hidden_dim"):
        value = config.get(key)
        if is_int(value) and value > 0:
            return int(value)
    return None


ATTENTION_HEADS = ("num_attention_heads", "n_head", "num_heads", "n_heads")


def heads_of(config: Mapping[str, Any]) -> int:
    for key in ATTENTION_HEADS:
        value = config.get(key)
        if is_int(value) and value > 0:
            return int(value)
    return 0


def vision_config(config: Mapping[str, Any]) -> Mapping[str, Any]:
    for key in ("vision_config", "vision_tower_config", "encoder"):
        if is_subconfig(config.get(key)):
            return config[key]  # type: ignore[no-any-return]
    return config
