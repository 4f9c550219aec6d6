"""Tokenizers for tiny models, trained offline on a small built-in corpus.

The type's own tokenizer class is trained where it can be (its pre-tokenizer and special tokens
matter: CLIP's `</w>`, the mask token of fill-mask); CTC types get a character vocabulary; a
byte-level BPE built with `tokenizers` stands in when neither can be made.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hflint.catalog.sync import default_mask_token
from hflint.exec.tiny.stages import transformers_class

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


def tokenizer_names(types: Sequence[str]) -> list[str]:
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
    for name in tokenizer_names(types):
        cls = transformers_class(name)
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


def add_mask_token(tokenizer: Any, types: Sequence[str]) -> None:
    """The mask token of the type's own tokenizer class, so that a text written for the type's
    checkpoints finds it (FlauBERT's `<special1>`, RoFormer's `[MASK]`, where the tokenizer built
    is the generic one); a generic one where the class has none (Reformer's): the fill-mask
    pipeline refuses a tokenizer without one."""
    own = (default_mask_token(transformers_class(name)) for name in tokenizer_names(types))
    wanted = next((token for token in own if token), None)
    if wanted is not None and tokenizer.mask_token != wanted:
        tokenizer.add_special_tokens({"mask_token": wanted})
    elif tokenizer.mask_token is None:
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
