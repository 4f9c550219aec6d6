from __future__ import annotations

import re

import libcst as cst

from hflint.analysis.modelrefs import (
    Registry,
    default_ids,
    documented_checkpoint,
    expected_registry_name,
    foreign_model,
    name_model,
    own_checkpoints,
    registries,
)
from hflint.analysis.testclass import module_level_names
from hflint.catalog import Catalog, ModelEntry, normalize
from hflint.diagnostics import Applicability
from hflint.rule import CodemodFix, Invalid, Rule, Valid


class RegistryMismatch(Rule):
    """The model registry, or the default checkpoint, belongs to another model than the file's.

    ## What it does
    Looks at the module-level registry constant (`<NAME>_MODELS_REGISTRY = {...}`, keyed by hub model
    id) and the default checkpoint (`DEFAULT_MODEL_ID = "..."`, a `model_id="..."` default or a
    `model_id or "..."` fallback in the test class's `__init__`), and reports:

    - a registry constant named for another model, or for none: `BERT_MODELS_REGISTRY` in
      `test_hf_roberta.py`, `DATA2DATA2DATA2VEC_AUDIO_MODELS_REGISTRY` (mangled by repeated
      substitution) in `test_hf_data2vec-audio.py`. The name matches when it spells the file's model
      however it is written (`GPT_J_` and `GPTJ_` are both gptj) or resolves through the catalog to
      the same model type;
    - registry keys that are another model's checkpoints, reported once per registry at its
      assignment: `facebook/bart-base` in `test_hf_mbart.py`;
    - a default checkpoint of another model that is not already one of the registry's keys (those
      are reported with the registry): `bert-base-uncased` as the default in `test_hf_roberta.py`.

    A hub id's model is the catalog model type named by the longest run of leading whole parts of
    the id's name, never a substring: `hubert-large-ls960-ft` is hubert, not bert;
    `xlm-roberta-base` is xlm-roberta, not roberta; `distilroberta-base` is nothing the catalog
    knows, so nothing is claimed. Model types that share checkpoint names are not foreign to each
    other: one's name extends the other's (`llava` ids in a `llava_next` file), or one's documented
    checkpoint is named for the other (`mllama`'s is `meta-llama/Llama-3.2-11B-Vision`). Composite
    types (`encoder-decoder`, `vision-text-dual-encoder`, `timm_wrapper`) take any model's ids.
    Files whose model is not in the catalog (HF503) get only the registry-name check.

    ## Why it matters
    A file copied from another model's and half-renamed tests the other model: the runner passes
    the registry's ids or the default to `pipeline()`, so `test_hf_mbart.py` loads BART and reports
    mbart as covered. A registry constant named for another model is the visible trace of such a
    copy, and the runners and coverage reports that look up `<MODEL>_MODELS_REGISTRY` miss it.

    ## Example
    ```python
    # test_hf_roberta.py
    BERT_MODELS_REGISTRY = {"roberta-base": {...}}
    DEFAULT_MODEL_ID = "bert-base-uncased"
    ```
    Use instead:
    ```python
    ROBERTA_MODELS_REGISTRY = {"roberta-base": {...}}
    DEFAULT_MODEL_ID = "roberta-base"
    ```

    ## Fix safety
    The registry constant's name has a safe fix: it is renamed to `<MODEL>_MODELS_REGISTRY` (the file
    name's model in upper case, hyphens as underscores), with every reference to it in the file and
    every whole-word mention in its strings and comments. It is offered only when exactly one
    registry constant in the file is misnamed and the new name appears nowhere in the file yet.
    Another file importing the constant by its old name would not be updated; these files are
    scripts, not libraries (hyphenated ones cannot be imported at all), so that is not a concern in
    practice.
    Foreign checkpoints have no fix: which of the file's model's checkpoints was meant is a guess,
    and a wrong guess is worse than none. The message names the catalog's documented checkpoint for
    the file's model instead.
    """

    code = "HF404"
    name = "registry-mismatch"
    MESSAGE = "Registry constant `{found}` does not name this file's model {model}: {why}"
    FIX_APPLICABILITY = Applicability.SAFE

    VALID = (
        Valid(
            'ROBERTA_MODELS_REGISTRY = {"roberta-base": {}, "distilroberta-base": {}}\n',
            path="test_hf_roberta.py",
        ),
        Valid('GPT_J_MODELS_REGISTRY = {"EleutherAI/gpt-j-6b": {}}\n', path="test_hf_gptj.py"),
        Valid(
            'HUBERT_MODELS_REGISTRY = {"facebook/hubert-large-ls960-ft": {}}\n',
            path="test_hf_hubert.py",
        ),
        Valid(
            'XLM_ROBERTA_MODELS_REGISTRY = {"xlm-roberta-base": {}}\n',
            path="test_hf_xlm-roberta.py",
        ),
        Valid('DEFAULT_MODEL_ID = "google/flan-t5-small"\n', path="test_hf_t5.py"),
        Valid('VICUNA_MODELS_REGISTRY = {"lmsys/vicuna-7b-v1.5": {}}\n', path="test_hf_vicuna.py"),
    )
    INVALID = (
        Invalid(
            '"""Checkpoints in BERT_MODELS_REGISTRY."""\n'
            'BERT_MODELS_REGISTRY = {"roberta-base": {}}\n\n\n'
            "def info(model_id):\n    return BERT_MODELS_REGISTRY.get(model_id)  # BERT_MODELS_REGISTRY\n",
            path="test_hf_roberta.py",
            fixed='"""Checkpoints in ROBERTA_MODELS_REGISTRY."""\n'
            'ROBERTA_MODELS_REGISTRY = {"roberta-base": {}}\n\n\n'
            "def info(model_id):\n    return ROBERTA_MODELS_REGISTRY.get(model_id)  # ROBERTA_MODELS_REGISTRY\n",
        ),
        Invalid(
            'DATA2DATA2DATA2VEC_AUDIO_MODELS_REGISTRY = {"facebook/data2vec-audio-base-960h": {}}\n',
            path="test_hf_data2vec-audio.py",
            fixed='DATA2VEC_AUDIO_MODELS_REGISTRY = {"facebook/data2vec-audio-base-960h": {}}\n',
        ),
        # Foreign checkpoints: reported once, on the registry (the default is one of its keys).
        Invalid(
            'MBART_MODELS_REGISTRY = {"facebook/bart-base": {}, "facebook/bart-large": {}}\n'
            'DEFAULT_MODEL_ID = "facebook/bart-base"\n',
            path="test_hf_mbart.py",
        ),
        Invalid('DEFAULT_MODEL_ID = "bert-base-uncased"\n', path="test_hf_roberta.py"),
        Invalid(
            "class TestRobertaModels:\n"
            "    def __init__(self, model_id=None, device=None):\n"
            '        self.model_id = model_id or "xlm-roberta-base"\n',
            path="test_hf_roberta.py",
        ),
        # The new name is taken: reported without a fix.
        Invalid(
            'BERT_MODELS_REGISTRY = {}\nROBERTA_MODELS_REGISTRY = {"roberta-base": {}}\n',
            path="test_hf_roberta.py",
        ),
    )

    def visit_Module(self, node: cst.Module) -> None:
        model_name = self.context.model_name
        if model_name is None:
            return
        catalog = self.context.catalog
        file_model = name_model(catalog, model_name)
        found = registries(node)
        misnamed = [r for r in found if not _names_model(catalog, r.prefix, model_name, file_model)]
        expected = expected_registry_name(model_name)
        for registry in misnamed:
            self._report_name(node, registry, expected, file_model, fixable=len(misnamed) == 1)
        if file_model is None:
            return
        keys = [literal.value for registry in found for literal in registry.ids]
        hint = _checkpoint_hint(catalog, file_model, keys)
        for registry in found:
            foreign = [
                (literal.value, other.model_type)
                for literal in registry.ids
                if (other := foreign_model(catalog, file_model, literal.value)) is not None
            ]
            if foreign:
                listed = ", ".join(f"`{value}` ({other})" for value, other in foreign)
                self.report(
                    registry.target,
                    f"Registry `{registry.name}` lists other models' checkpoints: {listed}; "
                    f"this file tests {file_model.model_type}{hint}",
                )
        for literal in default_ids(node, self.context.expected_class):
            if literal.value in keys:
                continue
            other = foreign_model(catalog, file_model, literal.value)
            if other is not None:
                self.report(
                    literal.node,
                    f"Default checkpoint `{literal.value}` is a {other.model_type} checkpoint; "
                    f"this file tests {file_model.model_type}{hint}",
                )

    def _report_name(
        self,
        module: cst.Module,
        registry: Registry,
        expected: str | None,
        file_model: ModelEntry | None,
        *,
        fixable: bool,
    ) -> None:
        named = name_model(self.context.catalog, registry.prefix)
        why = "it names no model (a mangled substitution?)"
        if named is not None:
            why = f"it names {named.model_type}"
        model = file_model.model_type if file_model else self.context.model_name
        message = self.MESSAGE.format(found=registry.name, model=model, why=why)
        fix = None
        if expected is not None:
            message += f"; expected `{expected}`"
            if fixable and _is_free(module, expected, self.context.source):
                fix = CodemodFix(
                    title=f"Rename `{registry.name}` to `{expected}`",
                    applicability=Applicability.SAFE,
                    command="rename_registry.RenameRegistryCommand",
                    arguments={"old_name": registry.name, "new_name": expected},
                )
        self.report(registry.target, message, fix=fix)


def _names_model(catalog: Catalog, prefix: str, model_name: str, model: ModelEntry | None) -> bool:
    """Whether a registry prefix names the file's model: the same spelling-independent name, or
    the same catalog model type."""
    if normalize(prefix) == normalize(model_name):
        return True
    named = name_model(catalog, prefix)
    return named is not None and model is not None and named.model_type == model.model_type


def _checkpoint_hint(catalog: Catalog, model: ModelEntry, keys: list[str]) -> str:
    """The catalog's documented checkpoint for the file's model, else one of its own in the
    registry, for the message."""
    documented = documented_checkpoint(catalog, model)
    if documented is not None:
        return f" (documented checkpoint: `{documented}`)"
    own = own_checkpoints(catalog, model, keys)
    return f" (the registry's `{own[0]}` is one)" if own else ""


def _is_free(module: cst.Module, name: str, source: str) -> bool:
    """The new name is neither bound nor written anywhere in the file (code, strings, comments)."""
    if name in module_level_names(module):
        return False
    return re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", source) is None
