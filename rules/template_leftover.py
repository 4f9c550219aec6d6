from __future__ import annotations

import difflib

import libcst as cst

from hflint.analysis.facts import TASKS
from hflint.analysis.modelrefs import (
    BARE_PLACEHOLDERS,
    auto_class_candidates,
    default_ids,
    documented_checkpoint,
    expected_for_placeholder,
    implausible_size,
    model_class_for,
    name_model,
    placeholder,
    registries,
    replacement_for,
    size_siblings,
    transformers_aliases,
)
from hflint.analysis.task_policy import running_task
from hflint.analysis.testclass import module_level_names, top_level_classes
from hflint.analysis.type_classes import class_for_task, is_loader_class
from hflint.diagnostics import Applicability
from hflint.rule import CodemodFix, Invalid, Rule, Valid


class TemplateLeftover(Rule):
    """A template generator's placeholder, or a transformers name that does not exist, is left in the file.

    ## What it does
    Reports three kinds of template leftover:

    1. **Placeholder identifiers.** The vocabulary, exactly:
       - `ModelType` as two CamelCase words at the start of a name or after `Test`, `TF` or `Flax`:
         `ModelType`, `ModelTypeForMaskedLM`, `ModelTypeConfig`, `TestModelTypeModels` (not
         `ModelTypes`, not a name that merely ends in the words, such as `PreTrainedModelType`);
       - `MODEL_TYPE` alone, or leading a registry-style name (`MODEL_TYPE_MODELS_REGISTRY`); not
         `DEFAULT_MODEL_TYPE` or `MODEL_TYPE_TO_CLASS`, which are ordinary constants;
       - the words `model type` (any case) together with the word `placeholder`
         (`model_type_placeholder`, `PLACEHOLDER_MODEL_TYPE`), or `model_type` in double
         underscores (`__MODEL_TYPE__`).

       Lower-case `model_type` alone is a real name (`config.model_type`, a `"model_type"` key) and
       is never reported; nor are string literals and comments. The bare `ModelType` and
       `MODEL_TYPE` are the file's own names, not leftovers, when it binds them at module level or
       in a class body (`MODEL_TYPE = "bert"`, `ModelType = TypeVar(...)`). Every other occurrence
       is reported where it stands, including the test class's name (HF102 renames that one).
    2. **Names transformers does not export**, read as `transformers.<X>` (or through an alias from
       `import transformers as tf`) or imported with `from transformers import X`, compared with
       every public name of the transformers version hflint's catalog was built from:
       `transformers.ModelTypeForMaskedLM`, `transformers.RembertForMaskedLM`. The message names
       what fits: the auto class for the file's model and the placeholder's head
       (`AutoModelForMaskedLM`), the model's own class (`RemBertForMaskedLM`), or the closest
       exports by spelling.
    3. **Default hub ids that are template products**: a registry key or default model id
       (`DEFAULT_MODEL_ID`, a `model_id="..."` default, `model_id or "..."`) whose size word, right
       after the family's name, is one the family's official checkpoints never use:
       `distilbert-large-uncased` (DistilBERT comes in `base` only), `bloom-medium` (BLOOM sizes are
       parameter counts, `bloom-560m`). hflint has no hub access, so this is deliberately narrow: only
       the few families whose naming is stable and documented (albert, bart, bert, bloom,
       distilbert, electra, gpt2, gpt-neo, opt, roberta, xlm-roberta), only ids with no organisation
       or under the family's own, and only the word after the family name. An id naming another
       model is HF404's business.

    ## Why it matters
    Each is a generator's unfinished substitution: `MODEL_TYPE` is a `NameError` when the results
    are assembled, `transformers.ModelTypeForMaskedLM` an `AttributeError` on the first real run
    (hidden while the `MagicMock` fallback stands in for transformers), and a default checkpoint that
    does not exist fails to download, so the file never tests anything.

    ## Example
    ```python
    # test_hf_rembert.py
    model = transformers.ModelTypeForMaskedLM.from_pretrained(self.model_id)
    ```
    Use instead:
    ```python
    model = transformers.AutoModelForMaskedLM.from_pretrained(self.model_id)
    ```

    ## Fix safety
    Safe, and offered only for unexported transformers names whose meaning is certain: a placeholder
    with a head (`ModelTypeForMaskedLM`) when the file's model is in the catalog and exactly one
    exported auto class fits both the head and the model's supported tasks, or a name that differs
    from exactly one export only in case and underscores (`RembertForMaskedLM`). The code it
    replaces can only raise `AttributeError`/`ImportError` against real transformers, so no working
    behaviour is lost, and the auto class loads the model's own class for the head. A plain `from
    transformers import X` renames `X` throughout the file; an aliased one keeps its alias.

    Unsafe where the name stands for an auto class the file's model type does not have: a
    placeholder whose head it lacks (`ModelTypeForMaskedLM` in the hubert file,
    `ModelTypeTokenizer` in a ViT file) or an auto class transformers no longer exports
    (`AutoModelForVision2Seq`). It becomes the type's class for the task the file runs, from the
    catalog as HF207 chooses it (`hflint.analysis.type_classes`): `AutoModelForCTC` for hubert's
    speech recognition, `AutoImageProcessor` for ViT. What feeds the model and reads its output
    is left to adapt by hand. Other leftovers have no fix: what `MODEL_TYPE` or a non-existent
    checkpoint should have been is a guess.
    """

    code = "HF403"
    name = "template-leftover"
    MESSAGE = "Template placeholder `{name}` left in the file"
    FIX_APPLICABILITY = Applicability.SAFE
    FACTS = frozenset({TASKS})

    VALID = (
        Valid(
            "import transformers\n"
            "model = transformers.AutoModelForMaskedLM.from_pretrained('bert-base-uncased')\n"
            "version = transformers.__version__\n"
        ),
        Valid('MODEL_TYPE = "bert"\nmetadata = {"model_type": MODEL_TYPE}\n'),
        Valid("class Config:\n    model_type = 'bert'\n\n\nprint(Config().model_type)\n"),
        Valid(
            "from typing import TypeVar\n\n"
            "PreTrainedModelType = TypeVar('PreTrainedModelType')\n"
            "DEFAULT_MODEL_TYPE = 'bert'\n"
        ),
        Valid(
            # Another organisation's fine-tune may be named anything; BLOOM sizes are counts.
            'DEFAULT_MODEL_ID = "distilbert-base-uncased"\n'
            "DISTILBERT_MODELS_REGISTRY = {\n"
            '    "acme/distilbert-large-uncased": {},\n'
            '    "bigscience/bloom-560m": {},\n'
            '    "gpt2-medium": {},\n'
            '    "distilroberta-base": {},\n'
            "}\n",
            path="test_hf_distilbert.py",
        ),
        Valid(
            'BLOOM_MODELS_REGISTRY = {"bigscience/bloom-560m": {}, "bigscience/bloom-1b1": {}}\n'
        ),
    )
    INVALID = (
        Invalid(
            "import transformers\n\n"
            "model = transformers.ModelTypeForMaskedLM.from_pretrained('google/rembert')\n",
            path="test_hf_rembert.py",
            fixed="import transformers\n\n"
            "model = transformers.AutoModelForMaskedLM.from_pretrained('google/rembert')\n",
        ),
        Invalid(
            "from transformers import ModelTypeForCausalLM\n\n"
            "model = ModelTypeForCausalLM.from_pretrained('gpt2')\n",
            path="test_hf_gpt2.py",
            fixed="from transformers import AutoModelForCausalLM\n\n"
            "model = AutoModelForCausalLM.from_pretrained('gpt2')\n",
            count=2,
        ),
        Invalid(
            "import transformers as hf\n\nmodel = hf.RembertForMaskedLM.from_pretrained('google/rembert')\n",
            path="test_hf_rembert.py",
            fixed="import transformers as hf\n\n"
            "model = hf.RemBertForMaskedLM.from_pretrained('google/rembert')\n",
        ),
        Invalid('metadata = {"model_type": MODEL_TYPE}\n', path="test_hf_rembert.py"),
        Invalid(
            "class TestModelTypeModels:\n    pass\n\n\ntester = TestModelTypeModels()\n",
            path="test_hf_mpnet.py",
            count=2,
        ),
        Invalid("def run(model_type_placeholder):\n    return model_type_placeholder\n", count=2),
        Invalid('DEFAULT_MODEL_ID = "distilbert-large-uncased"\n', path="test_hf_distilbert.py"),
        Invalid('BLOOM_MODELS_REGISTRY = {"bloom-medium": {}}\n', path="test_hf_bloom.py"),
        # gpt2 has no masked-LM head: the class of the file's task, unsafely.
        Invalid(
            "import transformers\n\nm = transformers.ModelTypeForMaskedLM\n",
            path="test_hf_gpt2.py",
            fixed="import transformers\n\nm = transformers.AutoModelForCausalLM\n",
        ),
        Invalid(
            "import transformers\n\n"
            "pipe = transformers.pipeline('automatic-speech-recognition')\n"
            "model = transformers.ModelTypeForMaskedLM.from_pretrained('facebook/hubert-base-ls960')\n",
            path="test_hf_hubert.py",
            fixed="import transformers\n\n"
            "pipe = transformers.pipeline('automatic-speech-recognition')\n"
            "model = transformers.AutoModelForCTC.from_pretrained('facebook/hubert-base-ls960')\n",
        ),
        # An auto class transformers 5 removed, for a model whose task is known.
        Invalid(
            "import transformers\n\n"
            "model = transformers.AutoModelForVision2Seq.from_pretrained(MODEL_ID)\n",
            path="test_hf_llava_next.py",
            fixed="import transformers\n\n"
            "model = transformers.AutoModelForImageTextToText.from_pretrained(MODEL_ID)\n",
        ),
    )

    def visit_Module(self, node: cst.Module) -> None:
        catalog = self.context.catalog
        self._exports = catalog.exports
        self._aliases = transformers_aliases(node)
        # Bare placeholders the file defines itself (module level, class bodies) are its own names.
        self._bound = (module_level_names(node) | _class_level_names(node)) & BARE_PLACEHOLDERS
        self._handled: set[int] = set()  # names reported (or cleared) through their parent
        self._model = (
            None
            if self.context.model_name is None
            else name_model(catalog, self.context.model_name)
        )
        literals = [i for r in registries(node) for i in r.ids]
        literals += default_ids(node, self.context.expected_class)
        known = [literal.value for literal in literals]
        for literal in literals:
            found = implausible_size(catalog, literal.value)
            if found is None:
                continue
            sizes = ", ".join(sorted(found.naming.sizes)) or "none (sizes are parameter counts)"
            message = (
                f"Checkpoint `{literal.value}` looks like a template product: "
                f"{found.entry.model_type} checkpoints are never `{found.size}` "
                f"(their size words: {sizes})"
            )
            siblings = size_siblings(catalog, literal.value, known)
            documented = documented_checkpoint(catalog, found.entry)
            if siblings:
                message += f"; did you mean `{siblings[0]}`, which the file also names?"
            elif documented is not None:
                message += f"; the documented checkpoint is `{documented}`"
            self.report(literal.node, message)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        attr = node.attr.value
        if isinstance(node.value, cst.Name) and node.value.value in self._aliases:
            self._handled.add(id(node.attr))
            if not attr.startswith("_") and attr not in self._exports:
                self._report_unexported(node, f"{node.value.value}.{attr}", attr)
        elif attr in BARE_PLACEHOLDERS:
            self._handled.add(id(node.attr))  # `self.MODEL_TYPE`: some object's attribute

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.relative or not (
            isinstance(node.module, cst.Name) and node.module.value == "transformers"
        ):
            return
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            if not isinstance(alias.name, cst.Name):
                continue
            self._handled.add(id(alias.name))
            name = alias.name.value
            if not name.startswith("_") and name not in self._exports:
                self._report_unexported(alias.name, name, name)

    def visit_Name(self, node: cst.Name) -> None:
        value = node.value
        if "odel" not in value and "ODEL" not in value:
            return  # the common case, decided without a call
        if id(node) in self._handled or not placeholder(value) or value in self._bound:
            return
        if value in self._exports:
            return
        message = self.MESSAGE.format(name=value)
        model = self._model
        expected = expected_for_placeholder(value, self.context.model_name)
        if expected is not None:
            message += f"; this file's test class is `{expected}`"
        elif value == "MODEL_TYPE" and model is not None:
            message += f'; this file\'s model type is `"{model.model_type}"`'
        elif model is not None:
            message += f"; this file's model is {model.model_type}"
        self.report(node, message)

    def _report_unexported(self, node: cst.CSTNode, shown: str, name: str) -> None:
        catalog = self.context.catalog
        model = self._model
        replacement = replacement_for(catalog, name, model)
        own = None
        if placeholder(name):
            message = f"`{shown}` is a template placeholder, not a transformers name"
            autos = auto_class_candidates(catalog, name, model)
            own = model_class_for(catalog, name, model)
            if autos:
                message += "; use " + " or ".join(f"`{auto}`" for auto in autos)
                if own is not None:
                    message += f" (or the model's own `{own}`)"
            elif own is not None:
                message += f"; use `{own}`"
        else:
            message = f"transformers {catalog.transformers_version} exports no `{name}`"
        task_class = self._task_class(name) if replacement is None and own is None else None
        if task_class is not None and model is not None:
            task, new = task_class
            message += (
                f"; {model.model_type} has no such class: its `{task}` task loads with `{new}`"
            )
        elif not placeholder(name):
            hints = [replacement] if replacement else _close_exports(name, catalog.exports)
            if hints:
                message += f"; did you mean {_either(hints)}?"
        fix = None
        if replacement is not None:
            fix = CodemodFix(
                title=f"Replace `{name}` with `{replacement}`",
                applicability=Applicability.SAFE,
                command="fix_transformers_name.FixTransformersNameCommand",
                arguments={"old_name": name, "new_name": replacement},
            )
        elif task_class is not None:
            fix = CodemodFix(
                title=f"Replace `{name}` with `{task_class[1]}`, the class of the file's task; "
                "adapt what feeds it and reads its output by hand",
                applicability=Applicability.UNSAFE,
                command="fix_transformers_name.FixTransformersNameCommand",
                arguments={"old_name": name, "new_name": task_class[1]},
            )
        self.report(node, message, fix=fix)

    def _task_class(self, name: str) -> tuple[str, str] | None:
        """(the file's task, the class its model type loads it with) where `name` stands for an
        auto class the type lacks: a placeholder with a head it has not (`ModelTypeForMaskedLM` in
        the hubert file), or an auto class transformers no longer exports
        (`AutoModelForVision2Seq`)."""
        model, catalog = self._model, self.context.catalog
        named = auto_class_candidates(catalog, name, None) if placeholder(name) else [name]
        if model is None or len(named) != 1 or not is_loader_class(named[0]):
            return None
        task = running_task(self.facts.tasks, model, catalog)
        new = class_for_task(model, named[0], task)
        return None if task is None or new is None or new == named[0] else (task, new)


def _either(names: list[str]) -> str:
    quoted = [f"`{name}`" for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _close_exports(name: str, exports: frozenset[str]) -> list[str]:
    return difflib.get_close_matches(name, sorted(exports), n=3, cutoff=0.8)


def _class_level_names(module: cst.Module) -> set[str]:
    """Names assigned directly in the bodies of top-level classes (class attributes)."""
    names: set[str] = set()
    for class_def in top_level_classes(module):
        if not isinstance(class_def.body, cst.IndentedBlock):
            continue
        for statement in class_def.body.body:
            if isinstance(statement, cst.SimpleStatementLine):
                names |= module_level_names(cst.Module(body=[statement]))
    return names
