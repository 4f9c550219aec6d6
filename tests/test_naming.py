"""What a test file's name means: `hflint.naming.resolve_model_name` on the spellings real suites use,
and `hflint.analysis.filemodel` when the name gives no type and the file's checkpoints decide."""

from __future__ import annotations

import libcst as cst
import pytest

from hflint.analysis.filemodel import file_model
from hflint.analysis.modelrefs import name_model
from hflint.catalog import load_catalog
from hflint.naming import (
    NAME_KINDS,
    expected_class_name,
    is_variant_word,
    model_name_from_path,
    resolve_model_name,
)


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("suite/test_hf_xlm-roberta.py", "xlm-roberta"),
        ("test_hf_bert_improved.py", "bert_improved"),
        ("fixed/test_albert.py", "albert"),
        ("test_hf_.py", None),
        ("test_.py", None),
        ("conftest.py", None),
        ("test_hf_bert.txt", None),
    ],
)
def test_model_name_from_path(path: str, name: str | None) -> None:
    assert model_name_from_path(path) == name


@pytest.mark.parametrize(
    ("name", "model_type", "kind", "stem"),
    [
        # Spellings of one type: hyphens, underscores, no separator, case.
        ("gpt-j", "gptj", "type", "gpt-j"),
        ("gpt_j", "gptj", "type", "gpt_j"),
        ("GPTJ", "gptj", "type", "GPTJ"),
        ("xlm_roberta", "xlm-roberta", "type", "xlm_roberta"),
        ("wav2vec2-conformer", "wav2vec2-conformer", "type", "wav2vec2-conformer"),
        ("kosmos_2_5", "kosmos-2.5", "type", "kosmos_2_5"),
        # Family aliases of the catalog.
        ("flan-t5", "t5", "alias", "flan-t5"),
        ("tinyllama", "llama", "alias", "tinyllama"),
        # Variant suffixes: how the suite made the file, a size, a checkpoint's words after one.
        ("gpt_j_standardized", "gptj", "type", "gpt_j"),
        ("bert_improved", "bert", "type", "bert"),
        ("gpt-neo_improved", "gpt_neo", "type", "gpt-neo"),
        ("xlm_roberta_large", "xlm-roberta", "type", "xlm_roberta"),
        ("t5_small", "t5", "type", "t5"),
        ("whisper-tiny", "whisper", "type", "whisper"),
        ("wav2vec2_base", "wav2vec2", "type", "wav2vec2"),
        ("llama_7b", "llama", "type", "llama"),
        ("gpt2_minimal", "gpt2", "type", "gpt2"),
        ("bert_copy", "bert", "type", "bert"),
        ("bert_base_uncased", "bert", "type", "bert"),
        ("vit_base_patch16_224", "vit", "type", "vit"),
        ("bert_standardized_improved", "bert", "type", "bert"),
        ("dbrx_instruct", "dbrx", "type", "dbrx"),
        # A type is never cut, even where its last word is a size.
        ("xlm-roberta-xl", "xlm-roberta-xl", "type", "xlm-roberta-xl"),
        ("xlm_roberta_xl_large", "xlm-roberta-xl", "type", "xlm_roberta_xl"),
        ("speech_to_text", "speech_to_text", "type", "speech_to_text"),
        # The module transformers keeps the type in, or that name less its version.
        ("donut", "donut-swin", "module", "donut"),
        ("donut_base", "donut-swin", "module", "donut"),
        ("florence", "florence2", "module", "florence"),
        ("florence_improved", "florence2", "module", "florence"),
        ("openai", "openai-gpt", "module", "openai"),
    ],
)
def test_names_that_give_a_type(name: str, model_type: str, kind: str, stem: str) -> None:
    match = resolve_model_name(load_catalog(), name)
    assert match.entry is not None, match
    assert (match.entry.model_type, match.kind, match.stem) == (model_type, kind, stem)
    assert match.suffix == name[len(stem) :]


@pytest.mark.parametrize(
    ("name", "removed", "removed_in"),
    [
        ("transfo-xl", "transfo-xl", "5.0"),
        ("transfo_xl", "transfo-xl", "5.0"),
        ("open_llama", "open-llama", "5.0"),
        ("xlm-prophetnet", "xlm-prophetnet", "5.0"),
        # Not xlm with a suffix, nor speech_to_text: the removed type is the whole name.
        ("xlm_prophetnet", "xlm-prophetnet", "5.0"),
        ("speech-to-text-2", "speech_to_text_2", "5.0"),
        ("speech_to_text_2_improved", "speech_to_text_2", "5.0"),
        ("gptsan-japanese", "gptsan-japanese", "5.0"),
        ("vit_hybrid", "vit_hybrid", "5.0"),
    ],
)
def test_removed_types(name: str, removed: str, removed_in: str) -> None:
    catalog = load_catalog()
    match = resolve_model_name(catalog, name)
    assert (match.kind, match.entry) == ("removed", None)
    assert match.removed is not None
    assert (match.removed.model_type, match.removed.removed_in) == (removed, removed_in)
    assert name_model(catalog, name) is None  # not the longest leading type (`xlm`)


