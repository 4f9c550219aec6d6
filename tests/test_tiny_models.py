"""Tiny models built offline (`hflint.exec.tiny`): real builds, no mocks, no network.

A handful of types across families is built into a fresh cache, reused from it, and run through
its task's pipeline on the canonical input; impossible types are refused with a reason. The
config shrinker is also checked on plain dicts, which needs no transformers at all.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from hflint.exec import tiny

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing here may reach the hub

# (model type, task): one per family and modality, each a different way of being built (a
# WordPiece and a byte-level BPE tokenizer, an image processor, a CTC vocabulary with a feature
# extractor, CLIP's own tokenizer with an image processor, a processor with an image placeholder
# and hflint's generic chat template).
CASES = [
    ("bert", "fill-mask"),
    ("gpt2", "text-generation"),
    ("vit", "image-classification"),
    ("wav2vec2", "automatic-speech-recognition"),
    ("clip", "zero-shot-image-classification"),
    ("llava", "image-text-to-text"),
]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    pytest.importorskip("PIL")
    return tmp_path_factory.mktemp("tiny-cache")


@pytest.fixture(scope="module")
def built(cache: Path) -> dict[tuple[str, str], tiny.TinyModel]:
    """Each case built once, cold, for the tests below to inspect."""
    return {case: tiny.build_tiny_model(*case, cache_dir=cache) for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=["-".join(c) for c in CASES])
def test_builds_cold_into_the_versioned_cache(
    case: tuple[str, str], built: dict[tuple[str, str], tiny.TinyModel], cache: Path
) -> None:
    model = built[case]
    assert not model.cached
    assert model.path == cache / tiny.transformers_version() / case[0] / case[1]
    assert (model.path / "config.json").is_file()
    assert (model.path / "model.safetensors").is_file()
    marker = json.loads((model.path / tiny.MARKER).read_text(encoding="utf-8"))
    assert marker["model_type"] == case[0] and marker["task"] == case[1]
    # Tiny means tiny: well under a few megabytes on disk.
    assert 0 < model.size_bytes < 5_000_000
    assert model.build_seconds > 0


@pytest.mark.parametrize("case", CASES, ids=["-".join(c) for c in CASES])
def test_second_call_is_a_fast_cache_hit(
    case: tuple[str, str], built: dict[tuple[str, str], tiny.TinyModel], cache: Path
) -> None:
    again = tiny.build_tiny_model(*case, cache_dir=cache)
    assert again.cached
    assert again.path == built[case].path
    assert again.seconds < 0.5  # a marker read, not a build
    assert again.build_seconds == built[case].build_seconds


@pytest.mark.parametrize("case", CASES, ids=["-".join(c) for c in CASES])
def test_loads_and_runs_its_pipeline_on_the_canonical_input(
    case: tuple[str, str], built: dict[tuple[str, str], tiny.TinyModel]
) -> None:
    tiny.run_pipeline(built[case].path, case[1])  # raises when it does not run


def test_a_processor_without_a_chat_template_gets_a_generic_one(
    built: dict[tuple[str, str], tiny.TinyModel],
) -> None:
    """The canonical image-text-to-text input is a chat: the template puts llava's `<image>`
    placeholder in the prompt, and the note says the template is hflint's."""
    from transformers import AutoProcessor

    model = built[("llava", "image-text-to-text")]
    assert model.note == "hflint's generic chat template, the image as '<image>'"
    processor = AutoProcessor.from_pretrained(str(model.path))
    chat = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "Hi."}]}]
    assert processor.apply_chat_template(chat) == "<image>Hi."
    assert built[("bert", "fill-mask")].note == ""


def test_any_spelling_of_a_type_shares_the_cached_model(
    built: dict[tuple[str, str], tiny.TinyModel], cache: Path
) -> None:
    model = tiny.build_tiny_model("BERT", "fill-mask", cache_dir=cache)
    assert model.cached and model.path == built[("bert", "fill-mask")].path


def test_a_directory_of_another_builder_version_is_rebuilt(tmp_path: Path) -> None:
    old = tiny.model_dir(tmp_path, "bert", "fill-mask")
    old.mkdir(parents=True)
    marker = {"builder": tiny.BUILDER_VERSION - 1, "model_type": "bert", "task": "fill-mask"}
    (old / tiny.MARKER).write_text(json.dumps(marker), encoding="utf-8")
    model = tiny.build_tiny_model("bert", "fill-mask", cache_dir=tmp_path)
    assert not model.cached
    assert (model.path / "config.json").is_file()


