from __future__ import annotations

from hflint.rules._pipeline_task import PipelineTaskRule, listing

from hflint.analysis.task_policy import UNKNOWN, close_task, preferred_task, task_status
from hflint.analysis.tasks import INDIRECT, MISSING, STATED, PipelineCall, TaskAnalysis
from hflint.catalog import Catalog, ModelEntry
from hflint.diagnostics import Applicability
from hflint.edits.tasks import inputs_change
from hflint.rule import CodemodFix, Invalid, Valid

FIX_COMMAND = "name_pipeline_task.NamePipelineTaskCommand"


class MissingPipelineTask(PipelineTaskRule):
    """The test never builds a pipeline with a task it names.

    ## What it does
    Looks at every `pipeline(...)` call of the file (`pipeline`, `transformers.pipeline` or an
    alias; a local or parameter named `pipeline` that holds a pipeline object is not one) and
    reports, once per file (at the first call it can fix, else the first call), when
    none of them names a pipeline task transformers knows: a literal (`pipeline("fill-mask")`,
    `pipeline(task="fill-mask")`), or a module constant or local variable holding one
    (`TASK = "fill-mask"`). A task passed through `**kwargs` is where the dict writes it: its
    `"task"` entry (`{"task": ...}`, `dict(task=...)`) or `kwargs["task"] = ...`. The calls it
    reports:

    - no task at all (`pipeline(model=...)`, `pipeline(None, ...)`);
    - a task hidden in instance state (`pipeline(task=self.task)`) or read from a registry
      (`pipeline(REGISTRY[self.model_id]["task"])`): hflint follows both to the literal they hold,
      so HF202-HF205 check that task, but the call itself names none;
    - a name that is no pipeline task (`fill_mask`, `ModelType`);
    - a task that could not be resolved statically (a parameter, a function's result, a registry
      whose entries disagree, a `**kwargs` dict that cannot be followed or that the function
      changes in other ways, such as `kwargs.update(...)`): reported as information, without a
      fix; hflint does not guess it, and HF202-HF205 cannot check that call.

    A test class with no `pipeline(...)` call at all is not reported (a stub or a test that builds
    the model directly is a different matter; HF103 reports a missing `test_pipeline()`). Files
    whose model the catalog does not know are left to HF503.

    ## Why it matters
    Without a task, transformers looks the task up in the checkpoint's hub metadata: offline, or
    with a local tiny model, the pipeline cannot be built, and online the test runs whatever task
    the hub lists. A task held in `self.task` is whatever the object holds when the test runs (any
    runner, subclass or method can change it), and neither readers nor tools see it at the call.

    ## Example
    ```python
    class TestConvbertModels:
        def test_pipeline(self):
            pipe = transformers.pipeline(model=self.model_id, device=self.device)
            return pipe(self.test_text)
    ```
    Use instead:
    ```python
            pipe = transformers.pipeline("fill-mask", model=self.model_id, device=self.device)
    ```

    ## Fix safety
    A task held in an attribute or a registry that resolves to one task is written at the call (in
    the `"task"` entry of the dict the call unpacks, when it comes through `**kwargs`: a second task
    argument would be a `TypeError`): safe, the pipeline is the one it was. A missing or unknown
    task becomes the one the file declares for its checkpoints (registry `task`, `self.task`) when
    the model supports it, else the catalog's default task for the model: safe when the pipeline's
    inputs still fit that task, unsafe when they must change too (they are replaced with an input of
    the right modality from `hflint.task_inputs`). Unresolvable tasks get no fix.
    """

    code = "HF201"
    name = "missing-pipeline-task"
    MESSAGE = "The test never builds a pipeline with a task it names"
    FIX_APPLICABILITY = Applicability.UNSAFE
    GATE = True

    VALID = (
        Valid(
            "from transformers import pipeline\n\n\nclass TestBertModels:\n"
            "    def test_pipeline(self):\n"
            '        return pipeline("fill-mask", model=self.model_id)\n'
        ),
        Valid(
            'TASK = "fill-mask"\n\n\nclass TestBertModels:\n'
            "    def test_pipeline(self):\n"
            "        return transformers.pipeline(task=TASK, model=self.model_id)\n"
        ),
        Valid(
            'class TestBertModels:\n    def test_pipeline(self):\n        return {"success": True}\n'
        ),
        Valid(
            "class TestVicunaModels:\n    def test_pipeline(self):\n"
            "        return pipeline(model=self.model_id)\n",
            path="test_hf_vicuna.py",
        ),
    )
    INVALID = (
        Invalid(
            "from transformers import pipeline\n\n\nclass TestBertModels:\n"
            "    def test_pipeline(self):\n"
            '        pipe = pipeline(model="google-bert/bert-base-uncased")\n'
            '        return pipe("Paris is the [MASK] of France.")\n',
            fixed=(
                "from transformers import pipeline\n\n\nclass TestBertModels:\n"
                "    def test_pipeline(self):\n"
                '        pipe = pipeline("fill-mask", model="google-bert/bert-base-uncased")\n'
                '        return pipe("Paris is the [MASK] of France.")\n'
            ),
        ),
        Invalid(
            "class TestBertModels:\n"
            "    def __init__(self):\n"
            '        self.task = "fill-mask"\n\n'
            "    def test_pipeline(self):\n"
            "        return transformers.pipeline(task=self.task, model=self.model_id)\n",
            fixed=(
                "class TestBertModels:\n"
                "    def __init__(self):\n"
                '        self.task = "fill-mask"\n\n'
                "    def test_pipeline(self):\n"
                '        return transformers.pipeline(task="fill-mask", model=self.model_id)\n'
            ),
        ),
        Invalid(
            "class TestBertModels:\n    def test_pipeline(self):\n"
            "        return transformers.pipeline('fill_mask', model=self.model_id)\n",
            fixed=(
                "class TestBertModels:\n    def test_pipeline(self):\n"
                "        return transformers.pipeline('fill-mask', model=self.model_id)\n"
            ),
        ),
        Invalid(
            "class TestBertModels:\n    def test_pipeline(self, task):\n"
            "        return transformers.pipeline(task, model=self.model_id)\n"
        ),
    )

    def check(self, analysis: TaskAnalysis, model: ModelEntry, catalog: Catalog) -> None:
        calls = analysis.calls
        if not calls or any(self._names_known_task(call, model, catalog) for call in calls):
            return
        # Once per file: at the first call hflint can fix, else at the first call.
        call = next((c for c in calls if c.task.how == MISSING or c.task.single), calls[0])
        value = call.task
        if value.how == MISSING:
            self._missing(analysis, call, model, catalog)
        elif value.single is not None and task_status(value.single, model, catalog) == UNKNOWN:
            self._unknown(analysis, call, value.single, model, catalog)
        elif value.how == INDIRECT and value.single is not None:
            expression = analysis.module.code_for_node(call.task_written[0])
            self.report(
                call.node,
                f"The pipeline's task comes from `{expression}` (`{value.single}`), not from the "
                "call: name it where the pipeline is built",
                fix=CodemodFix(
                    title=f'Write the task `"{value.single}"` in the call',
                    applicability=Applicability.SAFE,
                    command=FIX_COMMAND,
                    arguments={},
                ),
            )
        else:
            self._unresolved(analysis, call)

    def _names_known_task(self, call: PipelineCall, model: ModelEntry, catalog: Catalog) -> bool:
        return (
            call.task.how == STATED
            and bool(call.task.tasks)
            and all(task_status(t, model, catalog) != UNKNOWN for t in call.task.tasks)
        )

    def _missing(
        self, analysis: TaskAnalysis, call: PipelineCall, model: ModelEntry, catalog: Catalog
    ) -> None:
        task = preferred_task(analysis, call, model, catalog)
        message = (
            "`pipeline()` is called without a task: transformers then takes it from the hub, "
            "which fails offline and with local models"
        )
        if task is None:
            self.report(call.node, message + f"; `{model.model_type}` supports no pipeline task")
            return
        self.report(
            call.node, f"{message}; name it: `{task}`", fix=self._fix(analysis, call, task, catalog)
        )

    def _unknown(
        self,
        analysis: TaskAnalysis,
        call: PipelineCall,
        written: str,
        model: ModelEntry,
        catalog: Catalog,
    ) -> None:
        task = close_task(written, model.tasks) or preferred_task(analysis, call, model, catalog)
        message = (
            f"`{written}` is not a pipeline task in transformers {catalog.transformers_version}"
        )
        if task is None:
            self.report(call.node, message)
            return
        self.report(
            call.node,
            f"{message} (`{model.model_type}` supports {listing(model.tasks)})",
            fix=self._fix(analysis, call, task, catalog),
        )

    def _unresolved(self, analysis: TaskAnalysis, call: PipelineCall) -> None:
        value = call.task
        what = "the pipeline's task"
        if call.task_written:
            what += f" (`{analysis.module.code_for_node(call.task_written[0])}`)"
        why = f": it may be any of {listing(value.tasks)}" if value.tasks else ""
        self.report(
            call.node,
            f"Information: {what} could not be resolved statically{why}; hflint does not guess "
            "it, so HF202-HF205 do not check this pipeline",
        )

    def _fix(
        self, analysis: TaskAnalysis, call: PipelineCall, task: str, catalog: Catalog
    ) -> CodemodFix:
        changes_inputs = inputs_change(analysis, call, task, catalog)
        return CodemodFix(
            title=f"Name the `{task}` task"
            + (" and feed it a fitting input" if changes_inputs else ""),
            applicability=Applicability.UNSAFE if changes_inputs else Applicability.SAFE,
            command=FIX_COMMAND,
            arguments={"task": task},
        )
