"""Planning a task fix: what a pipeline use needs to fit a new task (input, keywords), whether the
move changes what the pipeline is fed, and the literals and inputs the codemods write.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from hflint import task_inputs as ti
from hflint.analysis.task_policy import current_entry
from hflint.analysis.tasks import PipelineCall, PipeUse, TaskAnalysis, TaskLiteral
from hflint.catalog import Catalog


@dataclass(frozen=True)
class UsePlan:
    """What a pipeline use needs so that it fits a task: a new input, keywords dropped or added."""

    replace_input: bool = False
    drop: tuple[str, ...] = ()
    add: tuple[str, ...] = ()
    # The input's kind is not known statically, nor what the pipeline took before: it is kept,
    # but nobody can say it fits.
    unknown: bool = False

    @property
    def changes(self) -> bool:
        return self.replace_input or bool(self.drop or self.add)


def plan_use(
    analysis: TaskAnalysis,
    use: PipeUse,
    entry: ti.TaskInput,
    previous: ti.TaskInput | None,
) -> UsePlan:
    """What `use` needs to feed a pipeline of the task `entry` describes (it fed `previous`)."""
    replace = unknown = False
    arg = use.input
    if arg is not None:
        kind, masked = analysis.input_kind(arg.value, use.scope)
        if kind is None and previous is not None and previous.checked:
            # Unknown statically: take it to be what the previous task took.
            kind, masked = previous.modality, previous.needs_mask
        if kind is None:
            unknown = True
        else:
            replace = not ti.suits(entry, kind, masked)
    elif previous is None or previous.modality != entry.modality:
        replace = bool(entry.args)
    present = use.keywords
    drop = tuple(name for name in present if not entry.accepts_keyword(name))
    add = tuple(sorted(entry.required - set(present)))
    return UsePlan(replace and bool(entry.args), drop, add, unknown)


def inputs_change(
    analysis: TaskAnalysis, call: PipelineCall, new_task: str, catalog: Catalog
) -> bool:
    """Whether moving `call` to `new_task` changes what its pipeline is fed (so the fix is unsafe)."""
    entry = ti.task_input(catalog.canonical_task(new_task))
    if entry is None:
        return True
    previous = current_entry(call, catalog)
    if not call.uses:
        return previous is None or previous.modality != entry.modality or entry.needs_mask
    plans = [plan_use(analysis, use, entry, previous) for use in call.uses]
    return any(plan.changes or plan.unknown for plan in plans)


def literal_like(original: TaskLiteral, value: str) -> cst.SimpleString:
    """A string literal holding `value`, in the quote style of `original` where it can be."""
    quote = '"'
    if isinstance(original, cst.SimpleString) and original.quote in ('"', "'"):
        quote = original.quote
    if quote in value or "\\" in value:
        return cst.SimpleString(repr(value))
    return cst.SimpleString(f"{quote}{value}{quote}")


def reusable_attribute(analysis: TaskAnalysis, use: PipeUse, entry: ti.TaskInput) -> str | None:
    """An attribute the class's `__init__` sets to an input that fits `entry` (`self.test_image`),
    usable where `use` is (a method whose first parameter is `self`)."""
    scope = use.scope
    if scope.class_def is None or scope.function is None:
        return None
    params = scope.function.params.params
    if not params or params[0].name.value != "self":
        return None
    fitting = [
        (attribute, kind)
        for attribute, kind, masked in analysis.class_inputs(scope.class_def)
        if kind != ti.LOCATION and ti.suits(entry, kind, masked)
    ]
    # An attribute named for the modality first (`test_audio` over some other array).
    fitting.sort(key=lambda item: entry.modality not in item[0] and item[1] != entry.modality)
    return fitting[0][0] if fitting else None


def can_build_input(call: PipelineCall, entry: ti.TaskInput) -> bool:
    """Whether the table's canonical input for `entry` can be written for `call`'s uses."""
    return bool(entry.args) and (ti.PIPE not in entry.args[0] or call.binding is not None)