@pytest.mark.parametrize(
    "name", ["audio", "vision", "multimodal", "decoder_only", "encoder-only", "audio_improved"]
)
def test_kinds_of_model_are_no_model(name: str) -> None:
    match = resolve_model_name(load_catalog(), name)
    assert (match.kind, match.entry) == ("generic", None)


@pytest.mark.parametrize(
    ("name", "candidates"),
    [
        ("data2vec", ("data2vec-audio", "data2vec-text", "data2vec-vision")),
        ("data2vec_improved", ("data2vec-audio", "data2vec-text", "data2vec-vision")),
        ("kosmos", ("kosmos-2", "kosmos-2.5")),
    ],
)
def test_family_names_list_their_types(name: str, candidates: tuple[str, ...]) -> None:
    match = resolve_model_name(load_catalog(), name)
    assert (match.kind, match.entry, match.candidates) == ("family", None, candidates)


@pytest.mark.parametrize(
    "name",
    [
        "vicuna",
        "bert_web",  # `web` is no variant word: the name is not bert's
        "clip_vit",
        "mlp_mixer",  # timm's, never a transformers type
        "deepseek",
        "bertt",
        "hubert_x",  # not bert: names split on whole words only
        "nllb_moe_extra",
    ],
)
def test_names_that_give_nothing(name: str) -> None:
    match = resolve_model_name(load_catalog(), name)
    assert (match.kind, match.entry, match.stem) == ("unknown", None, name)


def test_every_kind_is_documented() -> None:
    catalog = load_catalog()
    names = ["bert", "flan-t5", "donut", "data2vec", "transfo-xl", "audio", "vicuna"]
    assert [resolve_model_name(catalog, name).kind for name in names] == list(NAME_KINDS)


def test_variant_words() -> None:
    assert all(map(is_variant_word, ["standardized", "Improved", "base", "7b", "1.5B", "560m"]))
    assert not any(map(is_variant_word, ["web", "v2", "2", "prophetnet", "xlarge7"]))


def test_the_expected_class_is_named_for_the_stem() -> None:
    match = resolve_model_name(load_catalog(), "gpt_j_standardized")
    assert expected_class_name(match.stem) == "TestGptJModels"


def test_how_a_name_gave_its_type() -> None:
    catalog = load_catalog()
    assert resolve_model_name(catalog, "bert").how() == "the file name"
    assert resolve_model_name(catalog, "donut_improved").how() == (
        "`donut`, the name of the module transformers keeps donut-swin in, less its variant "
        "suffix `_improved`"
    )
    assert resolve_model_name(catalog, "flan-t5").how() == "`flan-t5`, a name of t5 checkpoints"


# --- when the name gives no type, the file's checkpoints decide ----------------------------------


def _decide(name: str, code: str | None) -> tuple[str | None, str]:
    catalog = load_catalog()
    found = file_model(catalog, name, None if code is None else cst.parse_module(code))
    how = found.how if found.entry else found.why_none(catalog.transformers_version)
    return (found.entry.model_type if found.entry else None), how


def test_the_default_checkpoint_decides_first() -> None:
    code = (
        'AUDIO_MODELS_REGISTRY = {"openai/whisper-tiny": {}}\n'
        'DEFAULT_MODEL_ID = "facebook/wav2vec2-base-960h"\n'
    )
    assert _decide("audio", code) == (
        "wav2vec2",
        "its default checkpoint `facebook/wav2vec2-base-960h`",
    )


def test_the_registry_decides_when_it_names_one_type() -> None:
    one = 'SPEECH_MODELS_REGISTRY = {"openai/whisper-tiny": {}, "openai/whisper-base": {}}\n'
    assert _decide("speech", one) == ("whisper", "its registry's checkpoint `openai/whisper-tiny`")
    two = 'SPEECH_MODELS_REGISTRY = {"openai/whisper-tiny": {}, "facebook/hubert-base": {}}\n'
    assert _decide("speech", two) == (
        None,
        "`speech` names a kind of model, not a model type, and the file's checkpoints name "
        "several (whisper, hubert)",
    )


def test_a_family_name_takes_only_its_own_types() -> None:
    vision = "class TestData2vecModels:\n    def __init__(self, model_id=None):\n"
    vision += '        self.model_id = model_id or "facebook/data2vec-vision-base"\n'
    assert _decide("data2vec", vision)[0] == "data2vec-vision"
    # A checkpoint of another model says nothing about which data2vec the file tests.
    other = 'DEFAULT_MODEL_ID = "bert-base-uncased"\n'
    assert _decide("data2vec", other) == (
        None,
        "`data2vec` names several model types (data2vec-audio, data2vec-text, data2vec-vision), "
        "and the file's checkpoints name none",
    )


def test_a_type_the_name_gives_is_not_overruled() -> None:
    assert _decide("bert", 'DEFAULT_MODEL_ID = "openai/whisper-tiny"\n') == (
        "bert",
        "the file name",
    )
    removed = _decide("transfo_xl", 'DEFAULT_MODEL_ID = "gpt2"\n')
    assert removed == (
        None,
        "transfo-xl was removed in transformers 5.0 (the file name is `transfo_xl`)",
    )


def test_without_code_the_name_alone_decides() -> None:
    assert _decide("vision", None) == (
        None,
        "`vision` names a kind of model, not a model type, and the file's checkpoints name none",
    )