def test_a_directory_without_its_marker_is_rebuilt(cache: Path, tmp_path: Path) -> None:
    half_built = tiny.model_dir(tmp_path, "bert", "fill-mask")
    half_built.mkdir(parents=True)
    (half_built / "config.json").write_text("{", encoding="utf-8")  # a build cut short
    model = tiny.build_tiny_model("bert", "fill-mask", cache_dir=tmp_path)
    assert not model.cached
    assert (model.path / tiny.MARKER).is_file()
    json.loads((model.path / "config.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("model_type", "task", "reason"),
    [
        ("not-a-model", "fill-mask", "unknown model type"),
        ("gpt2", "image-classification", "no model class for task image-classification"),
        ("videomae", "video-classification", "no input that can be made in memory"),
        ("clip_vision_model", "feature-extraction", "no model class for task feature-extraction"),
        ("bark", "text-to-audio", "takes no input_ids"),
    ],
)
def test_impossible_types_are_unavailable_with_a_reason(
    model_type: str, task: str, reason: str, cache: Path
) -> None:
    with pytest.raises(tiny.TinyModelUnavailable) as raised:
        tiny.build_tiny_model(model_type, task, cache_dir=cache)
    assert reason in raised.value.reason
    assert "\n" not in raised.value.reason


def test_a_failure_is_cached_per_builder_version(cache: Path) -> None:
    with pytest.raises(tiny.TinyModelUnavailable):
        tiny.build_tiny_model("bark", "text-to-audio", cache_dir=cache)
    target = tiny.model_dir(cache, "bark", "text-to-audio")
    record = json.loads(tiny._failure_file(target).read_text(encoding="utf-8"))
    assert record["builder"] == tiny.BUILDER_VERSION
    assert not target.exists()


def test_the_cache_root_comes_from_the_argument_then_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(tiny.ENV_CACHE, str(tmp_path / "from-env"))
    assert tiny.cache_root(None) == tmp_path / "from-env"
    assert tiny.cache_root(tmp_path / "given") == tmp_path / "given"
    monkeypatch.delenv(tiny.ENV_CACHE)
    assert tiny.cache_root(None) == Path("~/.cache/hflint/tiny").expanduser()


# --- the shrinker, on plain dicts ----------------------------------------------------------------

TINY = tiny.LEVELS[0]


def test_sizes_shrink_and_heads_divide_the_width() -> None:
    llama = {
        "model_type": "llama",
        "hidden_size": 4096,
        "intermediate_size": 11008,
        "num_hidden_layers": 32,
        "num_attention_heads": 32,
        "num_key_value_heads": 8,
        "head_dim": 128,
        "max_position_embeddings": 4096,
    }
    shrunk = tiny.shrink_config_dict(llama, TINY)
    assert shrunk["hidden_size"] == TINY.width
    assert shrunk["intermediate_size"] == TINY.ffn
    assert shrunk["num_hidden_layers"] == TINY.layers
    heads, kv = shrunk["num_attention_heads"], shrunk["num_key_value_heads"]
    assert shrunk["hidden_size"] % heads == 0 and heads % kv == 0 and kv < heads  # still GQA
    assert shrunk["head_dim"] == shrunk["hidden_size"] // heads
    # Positions are kept: they must outlast any prompt the pipeline sends.
    assert shrunk["max_position_embeddings"] == 4096


def test_sub_configs_shrink_to_the_same_width() -> None:
    llava = {
        "model_type": "llava",
        "text_config": {"model_type": "llama", "hidden_size": 4096, "num_attention_heads": 32},
        "vision_config": {"model_type": "clip_vision_model", "hidden_size": 1024, "patch_size": 14},
    }
    shrunk = tiny.shrink_config_dict(llava, TINY)
    assert shrunk["text_config"]["hidden_size"] == shrunk["vision_config"]["hidden_size"]
    assert shrunk["vision_config"]["patch_size"] == 14


def test_a_hybrid_keeps_one_layer_of_each_kind() -> None:
    kinds = ["linear_attention"] * 3 + ["full_attention"]
    hybrid = {
        "model_type": "x",
        "hidden_size": 2048,
        "num_hidden_layers": 40,
        "layer_types": kinds * 10,
    }
    shrunk = tiny.shrink_config_dict(hybrid, TINY)
    assert shrunk["num_hidden_layers"] == len(shrunk["layer_types"]) == 2
    assert set(shrunk["layer_types"]) == {"linear_attention", "full_attention"}


def test_backbone_outputs_stay_distinct_layers() -> None:
    dpt = {
        "model_type": "dpt",
        "hidden_size": 768,
        "num_hidden_layers": 12,
        "backbone_out_indices": [2, 5, 8, 11],
    }
    shrunk = tiny.shrink_config_dict(dpt, TINY)
    assert shrunk["num_hidden_layers"] == 4
    assert shrunk["backbone_out_indices"] == [0, 1, 2, 3]


def test_rope_sections_sum_to_half_the_head() -> None:
    qwen = {
        "model_type": "qwen2_vl_text",
        "hidden_size": 3584,
        "num_attention_heads": 28,
        "rope_parameters": {"rope_type": "default", "mrope_section": [16, 24, 24]},
    }
    shrunk = tiny.shrink_config_dict(qwen, TINY)
    head = shrunk["hidden_size"] // shrunk["num_attention_heads"]
    assert sum(shrunk["rope_parameters"]["mrope_section"]) == head // 2


def test_token_ids_point_inside_the_new_vocabulary() -> None:
    config = {
        "model_type": "llava",
        "image_token_index": 32000,
        "text_config": {
            "model_type": "llama",
            "vocab_size": 32064,
            "eos_token_id": [2, 32007],
            "pad_token_id": 0,
        },
    }
    tiny.set_token_ids(config, {"image_token_id": 301, "eos_token_id": 3, "*": 1}, vocab=304)
    assert config["image_token_index"] == 301
    assert config["text_config"] == {
        "model_type": "llama",
        "vocab_size": 304,
        "eos_token_id": [3],
        "pad_token_id": 0,
    }
