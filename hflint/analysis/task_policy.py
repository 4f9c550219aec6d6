"""What the catalog says of the tasks a file names: removed, unknown, supported by the model, and
which task to prefer; policy over the facts of `hflint.analysis.tasks`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator

import libcst as cst

from hflint import task_inputs as ti
from hflint.analysis.nodes import string_value
from hflint.analysis.tasks import PipelineCall, PipeUse, TaskAnalysis
from hflint.catalog import Catalog, ModelEntry

SUPPORTED = "supported"


UNSUPPORTED = "unsupported"


REMOVED = "removed"


UNKNOWN = "unknown"


def removed_name(task: str, catalog: Catalog) -> str | None:
    """The entry of `catalog.removed_tasks` a task name falls under (`translation_en_to_de` is
    `translation`), or None."""
    if task in catalog.removed_tasks:
        return task
    if task.startswith("translation_") and "translation" in catalog.removed_tasks:
        return "translation"
    return None


def task_status(task: str, model: ModelEntry, catalog: Catalog) -> str:
    if removed_name(task, catalog) is not None:
        return REMOVED
    canonical = catalog.canonical_task(task)
    if canonical not in catalog.pipeline_tasks:
        return UNKNOWN
    return SUPPORTED if canonical in model.tasks else UNSUPPORTED


def tasks_with_status(
    analysis: TaskAnalysis, model: ModelEntry, catalog: Catalog, status: str
) -> Iterator[tuple[PipelineCall, str]]:
    """(call, task) for each task a pipeline call may build whose status (`task_status`) is
    `status`."""
    for call in analysis.calls:
        for task in call.task.tasks:
            if task_status(task, model, catalog) == status:
                yield call, task


def effective_task(task: str, catalog: Catalog) -> str | None:
    """The canonical task a name stands for under the catalog's transformers (a removed task's
    replacement); None for names that are no task."""
    removed = removed_name(task, catalog)
    if removed is not None:
        return catalog.removed_tasks[removed]
    canonical = catalog.canonical_task(task)
    return canonical if canonical in catalog.pipeline_tasks else None


def declared_supported(
    analysis: TaskAnalysis, call: PipelineCall, model: ModelEntry, catalog: Catalog
) -> list[str]:
    """The tasks the file declares (registry, `self.task`) that the model supports."""
    found: list[str] = []
    for declaration in analysis.declarations(call):
        for task in declaration.tasks:
            effective = effective_task(task, catalog)
            if effective is not None and effective in model.tasks:
                found.append(effective)
    return list(dict.fromkeys(found))


def preferred_task(
    analysis: TaskAnalysis, call: PipelineCall, model: ModelEntry, catalog: Catalog
) -> str | None:
    """The task to give a call that has none the model can run: the one the file declares for its
    checkpoints when the model supports it (and it is the only one), else the catalog's default."""
    declared = declared_supported(analysis, call, model, catalog)
    return declared[0] if len(declared) == 1 else model.default_task


def current_entry(call: PipelineCall, catalog: Catalog) -> ti.TaskInput | None:
    """The input table's entry for the task the call builds now (None when not one known task)."""
    task = call.task.single
    effective = effective_task(task, catalog) if task is not None else None
    return ti.task_input(effective) if effective is not None else None


def mismatched_inputs(
    analysis: TaskAnalysis, catalog: Catalog
) -> Iterator[tuple[PipelineCall, PipeUse, ti.TaskInput, str]]:
    """Each pipeline use whose main input is, statically, of a kind its call's task does not take
    (HF205): the call, the use, the task's entry in the input table and the input's kind."""
    for call in analysis.calls:
        entry = current_entry(call, catalog)
        if entry is None or not entry.checked:
            continue
        for use in call.uses:
            arg = use.input
            if arg is None:
                continue
            kind, _ = analysis.input_kind(arg.value, use.scope)
            if kind is not None and ti.mismatch(entry.modality, kind):
                yield call, use, entry, kind


def close_task(task: str, candidates: Iterable[str]) -> str | None:
    """A task name `task` is probably a misspelling of (`fill_mask` -> `fill-mask`)."""
    normalized = task.strip().lower().replace("_", "-").replace(" ", "-")
    pool = sorted(candidates)
    if normalized in pool:
        return normalized
    matches = difflib.get_close_matches(normalized, pool, n=1, cutoff=0.8)
    return matches[0] if matches else None


def foreign_mask_inputs(
    analysis: TaskAnalysis, model: ModelEntry, catalog: Catalog
) -> Iterator[tuple[PipelineCall, PipeUse, tuple[str, ...]]]:
    """Each use of a fill-mask pipeline fed a text that marks its mask with a token other than
    the mask token of `model`'s tokenizer (`<mask>` where it is `[MASK]`) and not with that token
    itself: the call, the use, and the foreign markers written. Only inputs that are string
    literals wherever they come from (a constant, a local, `self.test_text`) are judged; nothing
    is when the model has no fill-mask task (HF202's business) or its tokenizer no mask token."""
    mask_token = model.mask_token
    if mask_token is None or "fill-mask" not in model.tasks:
        return
    for call in analysis.calls:
        task = call.task.single
        if task is None or effective_task(task, catalog) != "fill-mask":
            continue
        for use in call.uses:
            arg = use.input
            terminals = analysis.follow(arg.value, use.scope) if arg is not None else None
            texts = [string_value(t.node) for t in terminals or ()]
            if not texts or any(text is None for text in texts):
                continue
            markers = {
                marker
                for text in texts
                if text is not None and mask_token not in text
                for marker in ti.MASK_MARKERS
                if marker != mask_token and marker in text
            }
            if markers:
                yield call, use, tuple(sorted(markers))


def pipeline_holder(use: PipeUse) -> cst.BaseExpression | None:
    """What a use calls when it names the pipeline object (`pipe`, `self.pipe`), which code
    written at the use can read the pipeline's tokenizer from; None for a call of a call
    (`pipeline(...)(text)`)."""
    func = use.node.func
    if isinstance(func, cst.Name):
        return func
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
        return func if func.value.value == "self" else None
    return None
