"""What HF201-HF205 share: the task analysis of the module (the engine's `tasks` fact, fed once
per file from its batched visit), read when the walk is over. Files whose model the catalog does
not know get nothing (HF503 reports the unknown model).
"""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst

from hflint.analysis.facts import TASKS
from hflint.analysis.loaders import Loads, class_moves
from hflint.analysis.pipe_outputs import fits, output_reads
from hflint.analysis.tasks import PipelineCall, TaskAnalysis
from hflint.catalog import Catalog, ModelEntry
from hflint.diagnostics import Applicability
from hflint.edits.tasks import inputs_change
from hflint.rule import CodemodFix, Rule


class PipelineTaskRule(Rule):
    """Base class: subclasses implement `check`, called once the module has been visited."""

    FACTS = frozenset({TASKS})

    def check(self, analysis: TaskAnalysis, model: ModelEntry, catalog: Catalog) -> None:
        raise NotImplementedError

    def leave_Module(self, node: cst.Module) -> None:
        model = self.context.model
        if model is not None:
            self.check(self.facts.tasks, model, self.context.catalog)

    def report_task(
        self, call: PipelineCall, message: str, old_task: str, new_task: str | None, *, unsafe: bool
    ) -> None:
        """Report `call`, with the fix that moves it from `old_task` to `new_task` when there is
        one to move to."""
        if new_task is None:
            self.report(call.node, message)
            return
        analysis, catalog = self.facts.tasks, self.context.catalog
        model = self.context.model
        fix = replace_task_fix(analysis, call, old_task, new_task, catalog, model, unsafe=unsafe)
        self.report(call.node, message, fix=fix)


def replace_task_fix(
    analysis: TaskAnalysis,
    call: PipelineCall,
    old_task: str,
    new_task: str,
    catalog: Catalog,
    model: ModelEntry | None,
    *,
    unsafe: bool = False,
) -> CodemodFix:
    """Move the calls building `old_task` (and the declarations naming it) to `new_task`, and the
    loads of the model with a class its type lacks to its class for `new_task`; unsafe when asked,
    when the pipeline must then be fed differently, when a class changes, or when what the file
    reads of the pipeline's output does not fit the new task's (left to adapt by hand)."""
    changes_inputs = inputs_change(analysis, call, new_task, catalog)
    moves = [] if model is None else moved_classes(analysis, model, catalog, new_task)
    misfit = not fits(output_reads(call), catalog.canonical_task(new_task))
    title = f"Use the `{new_task}` task" + (
        " and a test input that fits it" if changes_inputs else ""
    )
    if moves:
        title += (
            "; load the model with "
            + ", ".join(f"`{new}`" for new in moves)
            + " (adapt what feeds it and reads its output by hand)"
        )
    if misfit:
        title += "; adapt what reads the pipeline's output by hand"
    return CodemodFix(
        title=title,
        applicability=Applicability.UNSAFE
        if unsafe or changes_inputs or moves or misfit
        else Applicability.SAFE,
        command="replace_pipeline_task.ReplacePipelineTaskCommand",
        arguments={"old_task": old_task, "task": new_task},
    )


def listing(tasks: Iterable[str]) -> str:
    names = sorted(tasks)
    return ", ".join(f"`{name}`" for name in names) if names else "none"


def moved_classes(
    analysis: TaskAnalysis, model: ModelEntry, catalog: Catalog, task: str
) -> list[str]:
    """The classes a move to `task` loads the model with instead of ones its type lacks."""
    moves = class_moves(Loads(analysis), model, catalog, task, keyed_on_task=False)
    return list(dict.fromkeys(new for _, new in moves))
