from __future__ import annotations

from collections.abc import Iterator

from hflint.rules._naming import ANY_CODE, FileNameRule

from hflint.analysis.modelrefs import name_model
from hflint.rule import Invalid, Report, RuleContext, Valid


class UnknownModelType(FileNameRule):
    """The file's model is not a model type transformers knows.

    ## What it does
    Reports, at line 1, a `test_hf_<model>.py` file whose model name does not resolve through
    hflint's catalog (the model types of the transformers version it was built from, however they
    are spelled: `gpt-j`, `gpt_j` and `gptj` are one; plus a few family names such as `flan-t5` or
    `codellama`). The message names the catalog's closest types. Files that do not parse are
    reported too: only the file name matters. `hflint catalog show <name>` says what a name
    resolves to.

    ## Why it matters
    The model-aware rules (tasks, heads, registries) can check nothing in such a file, and a runner
    that builds models by type cannot run it. Usually the file is named for a checkpoint family or
    a fine-tune rather than an architecture (`vicuna` is a Llama fine-tune: its checkpoints load as
    `llama`), or the name is misspelt or carries a suffix (`gpt_j_standardized`).

    ## Example
    `test_hf_vicuna.py`. Use instead: `test_hf_llama.py` with the Vicuna checkpoints in its registry,
    or keep the file and know the model-aware rules skip it.

    ## Fix safety
    No fix: whether to rename the file, merge it into the architecture's file or keep it is a
    decision about the suite, not a mechanical change.
    """

    code = "HF503"
    name = "unknown-model-type"
    MESSAGE = "`{model}` (from the file name) is not a model type transformers {version} knows"

    VALID = (
        Valid(ANY_CODE, path="test_hf_bert.py"),
        Valid(ANY_CODE, path="test_hf_gpt-j.py"),
        Valid(ANY_CODE, path="test_hf_flan-t5.py"),
        Valid(ANY_CODE, path="conftest.py"),
    )
    INVALID = (
        Invalid(ANY_CODE, path="test_hf_vicuna.py"),
        Invalid(ANY_CODE, path="test_hf_gpt_j_standardized.py"),
        Invalid("def broken(:\n", path="test_hf_bertt.py"),
    )

    @classmethod
    def file_reports(cls, context: RuleContext) -> Iterator[Report]:
        model = context.model_name
        if model is None or context.model is not None:
            return
        catalog = context.catalog
        message = cls.MESSAGE.format(model=model, version=catalog.transformers_version)
        suggestions = []
        prefix = name_model(catalog, model)
        if prefix is not None:
            suggestions.append(prefix.model_type)
        suggestions.extend(catalog.suggestions(model))
        if suggestions:
            names = ", ".join(f"`{name}`" for name in dict.fromkeys(suggestions))
            message += f"; did you mean {names}?"
        else:
            message += "; check the name with `hflint catalog show`"
        yield Report(cls.code, cls.name, message, None, None, (1, 1))
