"""The base of the pipeline-task fixes (HF201-HF205): each analyses the module with
`hflint.analysis.tasks` (the analysis the rules use), plans its edits on a
`hflint.edits.tasks.TaskEditor`, and applies them as LibCST leaves the nodes they replace.
"""

from __future__ import annotations

import argparse
from typing import ClassVar

import libcst as cst
from hflint.codemods import skeletons
from libcst.codemod import CodemodContext, SkipFile, VisitorBasedCodemodCommand

from hflint.analysis.tasks import analyze
from hflint.catalog import Catalog, ModelEntry, catalog_in
from hflint.edits.tasks import NodeT, TaskEditor
from hflint.naming import resolve_model_name


class PipelineTaskCommand(VisitorBasedCodemodCommand):
    """Base of the pipeline-task fixes: subclasses plan their edits in `plan`."""

    DESCRIPTION = "Base class of hflint's pipeline-task fixes (not a fix itself)."
    NOTHING = "nothing to change"

    def __init__(self, context: CodemodContext, model_name: str | None = None) -> None:
        super().__init__(context)
        self.model_name = model_name
        self._editor: TaskEditor | None = None

    def plan(self, editor: TaskEditor, model: ModelEntry, catalog: Catalog) -> None:
        raise NotImplementedError

    def visit_Module(self, node: cst.Module) -> bool:
        model_name = skeletons.model_name_for(self.context, self.model_name)
        catalog = catalog_in(self.context.scratch)
        # As the rules resolve it: `bert_standardized` is bert.
        model = resolve_model_name(catalog, model_name).entry
        if model is None:
            raise SkipFile(f"hflint's catalog knows no model {model_name!r}")
        editor = TaskEditor(node, analyze(node))
        self.plan(editor, model, catalog)
        if not editor.changed:
            raise SkipFile(self.NOTHING)
        self._editor = editor
        return True

    def on_leave(self, original_node: NodeT, updated_node: NodeT) -> NodeT | cst.RemovalSentinel:
        result = super().on_leave(original_node, updated_node)
        if self._editor is None or isinstance(result, cst.RemovalSentinel):
            return result
        return self._editor.apply(original_node, result)

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        return updated_node if self._editor is None else self._editor.finish(updated_node)


class TaskChoiceCommand(PipelineTaskCommand):
    """Base of the fixes that write a task: `--task` chooses it, else the catalog does, call by
    call."""

    TASK_HELP: ClassVar[str]

    @classmethod
    def add_args(cls, arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument("--task", dest="task", default=None, help=cls.TASK_HELP)

    def __init__(
        self, context: CodemodContext, task: str | None = None, model_name: str | None = None
    ) -> None:
        super().__init__(context, model_name)
        self.task = task
