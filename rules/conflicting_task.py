from __future__ import annotations

from hflint.rules._pipeline_task import PipelineTaskRule, listing, replace_task_fix

from hflint.analysis.task_policy import SUPPORTED, effective_task, task_status
from hflint.analysis.tasks import Declaration, PipelineCall, TaskAnalysis
from hflint.catalog import Catalog, ModelEntry
from hflint.diagnostics import Applicability
from hflint.rule import CodemodFix, Invalid, Valid


class ConflictingTask(PipelineTaskRule):
    """The pipeline's task contradicts the task the file declares for its checkpoints.

    ## What it does
    Compares the task of each `pipeline(...)` call (one the model supports; HF201-HF203 report the
    others) with the tasks the file itself declares: the `"task"` of the entries of its
    `<X>_MODELS_REGISTRY` and the values of `self.task` in the call's class. A call whose task
    comes from one of them is not compared with it. Removed task names count as their replacement
    (`summarization` declares `text-generation`), and names that are no task are ignored. A call
    whose task is one of several the registry declares is fine.

    ## Why it matters
    The registry says what each checkpoint is for: a checkpoint fine-tuned for sequence
    classification has no masked-LM weights, so a `fill-mask` pipeline over it runs a randomly
    initialised head and the test proves nothing. Either the call or the registry is wrong, and
    the results (which report the registry's task) describe a test that did not run.

    ## Example
    ```python
    ERNIE_MODELS_REGISTRY = {"nghuyong/ernie-2.0-base-en": {"task": "text-classification"}}
    ...
    pipe = transformers.pipeline("fill-mask", model=self.model_id)
    ```
    Use instead:
    ```python
    pipe = transformers.pipeline("text-classification", model=self.model_id)
    ```

    ## Fix safety
    When the file declares one task and the model supports it, the call takes it: unsafe, because
    which of the two the author meant is a judgement (and the input is replaced when it does not
    fit). When the declared task is one the model cannot run (or a removed task whose replacement
    it lacks), the declaration is what is wrong: its literals take the call's task, which is safe
    (registry metadata only). Declarations naming several tasks get no fix.
    """

    code = "HF204"
    name = "conflicting-task"
    MESSAGE = "The pipeline's task contradicts the task the file declares"
    FIX_APPLICABILITY = Applicability.UNSAFE
    GATE = True

    VALID = (
        Valid(
            'BERT_MODELS_REGISTRY = {"google-bert/bert-base-uncased": {"task": "fill-mask"}}\n\n\n'
            "class TestBertModels:\n    def test_pipeline(self):\n"
            '        return transformers.pipeline("fill-mask", model=self.model_id)\n'
        ),
        Valid(
            "BERT_MODELS_REGISTRY = {\n"
            '    "google-bert/bert-base-uncased": {"task": "fill-mask"},\n'
            '    "textattack/bert-base-uncased-SST-2": {"task": "text-classification"},\n'
            "}\n\n\n"
            "class TestBertModels:\n    def test_pipeline(self):\n"
            '        return transformers.pipeline("text-classification", model=self.model_id)\n'
        ),
        Valid(
            "class TestBertModels:\n    def __init__(self):\n"
            '        self.task = "fill-mask"\n\n'
            "    def test_pipeline(self):\n"
            "        return transformers.pipeline(self.task, model=self.model_id)\n"
        ),
    )
    INVALID = (
        Invalid(
            "ERNIE_MODELS_REGISTRY = {\n"
            '    "nghuyong/ernie-2.0-base-en": {"task": "text-classification"},\n'
            "}\n\n\n"
            "class TestErnieModels:\n    def test_pipeline(self):\n"
            '        pipe = transformers.pipeline("fill-mask", model=self.model_id)\n'
            '        return pipe("The capital of China is [MASK].")\n',
            path="test_hf_ernie.py",
            fixed=(
                "ERNIE_MODELS_REGISTRY = {\n"
                '    "nghuyong/ernie-2.0-base-en": {"task": "text-classification"},\n'
                "}\n\n\n"
                "class TestErnieModels:\n    def test_pipeline(self):\n"
                '        pipe = transformers.pipeline("text-classification", model=self.model_id)\n'
                '        return pipe("The capital of China is [MASK].")\n'
            ),
        ),
        Invalid(
            "class TestBertModels:\n    def __init__(self):\n"
            '        self.task = "text-classification"\n\n'
            "    def test_pipeline(self):\n"
            '        pipe = transformers.pipeline("fill-mask", model=self.model_id)\n'
            '        return pipe(f"Paris is the {pipe.tokenizer.mask_token} of France.")\n'
        ),
        Invalid(
            'HUBERT_MODELS_REGISTRY = {"facebook/hubert-base-ls960": {"task": "fill-mask"}}\n\n\n'
            "class TestHubertModels:\n    def test_pipeline(self):\n"
            '        return transformers.pipeline("automatic-speech-recognition")\n',
            path="test_hf_hubert.py",
            fixed=(
                'HUBERT_MODELS_REGISTRY = {"facebook/hubert-base-ls960": '
                '{"task": "automatic-speech-recognition"}}\n\n\n'
                "class TestHubertModels:\n    def test_pipeline(self):\n"
                '        return transformers.pipeline("automatic-speech-recognition")\n'
            ),
        ),
    )

    def check(self, analysis: TaskAnalysis, model: ModelEntry, catalog: Catalog) -> None:
        for call in analysis.calls:
            task = call.task.single
            if task is None or task_status(task, model, catalog) != SUPPORTED:
                continue
            current = effective_task(task, catalog)
            for declaration in analysis.declarations(call):
                declared = {
                    effective: written
                    for written in declaration.tasks
                    if (effective := effective_task(written, catalog)) is not None
                }
                if declared and current not in declared:
                    self._report(analysis, call, task, declaration, declared, model, catalog)
                    break

    def _report(
        self,
        analysis: TaskAnalysis,
        call: PipelineCall,
        task: str,
        declaration: Declaration,
        declared: dict[str, str],
        model: ModelEntry,
        catalog: Catalog,
    ) -> None:
        where = (
            "`self.task`"
            if declaration.origin == "self.task"
            else f"the task `{declaration.origin}` declares for its checkpoints"
        )
        declared_text = listing(declaration.tasks)
        supported = [effective for effective in declared if effective in model.tasks]
        single = len(declaration.tasks) == 1
        fix: CodemodFix | None = None
        if single and supported:
            fix = replace_task_fix(analysis, call, task, supported[0], catalog, unsafe=True)
        elif single:
            written = declaration.tasks[0]
            declared_text += f", which `{model.model_type}` cannot run"
            fix = CodemodFix(
                title=f"Declare `{task}` instead of `{written}`",
                applicability=Applicability.SAFE,
                command="replace_pipeline_task.ReplacePipelineTaskCommand",
                arguments={"old_task": written, "task": task},
            )
        message = f"The pipeline's task `{task}` contradicts {where} ({declared_text})"
        self.report(call.node, message, fix=fix)
