"""Move the pipeline calls building one task to another (HF202, HF203, HF204).

The literal each call's task comes from changes (at the call, in a module constant, in
`self.task = ...` or in registry entries), and so do the file's other registry entries and
`self.task` values holding the old task; when the pipeline's inputs do not fit the new task, they
are replaced (an attribute of the class holding a fitting input, else the canonical input of
`hflint.task_inputs`), keyword arguments the new pipeline rejects are dropped and required ones
added. Without `--task`, the new task is the old one's replacement when it was removed and the
model supports it, else the task the file declares when the model supports it, else the model's
default task (hflint's catalog, from the file name).
"""

from __future__ import annotations

import argparse

from hflint.codemods._pipeline_task import TaskChoiceCommand
from libcst.codemod import CodemodContext

from hflint import task_inputs as ti
from hflint.analysis.task_policy import (
    current_entry,
    preferred_task,
    removed_name,
    removed_task_move,
)
from hflint.analysis.tasks import PipelineCall, TaskAnalysis
from hflint.catalog import Catalog, ModelEntry
from hflint.edits.tasks import TaskEditor, move_classes


class ReplacePipelineTaskCommand(TaskChoiceCommand):
    DESCRIPTION = "Move the pipelines building one task to another, with inputs that fit it."
    NOTHING = "no pipeline or declaration has that task"

    TASK_HELP = "the new task (default: derived from hflint's catalog for the file's model)"

    @classmethod
    def add_args(cls, arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument(
            "--old-task", dest="old_task", required=True, help="the task to replace, as written"
        )
        super().add_args(arg_parser)

    def __init__(
        self,
        context: CodemodContext,
        old_task: str,
        task: str | None = None,
        model_name: str | None = None,
    ) -> None:
        super().__init__(context, task, model_name)
        self.old_task = old_task

    def plan(self, editor: TaskEditor, model: ModelEntry, catalog: Catalog) -> None:
        analysis = editor.analysis
        first: str | None = None
        for call in analysis.calls:
            if self.old_task not in call.task.tasks:
                continue
            new_task = self.task or self._derived(analysis, call, model, catalog)
            if new_task is None or new_task == self.old_task:
                continue
            first = first or new_task
            for source in call.task.sources:
                if source.evaluated_value == self.old_task:
                    editor.set_literal(source, new_task)
            entry = ti.task_input(catalog.canonical_task(new_task))
            if call.task.single == self.old_task and entry is not None:
                editor.adapt_uses(call, entry, current_entry(call, catalog))
        new_task = first or self.task or self._derived(analysis, None, model, catalog)
        if new_task is None or new_task == self.old_task:
            return
        move_classes(editor, model, catalog, new_task, keyed_on_task=False)
        for declaration in analysis.all_declarations():
            for source in declaration.sources:
                if source.evaluated_value == self.old_task:
                    editor.set_literal(source, new_task)

    def _derived(
        self,
        analysis: TaskAnalysis,
        call: PipelineCall | None,
        model: ModelEntry,
        catalog: Catalog,
    ) -> str | None:
        if removed_name(self.old_task, catalog) is not None:
            return removed_task_move(self.old_task, analysis, call, model, catalog)[0]
        if call is not None:
            return preferred_task(analysis, call, model, catalog)
        return model.default_task
