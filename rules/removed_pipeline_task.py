from __future__ import annotations

from hflint.rules._pipeline_task import PipelineTaskRule

from hflint.analysis.task_policy import REMOVED, preferred_task, removed_name, tasks_with_status
from hflint.analysis.tasks import TaskAnalysis
from hflint.catalog import Catalog, ModelEntry
from hflint.diagnostics import Applicability
from hflint.rule import Invalid, Valid


class RemovedPipelineTask(PipelineTaskRule):
    """The pipeline's task does not exist in the transformers version hflint targets.

    ## What it does
    Reports a `pipeline(...)` call whose task (written at the call, or followed through a constant,
    `self.task` or a registry entry) is one the catalog's transformers version removed:
    `text2text-generation`, `summarization`, `translation`, `question-answering`,
    `visual-question-answering`, `image-to-image`, `image-to-text` under transformers 5 (and the
    parametrised `translation_en_to_de` forms). The message names the replacement
    (`catalog.removed_tasks`), when there is one.

    ## Why it matters
    Under transformers 5, `pipeline("summarization")` raises `KeyError: The task summarization
    has been removed from transformers`: a test written for 4.x fails before it loads the model.
    Generation tasks moved to `text-generation` (encoder-decoder models included, where they
    support it) and visual question answering to `image-text-to-text`.

    ## Example
    ```python
    pipe = transformers.pipeline("summarization", model=self.model_id)
    ```
    Use instead:
    ```python
    pipe = transformers.pipeline("text-generation", model=self.model_id)
    ```

    ## Fix safety
    Where the replacement exists and the model supports it, the task becomes the replacement
    (and so do the file's registry entries and `self.task` values holding the old task): safe when
    the pipeline's inputs fit it as they are, unsafe when they must change. Otherwise (no
    replacement, or one the model lacks: T5 has no causal-LM head) the task becomes the one the
    file declares for its checkpoints if the model supports it, else the model's default task:
    always unsafe, since the test then checks something else.
    """

    code = "HF203"
    name = "removed-pipeline-task"
    MESSAGE = "The pipeline's task does not exist in the transformers version hflint targets"
    FIX_APPLICABILITY = Applicability.UNSAFE
    GATE = True

    VALID = (
        Valid(
            "class TestPegasusModels:\n    def test_pipeline(self):\n"
            '        return transformers.pipeline("text-generation", model=self.model_id)\n',
            path="test_hf_pegasus.py",
        ),
        Valid(
            'PEGASUS_MODELS_REGISTRY = {"google/pegasus-xsum": {"task": "summarization"}}\n',
            path="test_hf_pegasus.py",
        ),
    )
    INVALID = (
        Invalid(
            "class TestPegasusModels:\n    def test_pipeline(self):\n"
            '        pipe = transformers.pipeline("summarization", model=self.model_id)\n'
            "        return pipe(self.test_text, max_new_tokens=20)\n",
            path="test_hf_pegasus.py",
            fixed=(
                "class TestPegasusModels:\n    def test_pipeline(self):\n"
                '        pipe = transformers.pipeline("text-generation", model=self.model_id)\n'
                "        return pipe(self.test_text, max_new_tokens=20)\n"
            ),
        ),
        Invalid(
            'T5_MODELS_REGISTRY = {"google-t5/t5-small": {"task": "text2text-generation"}}\n\n\n'
            "class TestT5Models:\n    def test_pipeline(self):\n"
            '        pipe = transformers.pipeline("text2text-generation", model=self.model_id)\n'
            '        return pipe("translate English to German: Hello.")\n',
            path="test_hf_t5.py",
            fixed=(
                'T5_MODELS_REGISTRY = {"google-t5/t5-small": {"task": "text-classification"}}\n\n\n'
                "class TestT5Models:\n    def test_pipeline(self):\n"
                '        pipe = transformers.pipeline("text-classification", model=self.model_id)\n'
                '        return pipe("translate English to German: Hello.")\n'
            ),
        ),
    )

    def check(self, analysis: TaskAnalysis, model: ModelEntry, catalog: Catalog) -> None:
        version = catalog.transformers_version
        for call, task in tasks_with_status(analysis, model, catalog, REMOVED):
            replacement = catalog.removed_tasks[removed_name(task, catalog) or task]
            message = f"`{task}` is not a pipeline task in transformers {version}"
            if replacement is None:
                message += ": it was removed with no replacement"
            else:
                message += f": its replacement is `{replacement}`"
                if replacement not in model.tasks:
                    message += f", which `{model.model_type}` does not support"
            if replacement is not None and replacement in model.tasks:
                new_task: str | None = replacement
                fallback = False
            else:
                new_task = preferred_task(analysis, call, model, catalog)
                fallback = True
            unsafe = fallback or call.task.single != task
            self.report_task(call, message, task, new_task, unsafe=unsafe)
