"""Tiny models built offline (`hflint.exec.tiny`): real builds, no mocks, no network.

A handful of types across families is built into a fresh cache, reused from it, and run through
its task's pipeline on the canonical input; impossible types are refused with a reason. The
config shrinker is also checked on plain dicts, which needs no transformers at all.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest

from hflint import task_inputs
from hflint.catalog import load_catalog
from hflint.exec import tiny
from hflint.exec.tiny import cache as tiny_cache
from hflint.exec.tiny.components import token_ids_of
from hflint.exec.tiny.model import fit_model_input_names, follow_vocab, set_token_ids
from hflint.exec.tiny.processors import processor_class
from hflint.exec.tiny.tokenizer import generic_tokenizer

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing here may reach the hub

# Exec tests; those that build a model are also `slow` (the shrinker checks on dicts are quick).
pytestmark = pytest.mark.exec

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


@pytest.mark.slow
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


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=["-".join(c) for c in CASES])
def test_second_call_is_a_cache_hit(
    case: tuple[str, str], built: dict[tuple[str, str], tiny.TinyModel], cache: Path
) -> None:
    again = tiny.build_tiny_model(*case, cache_dir=cache)
    assert again.cached
    assert again.path == built[case].path
    assert again.build_seconds == built[case].build_seconds


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=["-".join(c) for c in CASES])
def test_loads_and_runs_its_pipeline_on_the_canonical_input(
    case: tuple[str, str], built: dict[tuple[str, str], tiny.TinyModel]
) -> None:
    tiny.run_pipeline(built[case].path, case[1])  # raises when it does not run


@pytest.mark.slow
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


@pytest.mark.slow
def test_any_spelling_of_a_type_shares_the_cached_model(
    built: dict[tuple[str, str], tiny.TinyModel], cache: Path
) -> None:
    model = tiny.build_tiny_model("BERT", "fill-mask", cache_dir=cache)
    assert model.cached and model.path == built[("bert", "fill-mask")].path


@pytest.mark.slow
def test_a_directory_of_another_builder_version_is_rebuilt(tmp_path: Path) -> None:
    old = tiny.model_dir(tmp_path, "bert", "fill-mask")
    old.mkdir(parents=True)
    marker = {"builder": tiny.BUILDER_VERSION - 1, "model_type": "bert", "task": "fill-mask"}
    (old / tiny.MARKER).write_text(json.dumps(marker), encoding="utf-8")
    model = tiny.build_tiny_model("bert", "fill-mask", cache_dir=tmp_path)
    assert not model.cached
    assert (model.path / "config.json").is_file()


@pytest.mark.slow
def test_a_directory_without_its_marker_is_rebuilt(cache: Path, tmp_path: Path) -> None:
    half_built = tiny.model_dir(tmp_path, "bert", "fill-mask")
    half_built.mkdir(parents=True)
    (half_built / "config.json").write_text("{", encoding="utf-8")  # a build cut short
    model = tiny.build_tiny_model("bert", "fill-mask", cache_dir=tmp_path)
    assert not model.cached
    assert (model.path / tiny.MARKER).is_file()
    json.loads((model.path / "config.json").read_text(encoding="utf-8"))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("model_type", "task", "reason"),
    [
        ("not-a-model", "fill-mask", "unknown model type"),
        ("gpt2", "image-classification", "no model class for task image-classification"),
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


# (model type, task): one per cause of a build that failed before, each built the way the file
# `hflint generate` writes for it loads it.
FIXED_CASES = [
    # Files that build the model directly (no in-memory video; an encoder-decoder whose only
    # pipeline is the generic feature extractor): loaded through the auto class, no pipeline run.
    ("videomae", "video-classification"),
    ("m2m_100", "feature-extraction"),
    # A processor the auto mapping lacks, named after the video processor the type maps to.
    ("cosmos3_omni", "image-text-to-text"),
    # A placeholder the processor sets when made (`self.image_token = ...`), not as a default.
    ("cohere_compass", "image-text-to-text"),
    # The processor's patch grid follows the vision config's (16-pixel patches, not 14).
    ("qwen3_vl", "image-text-to-text"),
    # A vision tower the default config leaves out, and placeholder tokens the processor reads
    # with `getattr(tokenizer, "audio_token", None)`.
    ("gemma4", "image-text-to-text"),
    # A placeholder the processor makes as an `AddedToken` when the tokenizer has none, which
    # the config, left None, names as `image_token_index`.
    ("blip-2", "image-text-to-text"),
    # `unpadded_vocab_size` follows the shrunk vocabulary.
    ("inkling2_text", "text-generation"),
]


@pytest.mark.slow
@pytest.mark.parametrize("case", FIXED_CASES, ids=["-".join(c) for c in FIXED_CASES])
def test_each_cause_fixed_builds_a_model_its_file_loads(case: tuple[str, str], cache: Path) -> None:
    import transformers

    model_type, task = case
    model = tiny.build_tiny_model(model_type, task, cache_dir=cache)
    entry = load_catalog().resolve(model_type)
    assert entry is not None
    if task_inputs.runs_pipeline(task, entry.tasks):
        tiny.run_pipeline(model.path, task)
        return
    # What the generated `direct` file does: build from the config, then load the weights.
    auto = getattr(transformers, entry.tasks[task])
    auto.from_config(transformers.AutoConfig.from_pretrained(model.path))
    loaded = auto.from_pretrained(model.path)
    assert loaded.config.model_type == entry.model_type


def test_a_processor_the_mapping_lacks_is_named_after_the_model_it_maps_to() -> None:
    """GLM-4.5V-like `glmga` maps to `Glm46VModel` and no processor: its checkpoints ship
    `Glm46VProcessor`."""
    pytest.importorskip("transformers")
    assert processor_class(["glmga"], "GlmgaConfig").__name__ == "Glm46VProcessor"


@pytest.mark.slow
def test_a_failure_is_cached_per_builder_version(cache: Path) -> None:
    with pytest.raises(tiny.TinyModelUnavailable):
        tiny.build_tiny_model("bark", "text-to-audio", cache_dir=cache)
    target = tiny.model_dir(cache, "bark", "text-to-audio")
    record = json.loads(tiny_cache.failure_file(target).read_text(encoding="utf-8"))
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
    set_token_ids(config, {"image_token_id": 301, "eos_token_id": 3, "*": 1}, vocab=304)
    assert config["image_token_index"] == 301
    assert config["text_config"] == {
        "model_type": "llama",
        "vocab_size": 304,
        "eos_token_id": [3],
        "pad_token_id": 0,
    }


def test_per_layer_kinds_left_unset_are_filled_for_every_layer() -> None:
    lfm2_moe = {
        "model_type": "lfm2_moe",
        "hidden_size": 2048,
        "num_hidden_layers": 32,
        "layer_types": None,
        "mlp_layer_types": None,
    }
    shrunk = tiny.shrink_config_dict(lfm2_moe, TINY)
    assert shrunk["layer_types"] == ["full_attention"] * shrunk["num_hidden_layers"]
    assert shrunk["mlp_layer_types"] == ["dense", "sparse"]


def test_channel_lists_shrink_by_one_factor_across_sub_configs() -> None:
    """HGNetV2 stages feed each other, and D-FINE's encoder reads the backbone's last stages."""
    backbone = {
        "model_type": "hgnet_v2",
        "hidden_sizes": [256, 512, 1024, 2048],
        "stem_channels": [3, 32, 48],
        "stage_in_channels": [48, 128, 512, 1024],
        "stage_out_channels": [128, 512, 1024, 2048],
    }
    d_fine = {
        "model_type": "d_fine",
        "backbone_config": backbone,
        "encoder_in_channels": [512, 1024, 2048],
    }
    shrunk = tiny.shrink_config_dict(d_fine, TINY)
    stages = shrunk["backbone_config"]
    assert stages["stage_out_channels"][:-1] == stages["stage_in_channels"][1:]
    assert stages["stem_channels"][0] == 3  # the RGB input
    assert stages["stem_channels"][-1] == stages["stage_in_channels"][0]
    assert shrunk["encoder_in_channels"] == stages["stage_out_channels"][1:]
    # A factor dividing every count (16 here, so 48 stays whole): 2048 becomes 128.
    assert stages["hidden_sizes"] == [16, 32, 64, 128]


def test_a_width_derived_from_the_width_coefficient_follows_it() -> None:
    efficientnet = {"model_type": "efficientnet", "width_coefficient": 2.0, "hidden_dim": 2560}
    shrunk = tiny.shrink_config_dict(efficientnet, TINY)
    assert shrunk["hidden_dim"] == 2560 * shrunk["width_coefficient"] / 2.0


def test_kv_sharing_leaves_a_cache_producer_of_each_kind() -> None:
    gemma3n = {
        "model_type": "gemma3n_text",
        "hidden_size": 2048,
        "num_hidden_layers": 35,
        "layer_types": (["sliding_attention"] * 4 + ["full_attention"]) * 7,
        "num_kv_shared_layers": 15,
        "rope_parameters": {},
    }
    shrunk = tiny.shrink_config_dict(gemma3n, TINY)
    producers = shrunk["layer_types"][
        : shrunk["num_hidden_layers"] - shrunk["num_kv_shared_layers"]
    ]
    assert set(producers) == set(shrunk["layer_types"])
    # Rope parameters that checkpoints key by layer type: one entry per type.
    assert set(shrunk["rope_parameters"]) == {"sliding_attention", "full_attention"}


def test_kv_heads_pair_with_the_query_heads_of_their_prefix() -> None:
    moonshine = {
        "model_type": "moonshine",
        "hidden_size": 288,
        "encoder_num_attention_heads": 8,
        "encoder_num_key_value_heads": 8,
    }
    shrunk = tiny.shrink_config_dict(moonshine, TINY)
    assert shrunk["encoder_num_key_value_heads"] == shrunk["encoder_num_attention_heads"]


def test_state_space_heads_fill_a_state_space_sized_on_its_own() -> None:
    falcon_h1 = {
        "model_type": "falcon_h1",
        "hidden_size": 4096,
        "mamba_expand": 2,
        "mamba_d_ssm": 1024,
        "mamba_n_heads": 128,
        "mamba_d_head": 8,
    }
    shrunk = tiny.shrink_config_dict(falcon_h1, TINY)
    assert shrunk["mamba_n_heads"] * shrunk["mamba_d_head"] == shrunk["mamba_d_ssm"]
    assert shrunk["mamba_d_ssm"] <= 2 * TINY.width


def test_feature_layer_indices_point_at_remaining_layers() -> None:
    vipllava = {
        "model_type": "vipllava",
        "vision_feature_layers": [-2, -5, 6],
        "vision_config": {
            "model_type": "mllama_vision_model",
            "hidden_size": 1280,
            "num_hidden_layers": 32,
            "intermediate_layers_indices": [3, 30],
        },
    }
    shrunk = tiny.shrink_config_dict(vipllava, TINY)
    layers = shrunk["vision_config"]["num_hidden_layers"]
    assert shrunk["vision_feature_layers"] == [-2, -2, 0]
    assert shrunk["vision_config"]["intermediate_layers_indices"] == [0, layers - 1]


def test_a_patch_grid_folds_under_the_projector_pixel_shuffle() -> None:
    aya_vision = {
        "model_type": "aya_vision",
        "downsample_factor": 2,
        "vision_config": {"model_type": "siglip_vision_model", "image_size": 384, "patch_size": 14},
    }
    shrunk = tiny.shrink_config_dict(aya_vision, TINY)
    assert shrunk["vision_config"]["image_size"] == 364  # 26 patches a side, as checkpoints have


def test_a_vocabulary_size_that_is_the_vocabulary_follows_it() -> None:
    """Inkling's `unpadded_vocab_size` is its `vocab_size` less padding: it must stay within the
    shrunk vocabulary. Token types and entity vocabularies are other vocabularies and stay."""
    full = {"vocab_size": 1000, "unpadded_vocab_size": 990, "type_vocab_size": 2}
    shrunk = {"vocab_size": 304, "unpadded_vocab_size": 1024, "type_vocab_size": 2}
    follow_vocab(full, shrunk)
    assert shrunk == {"vocab_size": 304, "unpadded_vocab_size": 294, "type_vocab_size": 2}


def test_padding_and_mask_ids_left_unset_take_the_tokenizer_ones() -> None:
    esm = {"model_type": "esm", "vocab_size": 33, "pad_token_id": None, "eos_token_id": None}
    set_token_ids(esm, {"pad_token_id": 3, "eos_token_id": 1, "*": 2}, vocab=304)
    assert esm["pad_token_id"] == 3
    assert esm["eos_token_id"] is None  # None there means "no end token": left as it is


def test_the_tokenizer_standard_token_ids_are_found() -> None:
    """transformers 5 tokenizers do not list `pad_token_id` in `dir`, yet config ids must follow
    them."""
    pytest.importorskip("transformers")
    ids = token_ids_of(generic_tokenizer())
    assert {"bos_token_id", "eos_token_id", "pad_token_id", "mask_token_id"} <= ids.keys()


def test_tokenizer_outputs_the_model_does_not_take_are_dropped() -> None:
    pytest.importorskip("transformers")

    class NoTokenTypes:
        def forward(self, input_ids: object = None, attention_mask: object = None) -> None: ...

    tokenizer = generic_tokenizer()
    tokenizer.model_input_names = ["input_ids", "token_type_ids", "attention_mask"]
    fit_model_input_names(tokenizer, NoTokenTypes())
    assert tokenizer.model_input_names == ["input_ids", "attention_mask"]


def test_the_decoder_start_stays_the_token_it_was() -> None:
    """ProphetNet and T5 start decoding from their padding token, BART from its end token."""
    prophetnet = {"model_type": "prophetnet", "decoder_start_token_id": 0, "pad_token_id": 0}
    bart = {"model_type": "bart", "decoder_start_token_id": 2, "eos_token_id": 2, "pad_token_id": 1}
    ids = {"pad_token_id": 5, "eos_token_id": 7, "bos_token_id": 6, "*": 8}
    set_token_ids(prophetnet, ids, vocab=304)
    set_token_ids(bart, ids, vocab=304)
    assert prophetnet["decoder_start_token_id"] == prophetnet["pad_token_id"] == 5
    assert bart["decoder_start_token_id"] == bart["eos_token_id"] == 7


@pytest.mark.slow
@pytest.mark.parametrize(
    ("model_type", "task", "package"),
    [
        ("dinov3_vit", "image-feature-extraction", "torchvision"),
        ("higgs_audio_v2_tokenizer", "feature-extraction", "torchaudio"),
    ],
)
def test_a_missing_package_is_named_first(
    model_type: str, task: str, package: str, cache: Path
) -> None:
    """Types whose processor or model needs a package this machine lacks are unavailable, and
    the reason leads with the package rather than with the error it caused downstream."""
    if importlib.util.find_spec(package) is not None:
        tiny.build_tiny_model(model_type, task, cache_dir=cache)  # then it must simply work
        return
    with pytest.raises(tiny.TinyModelUnavailable) as raised:
        tiny.build_tiny_model(model_type, task, cache_dir=cache)
    assert package in raised.value.reason.lower().split("(")[0], raised.value.reason


@pytest.mark.slow
@pytest.mark.parametrize("model_type", ["flaubert", "roformer"])
def test_a_fill_mask_model_has_the_mask_token_its_checkpoints_have(
    model_type: str, cache: Path
) -> None:
    """A file's text is written for the checkpoint's mask token (the catalog's), which the tiny
    model's tokenizer must have even where it is the generic byte-level one."""
    import transformers

    entry = load_catalog().resolve(model_type)
    assert entry is not None and entry.mask_token is not None
    mask_token = entry.mask_token
    model = tiny.build_tiny_model(model_type, "fill-mask", cache_dir=cache)
    pipe = transformers.pipeline("fill-mask", model=str(model.path))
    assert pipe.tokenizer.mask_token == mask_token
    assert pipe(f"Paris is the {mask_token} of France.")


@pytest.mark.slow
def test_a_type_without_a_mapped_processor_gets_the_one_its_feature_extractor_goes_with(
    cache: Path,
) -> None:
    """data2vec-audio has no processor in the auto mapping; its checkpoints ship Wav2Vec2's,
    which its feature extractor names. Without it AutoProcessor returns the tokenizer, which
    rejects audio."""
    import numpy as np
    import transformers

    model = tiny.build_tiny_model("data2vec-audio", "automatic-speech-recognition", cache_dir=cache)
    processor = transformers.AutoProcessor.from_pretrained(str(model.path))
    assert type(processor).__name__ == "Wav2Vec2Processor"
    features = processor(np.zeros(1600, dtype=np.float32), sampling_rate=16000)
    assert "input_values" in features
