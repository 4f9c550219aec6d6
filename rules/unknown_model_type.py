from __future__ import annotations

from collections.abc import Iterator

import libcst as cst
from hflint.rules._naming import ANY_CODE, FileNameRule

from hflint.analysis.filemodel import file_model
from hflint.analysis.modelrefs import name_model
from hflint.rule import Invalid, Report, RuleContext, Valid


class UnknownModelType(FileNameRule):
    """The file's name is not a model type transformers knows.

    ## What it does
    Reports, at line 1, a `test_hf_<model>.py` (or `test_<model>.py`) file whose model name gives no
    model type of hflint's catalog (the types of the transformers version it was built from). A name
    gives a type however it is spelled (`gpt-j`, `gpt_j` and `gptj` are one), as a family alias
    (`flan-t5`), as the name of the module transformers keeps the type in (`donut` for donut-swin,
    `florence` for florence2), and with a variant suffix (`gpt_j_standardized`, `bert_improved`,
    `xlm_roberta_large`: see `hflint.naming`). The message says why the name gives none:
    - a type transformers removed, and in which release (`transfo-xl`: removed in 5.0);
    - a kind of model rather than a model (`audio`, `vision`, `decoder_only`);
    - a family of several types (`data2vec`: data2vec-audio, data2vec-text, data2vec-vision);
    - a name transformers does not know (with the closest types).
    When the name gives no type, the file's code may: its default checkpoint, else its registry's
    checkpoints, when they name one type (one of the family's, for a family name). The message says
    which type that is; `hflint exec` and `hflint coverage` take the file for it. Files that do not
    parse are reported too, on their name alone. `hflint catalog show <name>` shows a type.

    ## Why it matters
    The model-aware rules (tasks, heads, registries) check such a file as no model, and a runner
    that builds models by type cannot run it unless its checkpoints say what it tests; a removed
    type's file cannot run on this transformers at all. Usually the file is named for a checkpoint
    family or a fine-tune rather than an architecture (`vicuna` is a Llama fine-tune: its
    checkpoints load as `llama`), or the name is misspelt.

    ## Example
    `test_hf_vicuna.py`. Use instead: `test_hf_llama.py` with the Vicuna checkpoints in its registry,
    or keep the file and know the model-aware rules skip it.

    ## Fix safety
    No fix: whether to rename the file, merge it into the architecture's file, delete a removed
    model's tests or keep them is a decision about the suite, not a mechanical change.
    """

    code = "HF503"
    name = "unknown-model-type"
    MESSAGE = "`{model}` (from the file name) is not a model type transformers {version} knows"
    REMOVED_MESSAGE = (
        "`{model}` (from the file name) names {removed}, a model type transformers removed in "
        "{removed_in} (this catalog is transformers {version}'s)"
    )
    GENERIC_MESSAGE = "`{model}` (from the file name) names a kind of model, not a model type"
    FAMILY_MESSAGE = "`{model}` (from the file name) names several model types: {candidates}"

    VALID = (
        Valid(ANY_CODE, path="test_hf_bert.py"),
        Valid(ANY_CODE, path="test_hf_gpt-j.py"),
        Valid(ANY_CODE, path="test_hf_flan-t5.py"),
        Valid(ANY_CODE, path="test_hf_gpt_j_standardized.py"),
        Valid(ANY_CODE, path="test_hf_bert_improved.py"),
        Valid(ANY_CODE, path="test_hf_xlm_roberta_large.py"),
        Valid(ANY_CODE, path="test_hf_xlm-roberta-xl.py"),
        Valid(ANY_CODE, path="test_hf_donut.py"),
        Valid(ANY_CODE, path="test_hf_florence.py"),
        Valid(ANY_CODE, path="test_albert.py"),
        Valid(ANY_CODE, path="conftest.py"),
    )
    INVALID = (
        Invalid(ANY_CODE, path="test_hf_vicuna.py"),
        Invalid("def broken(:\n", path="test_hf_bertt.py"),
        Invalid(ANY_CODE, path="test_hf_transfo-xl.py"),
        Invalid("def broken(:\n", path="test_hf_speech_to_text_2.py"),
        Invalid(ANY_CODE, path="test_hf_xlm_prophetnet_improved.py"),
        Invalid(ANY_CODE, path="test_hf_audio.py"),
        Invalid(ANY_CODE, path="test_hf_decoder_only.py"),
        Invalid(ANY_CODE, path="test_hf_data2vec.py"),
        Invalid(
            'DEFAULT_MODEL_ID = "facebook/data2vec-audio-base-960h"\n', path="test_data2vec.py"
        ),
        Invalid('DEFAULT_MODEL_ID = "facebook/wav2vec2-base-960h"\n', path="test_hf_speech.py"),
        Invalid(ANY_CODE, path="test_hf_mlp_mixer.py"),
    )

    @classmethod
    def file_reports(cls, context: RuleContext, module: cst.Module | None) -> Iterator[Report]:
        model = context.model_name
        if model is None or context.model is not None:
            return
        catalog = context.catalog
        version = catalog.transformers_version
        found = file_model(catalog, model, module)
        match = found.name
        if match.removed is not None:
            removed = match.removed
            message = cls.REMOVED_MESSAGE.format(
                model=model,
                removed=removed.model_type,
                removed_in=removed.removed_in,
                version=version,
            )
        elif match.kind == "generic":
            message = cls.GENERIC_MESSAGE.format(model=model)
        elif match.kind == "family":
            candidates = ", ".join(f"`{t}`" for t in match.candidates)
            message = cls.FAMILY_MESSAGE.format(model=model, candidates=candidates)
        else:
            message = cls.MESSAGE.format(model=model, version=version)
        if found.entry is not None:
            kind = found.entry.model_type
            message += (
                f"; {found.how} is {kind}: `hflint exec` and coverage take the file for {kind}"
            )
        elif found.named:
            message += f"; its checkpoints name several ({', '.join(found.named)})"
        elif match.kind == "unknown":
            message += cls._suggestion(context, model)
        elif match.kind in ("generic", "family"):
            message += "; name the file for the model type it tests"
        yield Report(cls.code, cls.name, message, None, None, (1, 1))

    @staticmethod
    def _suggestion(context: RuleContext, model: str) -> str:
        catalog = context.catalog
        suggestions = []
        prefix = name_model(catalog, model)
        if prefix is not None:
            suggestions.append(prefix.model_type)
        suggestions.extend(catalog.suggestions(model))
        if suggestions:
            names = ", ".join(f"`{name}`" for name in dict.fromkeys(suggestions))
            return f"; did you mean {names}?"
        return "; check the name with `hflint catalog show`"
