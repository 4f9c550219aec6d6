"""Feed each pipeline an input of the modality its task takes (HF205).

A main input that is statically of the wrong kind (a text string to an image pipeline, an image to
a text one) becomes an attribute the class's `__init__` sets to a fitting input (`self.test_image`)
when there is one, else the task's canonical input from `hflint.task_inputs`, importing `PIL.Image`
or `numpy` when the file has no name for them. Nothing else in the call changes.
"""

from __future__ import annotations

from hflint.codemods._pipeline_task import PipelineTaskCommand

from hflint.analysis.task_policy import mismatched_inputs
from hflint.catalog import Catalog, ModelEntry
from hflint.edits.tasks import TaskEditor, UsePlan


class FixPipelineInputCommand(PipelineTaskCommand):
    DESCRIPTION = "Feed each pipeline an input of the modality its task takes."
    NOTHING = "every pipeline input fits its task (or is not known statically)"

    def plan(self, editor: TaskEditor, model: ModelEntry, catalog: Catalog) -> None:
        for call, use, entry, _ in mismatched_inputs(editor.analysis, catalog):
            editor.edit_use(call, use, entry, UsePlan(replace_input=True))
