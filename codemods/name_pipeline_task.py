"""Name the task of the pipeline calls that do not (HF201).

A call without a task gets one as its first argument; a call whose task is held in an attribute or
a registry that resolves to one task gets that task written in the call; a name that is no task
(`fill_mask`) is replaced where it is written. The task given is `--task`, else a close spelling of
a task the model supports, else the one the file declares for its checkpoints when the model
supports it, else the model's default task (hflint's catalog, from the file name); inputs that do
not fit it are replaced as `replace_pipeline_task` does. Calls whose task cannot be resolved
statically are left alone.
"""

from __future__ import annotations

from hflint.codemods._pipeline_task import TaskChoiceCommand

from hflint import task_inputs as ti
from hflint.analysis.task_policy import UNKNOWN, close_task, preferred_task, task_status
from hflint.analysis.tasks import INDIRECT, MISSING, PipelineCall
from hflint.catalog import Catalog, ModelEntry
from hflint.edits.tasks import TaskEditor


class NamePipelineTaskCommand(TaskChoiceCommand):
    DESCRIPTION = "Write a task in the pipeline calls that have none, or hide it, or misspell it."
    NOTHING = "every pipeline call names its task (or cannot be resolved statically)"
    TASK_HELP = "the task for calls without one (default: derived from hflint's catalog)"

    def plan(self, editor: TaskEditor, model: ModelEntry, catalog: Catalog) -> None:
        for call in editor.analysis.calls:
            value = call.task
            if value.how == MISSING:
                task = self.task or preferred_task(editor.analysis, call, model, catalog)
                if task is not None:
                    editor.set_task(call, task)
                    self._adapt(editor, call, task, catalog)
            elif value.single is not None and task_status(value.single, model, catalog) == UNKNOWN:
                task = (
                    self.task
                    or close_task(value.single, model.tasks)
                    or preferred_task(editor.analysis, call, model, catalog)
                )
                if task is None:
                    continue
                for source in value.sources:
                    editor.set_literal(source, task)
                if value.how == INDIRECT:
                    editor.set_task(call, task)
                self._adapt(editor, call, task, catalog)
            elif value.how == INDIRECT and value.single is not None:
                editor.set_task(call, value.single)

    def _adapt(self, editor: TaskEditor, call: PipelineCall, task: str, catalog: Catalog) -> None:
        entry = ti.task_input(catalog.canonical_task(task))
        if entry is not None:
            editor.adapt_uses(call, entry, None)
