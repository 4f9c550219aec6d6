from __future__ import annotations

import libcst as cst

from hflint.analysis.facts import TASKS
from hflint.analysis.loaders import Loads, failing_loads
from hflint.analysis.task_policy import running_task
from hflint.analysis.type_classes import PREPROCESSOR_KINDS, class_for_task
from hflint.catalog import ModelEntry
from hflint.diagnostics import Applicability
from hflint.rule import CodemodFix, Invalid, Rule, Valid

# How the file's name must resolve for its model type to be certain enough to judge its loads:
# a type or a family alias, not a module (`donut` is read through donut-swin's module) or a guess.
_CERTAIN_NAMES = frozenset({"type", "alias"})


class UnsupportedAutoClass(Rule):
    """The file loads its model with an auto class its model type does not have.

    ## What it does
    Reports a `<class>.from_pretrained(...)` call that loads the file's own checkpoint
    (`self.model_id`, or an id of the file's model type) with one of transformers' auto classes
    that the type does not have, according to hflint's catalog: an auto model class whose
    mapping does not hold the type (`AutoModelForMaskedLM` for hubert, opt, gemma or yolos), or
    the auto class of a preprocessor the type has none of (`AutoTokenizer` for a vision model
    such as ViT or YOLOS, `AutoImageProcessor` or `AutoFeatureExtractor` for a text model). The
    class is resolved however the file names it: `transformers.AutoModelForMaskedLM` (through any
    alias of transformers), a name `from transformers import ... as M` binds, or a variable or
    attribute holding one (`model_class = transformers.AutoModelForMaskedLM`, then
    `model_class.from_pretrained(...)`). Only loads that certainly run are reported: a load in a
    branch keyed on the task or the model type (`if self.task == "fill-mask":`, the `elif` chains
    that choose a class by task) counts only when hflint can tell that branch is the one that runs
    for this file; never a load after an early exit on such a condition hflint cannot decide,
    in an exception handler or in a nested function. (An early exit on anything else, such as
    the device, leaves the load to run on the other path.) Concrete classes of another type (`BertForMaskedLM` in a
    hubert file) are out of its scope: they load another type's checkpoint with a warning and
    run on random weights, a wrong test but not a failure. An auto class transformers no longer
    exports (`AutoModelForVision2Seq`) is reported here and by HF403, which fixes it the same way.

    ## Why it matters
    `AutoModelForMaskedLM.from_pretrained("facebook/hubert-base-ls960")` raises
    `ValueError: Unrecognized configuration class HubertConfig for this kind of AutoModel`, and
    `AutoTokenizer.from_pretrained("google/vit-base-patch16-224")` finds no tokenizer: the test
    fails on its first line whatever the model's weights, so `hflint exec` does not run the file.
    Generators that matched model names to families by substring wrote these loads.

    ## Example
    In `test_hf_hubert.py`, whose pipeline runs `automatic-speech-recognition`:
    ```python
    model = transformers.AutoModelForMaskedLM.from_pretrained(self.model_id)
    ```
    Use instead:
    ```python
    model = transformers.AutoModelForCTC.from_pretrained(self.model_id)
    ```

    ## Fix safety
    Unsafe. The class becomes the type's class for the task the file runs (its pipeline's task,
    or the one HF202/HF203 move it to): the task's auto class for a model class, the preprocessor
    that reads the task's input (`AutoTokenizer` for text, `AutoImageProcessor` for images,
    `AutoFeatureExtractor` for audio, `AutoProcessor` for multimodal tasks) for a preprocessor
    class. `transformers.X` becomes `transformers.Y`; a name imported from transformers becomes
    `transformers.Y` where the file imports transformers, else `Y`, imported. What feeds the model
    and reads its outputs (a tokenizer called on text for an image model, a mask token looked up
    for a causal LM, `logits[0, mask_index]`) is not changed: adapt it by hand. No fix where the
    file's task is unknown or the type has no class for it.
    """

    code = "HF207"
    name = "unsupported-auto-class"
    MESSAGE = "The model type has no such auto class"
    FIX_APPLICABILITY = Applicability.UNSAFE
    FACTS = frozenset({TASKS})
    # A certain failure when the load runs: `hflint exec` leaves the file out.
    GATE = True

    VALID = (
        Valid(
            "import transformers\n\n\nclass TestHubertModels:\n"
            "    def test_from_pretrained(self):\n"
            "        return transformers.AutoModelForCTC.from_pretrained(self.model_id)\n",
            path="test_hf_hubert.py",
        ),
        Valid(
            # A branch keyed on the task: the one for this file's task loads what hubert has.
            'HUBERT_MODELS_REGISTRY = {"facebook/hubert-base-ls960": '
            '{"task": "automatic-speech-recognition"}}\n\n\n'
            "class TestHubertModels:\n"
            "    def __init__(self, model_id=None):\n"
            '        self.model_id = model_id or "facebook/hubert-base-ls960"\n'
            '        self.task = HUBERT_MODELS_REGISTRY["facebook/hubert-base-ls960"]["task"]\n\n'
            "    def test_from_pretrained(self):\n"
            '        if self.task == "fill-mask":\n'
            "            model_class = transformers.AutoModelForMaskedLM\n"
            "        else:\n"
            "            model_class = transformers.AutoModelForCTC\n"
            "        return model_class.from_pretrained(self.model_id)\n",
            path="test_hf_hubert.py",
        ),
        Valid(
            # Another model's tokenizer, by its own id.
            "class TestVitModels:\n    def test_from_pretrained(self):\n"
            '        return transformers.AutoTokenizer.from_pretrained("bert-base-uncased")\n',
            path="test_hf_vit.py",
        ),
        Valid(
            # A task hflint cannot decide: whichever branch runs is unknown.
            "class TestHubertModels:\n    def load(self, task):\n"
            '        if task == "fill-mask":\n'
            "            return transformers.AutoModelForMaskedLM.from_pretrained(self.model_id)\n",
            path="test_hf_hubert.py",
        ),
    )
    INVALID = (
        Invalid(
            "import transformers\n\n\nclass TestHubertModels:\n"
            "    def test_pipeline(self):\n"
            '        return transformers.pipeline("automatic-speech-recognition")\n\n'
            "    def test_from_pretrained(self):\n"
            "        if not HAS_TRANSFORMERS:\n"
            "            return None\n"
            "        return transformers.AutoModelForMaskedLM.from_pretrained(self.model_id)\n",
            path="test_hf_hubert.py",
            fixed="import transformers\n\n\nclass TestHubertModels:\n"
            "    def test_pipeline(self):\n"
            '        return transformers.pipeline("automatic-speech-recognition")\n\n'
            "    def test_from_pretrained(self):\n"
            "        if not HAS_TRANSFORMERS:\n"
            "            return None\n"
            "        return transformers.AutoModelForCTC.from_pretrained(self.model_id)\n",
        ),
        Invalid(
            "from transformers import AutoModelForMaskedLM as M, AutoTokenizer\n\n\n"
            "class TestYolosModels:\n    def test_from_pretrained(self):\n"
            "        tokenizer = AutoTokenizer.from_pretrained(self.model_id)\n"
            "        return M.from_pretrained(self.model_id), tokenizer\n",
            path="test_hf_yolos.py",
            fixed="from transformers import AutoModelForMaskedLM as M, AutoTokenizer\n"
            "from transformers import AutoImageProcessor\n"
            "from transformers import AutoModelForObjectDetection\n\n\n"
            "class TestYolosModels:\n    def test_from_pretrained(self):\n"
            "        tokenizer = AutoImageProcessor.from_pretrained(self.model_id)\n"
            "        return AutoModelForObjectDetection.from_pretrained(self.model_id), tokenizer\n",
            count=2,
        ),
        Invalid(
            # Through a variable, and a branch keyed on a task hflint can read.
            'TASK = "text-generation"\n\n\n'
            "class TestOptModels:\n    def test_from_pretrained(self):\n"
            '        if TASK == "text-generation":\n'
            "            model_class = transformers.AutoModelForMaskedLM\n"
            "        else:\n"
            "            model_class = transformers.AutoModelForCausalLM\n"
            "        return model_class.from_pretrained(self.model_id)\n",
            path="test_hf_opt.py",
            fixed='TASK = "text-generation"\n\n\n'
            "class TestOptModels:\n    def test_from_pretrained(self):\n"
            '        if TASK == "text-generation":\n'
            "            model_class = transformers.AutoModelForCausalLM\n"
            "        else:\n"
            "            model_class = transformers.AutoModelForCausalLM\n"
            "        return model_class.from_pretrained(self.model_id)\n",
        ),
    )

    def leave_Module(self, node: cst.Module) -> None:
        match = self.context.name_match
        model = match.entry if match is not None else None
        if match is None or model is None or match.kind not in _CERTAIN_NAMES:
            return
        catalog = self.context.catalog
        analysis = self.facts.tasks
        task = running_task(analysis, model, catalog)
        reported: set[int] = set()
        for load in failing_loads(Loads(analysis), model, catalog):
            for ref in load.classes:
                if id(ref.node) in reported:
                    continue
                reported.add(id(ref.node))
                new = class_for_task(model, ref.name, task)
                message = _message(model, ref.name, task, new)
                fix = None
                if new is not None:
                    fix = CodemodFix(
                        title=f"Load with `{new}`; adapt what feeds it and reads its output by hand",
                        applicability=Applicability.UNSAFE,
                        command="use_task_class.UseTaskClassCommand",
                        arguments={"old_name": ref.name, "new_name": new},
                    )
                self.report(ref.node, message, fix=fix)


def _message(model: ModelEntry, name: str, task: str | None, new: str | None) -> str:
    kind = PREPROCESSOR_KINDS.get(name)
    what = "no model class" if kind is None else f"no {kind.replace('_', ' ')}"
    message = f"`{model.model_type}` has {what} that `{name}` loads: this load always fails"
    if new is not None:
        message += f"; its `{task}` task loads with `{new}`"
    elif task is not None:
        message += f" (and it has no class for the file's task, `{task}`)"
    return message
