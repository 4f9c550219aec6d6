"""Load the model with a class its type has (HF207): `transformers.AutoModelForMaskedLM` in the
hubert file whose pipeline runs speech recognition becomes `transformers.AutoModelForCTC`.

Changes the loads of the file's own checkpoint that certainly run with a class the file's model
type lacks (`hflint.analysis.loaders`); without `--new-name` each becomes the type's class for the
task the file runs (its pipeline's, or the one the task fixes move it to), derived from the file
name and hflint's catalog. What feeds the model and reads its output stays as it is.
"""

from __future__ import annotations

import argparse

from hflint.codemods._pipeline_task import PipelineTaskCommand
from libcst.codemod import CodemodContext

from hflint.analysis.task_policy import running_task
from hflint.catalog import Catalog, ModelEntry
from hflint.edits.tasks import TaskEditor, move_classes


class UseTaskClassCommand(PipelineTaskCommand):
    DESCRIPTION = "Load the model with the class its type has for the file's task."
    NOTHING = "no load of the file's checkpoint uses a class its model type lacks"

    @classmethod
    def add_args(cls, arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument(
            "--old-name", dest="old_name", required=True, help="the class the model type lacks"
        )
        arg_parser.add_argument(
            "--new-name",
            dest="new_name",
            default=None,
            help="the class to load with (default: the type's class for the file's task)",
        )

    def __init__(
        self,
        context: CodemodContext,
        old_name: str,
        new_name: str | None = None,
        model_name: str | None = None,
    ) -> None:
        super().__init__(context, model_name)
        self.old_name = old_name
        self.new_name = new_name

    def plan(self, editor: TaskEditor, model: ModelEntry, catalog: Catalog) -> None:
        task = running_task(editor.analysis, model, catalog)
        move_classes(editor, model, catalog, task, only=self.old_name, to=self.new_name)
