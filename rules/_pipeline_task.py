"""What HF201-HF205 share: the task analysis of the module, fed from the engine's batched visit.

The first of these rules to see the module feeds one `hflint.analysis.tasks.Collector`; the others read the
same analysis when the walk is over. Files whose model the catalog does not know get nothing
(HF503 reports the unknown model).
"""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst

from hflint.analysis.tasks import (
    Collector,
    PipelineCall,
    TaskAnalysis,
    collector_for,
    inputs_change,
)
from hflint.catalog import Catalog, ModelEntry
from hflint.diagnostics import Applicability
from hflint.rule import CodemodFix, Rule


class PipelineTaskRule(Rule):
    """Base class: subclasses implement `check`, called once the module has been visited."""

    _collector: Collector
    _feeds = False

    def check(self, analysis: TaskAnalysis, model: ModelEntry, catalog: Catalog) -> None:
        raise NotImplementedError

    def visit_Module(self, node: cst.Module) -> None:
        self._collector, self._feeds = collector_for(node, self.context)

    def leave_Module(self, node: cst.Module) -> None:
        model = self.context.model
        if model is not None:
            self.check(self._collector.analysis(), model, self.context.catalog)

    def _enter(self, node: cst.CSTNode) -> None:
        if self._feeds:
            self._collector.enter(node)

    def _leave(self, node: cst.CSTNode) -> None:
        if self._feeds:
            self._collector.leave(node)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._enter(node)

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self._leave(node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._enter(node)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._leave(node)

    def visit_Call(self, node: cst.Call) -> None:
        self._enter(node)

    def visit_Assign(self, node: cst.Assign) -> None:
        self._enter(node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._enter(node)

    def visit_Import(self, node: cst.Import) -> None:
        self._enter(node)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self._enter(node)


def replace_task_fix(
    analysis: TaskAnalysis,
    call: PipelineCall,
    old_task: str,
    new_task: str,
    catalog: Catalog,
    *,
    unsafe: bool = False,
) -> CodemodFix:
    """Move the calls building `old_task` (and the declarations naming it) to `new_task`; unsafe
    when asked, or when the pipeline must then be fed differently."""
    changes_inputs = inputs_change(analysis, call, new_task, catalog)
    return CodemodFix(
        title=f"Use the `{new_task}` task"
        + (" and a test input that fits it" if changes_inputs else ""),
        applicability=Applicability.UNSAFE if unsafe or changes_inputs else Applicability.SAFE,
        command="replace_pipeline_task.ReplacePipelineTaskCommand",
        arguments={"old_task": old_task, "task": new_task},
    )


def listing(tasks: Iterable[str]) -> str:
    names = sorted(tasks)
    return ", ".join(f"`{name}`" for name in names) if names else "none"
