"""The hub checkpoints a test file loads by itself, and the tiny stand-in `hflint exec` gives each.

A file names checkpoints in `X.from_pretrained("id")` and `pipeline(task, model="id")` calls (the id
written there, or held by a constant, a local or `self.<attr>` the call reads), in its registry's keys,
in its class's `model_id` default and in `MODEL_ID = "id"` constants. Offline, `hflint exec` answers
each with a tiny model of the checkpoint's type (`hflint.exec.standins`); this module says which type
and for which task, reading the file and the catalog only (lint-safe: no torch, no transformers).

The type behind an id, strongest evidence first:
1. the catalog: the id is a type's documented checkpoint (`facebook/maskformer-swin-base-ade` is
   maskformer, whatever its name says), legacy ids without an organisation included (`bert-base-uncased`
   is `google-bert/bert-base-uncased`);
2. the id's own name, on whole name parts, the longest leading run first (`hubert-large-ls960-ft` is
   hubert, not bert; `modelrefs.hub_id_model`);
3. what the file's registry entry for the id says (`"model_type": "bert"`);
4. a run of whole parts inside the id's name (`hf-internal-testing/tiny-random-bert` is bert);
5. the file's own model type (its name), for the file's own checkpoints (its registry's keys, its
   `model_id` default, its `MODEL_ID` constant) that name no type at all; an id written only in a
   loading call may be anything (another model's tokenizer, a reference model), so it gets none.

The task: the one the loading call asks for (a pipeline's task, the head of `AutoModelForMaskedLM` or
`BertForMaskedLM`, the registry entry's task), else the type's default task. A model built for one
task still loads with `AutoModel` (the base weights are there), so a default is fine where nothing
says more.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import libcst as cst

from hflint.analysis.modelrefs import (
    default_ids,
    hub_id_model,
    inner_id_model,
    is_hub_id,
    module_assignments,
    registries,
)
from hflint.analysis.nodes import dotted_name, string_value
from hflint.analysis.task_collect import Placement
from hflint.analysis.tasks import TaskAnalysis
from hflint.catalog import Catalog, ModelEntry

# Module constants that hold a checkpoint: MODEL_ID, BERT_MODEL_ID, CHECKPOINT, REPO_ID...
_ID_CONSTANT = re.compile(r"^(?:[A-Z][A-Z0-9_]*_)?(?:MODEL_ID|CHECKPOINT(?:_ID)?|HUB_ID|REPO_ID)$")
_LOADER_ID_KEYWORD = "pretrained_model_name_or_path"
# Registry entry fields, as the suites spell them.
_ENTRY_TYPE_FIELDS = ("model_type",)
_ENTRY_TASK_FIELDS = ("task", "default_task", "pipeline_task")
_ENTRY_CLASS_FIELDS = ("class", "model_class")
# The head in a model class's name: `BertForMaskedLM`, `AutoModelForSeq2SeqLM`.
_HEAD = re.compile(r"For[A-Z0-9]\w*$")
# `GPT2LMHeadModel`, `OpenAIGPTLMHeadModel`: the causal LM head without `For` in the name.
_LM_HEAD = "LMHeadModel"

# How a file names its own checkpoint (an id it names otherwise may be another model's).
OWN_CHECKPOINT = frozenset({"registry", "default", "constant"})
# How the type of a stand-in was found (shown in the exec record).
FROM_CATALOG = "catalog checkpoint"
FROM_NAME = "id's name"
FROM_REGISTRY = "file's registry"
FROM_FILE = "file's model type"


@dataclass(frozen=True)
class CheckpointUse:
    """One place a file names a hub id, with what it says about it."""

    hub_id: str
    # from_pretrained, pipeline, registry, default (a `model_id` default), constant
    how: str
    # The class whose `from_pretrained` loads it (`AutoModelForMaskedLM`), for a head.
    loader: str | None = None
    # The task a pipeline call or a registry entry gives for it, as written.
    task: str | None = None
    # The model type the registry entry declares, as written.
    model_type: str | None = None


@dataclass(frozen=True)
class StandIn:
    """What a hub id runs on: a tiny model of `model_type`, built for the first of `tasks` that
    builds; or, with `model_type` None or no tasks, why it gets none."""

    hub_id: str
    model_type: str | None
    tasks: tuple[str, ...]
    origin: str | None
    reason: str | None = None

    def to_job(self) -> dict[str, object]:
        """The plain form the exec job carries to the child (what is known, nothing else)."""
        fields = {
            "id": self.hub_id,
            "model_type": self.model_type,
            "tasks": list(self.tasks),
            "origin": self.origin,
            "reason": self.reason,
        }
        return {key: value for key, value in fields.items() if value}


# --- the ids a file names -------------------------------------------------------------------------


def checkpoint_uses(analysis: TaskAnalysis, class_name: str | None) -> list[CheckpointUse]:
    """Every place the file names a hub id, in this order: loading calls, pipeline calls, registry
    keys, the test class's `model_id` defaults, `MODEL_ID`-style constants."""
    module = analysis.module
    uses: list[CheckpointUse] = []
    for call, scope in analysis.every_call:
        func = call.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "from_pretrained"):
            continue
        arg = _argument(call, 0, _LOADER_ID_KEYWORD)
        if arg is None:
            continue
        loader = dotted_name(func.value).rpartition(".")[2] or None
        for hub_id in _ids(analysis, arg, scope):
            uses.append(CheckpointUse(hub_id, "from_pretrained", loader=loader))
    for pipeline in analysis.calls:
        named = (_argument(pipeline.node, 1, "model"), _argument(pipeline.node, None, "tokenizer"))
        for arg in named:
            for hub_id in _ids(analysis, arg, pipeline.scope) if arg is not None else ():
                uses.append(CheckpointUse(hub_id, "pipeline", task=pipeline.task.single))
    for registry in registries(module):
        for literal in registry.ids:
            if is_hub_id(literal.value):
                fields = _entry_fields(literal.entry)
                uses.append(
                    CheckpointUse(
                        literal.value,
                        "registry",
                        loader=_first(fields, _ENTRY_CLASS_FIELDS),
                        task=_first(fields, _ENTRY_TASK_FIELDS),
                        model_type=_first(fields, _ENTRY_TYPE_FIELDS),
                    )
                )
    uses.extend(CheckpointUse(d.value, "default") for d in default_ids(module, class_name))
    uses.extend(CheckpointUse(value, "constant") for value in _id_constants(module))
    return uses


def _argument(call: cst.Call, position: int | None, keyword: str) -> cst.BaseExpression | None:
    """The argument at `position` (when every one before it is positional too) or `keyword=`."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg.value
    if position is None:
        return None
    positional = [arg for arg in call.args if arg.keyword is None]
    if len(positional) > position and all(arg.star == "" for arg in positional[: position + 1]):
        return positional[position].value
    return None


def _ids(analysis: TaskAnalysis, node: cst.BaseExpression, scope: Placement) -> list[str]:
    """The hub ids an argument may be: literals it is, or that the name, `self.<attr>` or registry
    lookup it reads holds (nothing when it reads what cannot be followed, such as a parameter)."""
    terminals = analysis.follow(node, scope) or []
    values = (string_value(terminal.node) for terminal in terminals)
    return [value for value in values if value is not None and is_hub_id(value)]


def _entry_fields(entry: cst.BaseExpression | None) -> dict[str, str]:
    """The string fields of a registry entry's dict (`{"model_type": "bert", "task": ...}`)."""
    if not isinstance(entry, cst.Dict):
        return {}
    fields = {}
    for element in entry.elements:
        if isinstance(element, cst.DictElement):
            key, value = string_value(element.key), string_value(element.value)
            if key is not None and value is not None:
                fields[key] = value
    return fields


def _first(fields: Mapping[str, str], names: Sequence[str]) -> str | None:
    return next((fields[name] for name in names if fields.get(name)), None)


def _id_constants(module: cst.Module) -> list[str]:
    """The hub ids module constants named like `MODEL_ID` hold."""
    return [
        text
        for target, value in module_assignments(module)
        if _ID_CONSTANT.match(target.value)
        and (text := string_value(value)) is not None
        and is_hub_id(text)
    ]


# --- the type and task of each id -----------------------------------------------------------------


def plan_stand_ins(
    catalog: Catalog, uses: Iterable[CheckpointUse], file_model: ModelEntry | None
) -> tuple[StandIn, ...]:
    """One stand-in (or the reason for none) per distinct id, in the order the file names them."""
    by_id: dict[str, list[CheckpointUse]] = {}
    for use in uses:
        by_id.setdefault(use.hub_id, []).append(use)
    return tuple(_stand_in(catalog, hub_id, found, file_model) for hub_id, found in by_id.items())


def _stand_in(
    catalog: Catalog, hub_id: str, uses: Sequence[CheckpointUse], file_model: ModelEntry | None
) -> StandIn:
    declared = [use.model_type for use in uses if use.model_type]
    own = any(use.how in OWN_CHECKPOINT for use in uses)
    found = checkpoint_model(catalog, hub_id, declared, file_model if own else None)
    if found is None:
        reason = (
            f"no model type known for {hub_id!r}: no catalog checkpoint, and no model type in its "
            "name" + (" or the file's registry and name" if own else "")
        )
        return StandIn(hub_id, None, (), None, reason)
    model, origin = found
    tasks = candidate_tasks(catalog, model, uses)
    if not tasks:
        reason = f"{model.model_type} ({origin}) has no pipeline task to build a tiny model for"
        return StandIn(hub_id, model.model_type, (), origin, reason)
    return StandIn(hub_id, model.model_type, tasks, origin)


def checkpoint_model(
    catalog: Catalog, hub_id: str, declared: Sequence[str], file_model: ModelEntry | None
) -> tuple[ModelEntry, str] | None:
    """The model type behind a hub id and how it was found (`FROM_*`); None when nothing says."""
    documented = catalog_checkpoint_model(catalog, hub_id)
    if documented is not None:
        return documented, FROM_CATALOG
    named = hub_id_model(catalog, hub_id)
    if named is not None:
        return named.entry, FROM_NAME
    for model_type in declared:
        entry = catalog.resolve(model_type)
        if entry is not None:
            return entry, FROM_REGISTRY
    inner = inner_id_model(catalog, hub_id)
    if inner is not None:
        return inner, FROM_NAME
    return (file_model, FROM_FILE) if file_model is not None else None


def catalog_checkpoint_model(catalog: Catalog, hub_id: str) -> ModelEntry | None:
    """The type whose documented checkpoint `hub_id` is: the same id or, for an id without an
    organisation, the name of one (`gpt2` is `openai-community/gpt2`, as the hub's legacy ids
    redirect). When several types document it, the one the id's name names; none when that does
    not decide."""
    by_id, by_legacy_name = _checkpoint_index(catalog)
    key = hub_id.lower()
    types = by_id.get(key) or (by_legacy_name.get(key, ()) if "/" not in key else ())
    if len(types) == 1:
        return catalog.models[types[0]]
    named = hub_id_model(catalog, hub_id)
    if named is not None and named.entry.model_type in types:
        return named.entry
    return None


@cache
def _checkpoint_index(
    catalog: Catalog,
) -> tuple[Mapping[str, tuple[str, ...]], Mapping[str, tuple[str, ...]]]:
    """(lower-cased checkpoint -> types, lower-cased name of an `org/name` checkpoint -> types)."""
    by_id: dict[str, list[str]] = {}
    by_name: dict[str, list[str]] = {}
    for entry in catalog.models.values():
        if not entry.checkpoint:
            continue
        checkpoint = entry.checkpoint.lower()
        by_id.setdefault(checkpoint, []).append(entry.model_type)
        if "/" in checkpoint:
            by_name.setdefault(checkpoint.rpartition("/")[2], []).append(entry.model_type)
    return (
        {key: tuple(types) for key, types in by_id.items()},
        {key: tuple(types) for key, types in by_name.items()},
    )


def candidate_tasks(
    catalog: Catalog, model: ModelEntry, uses: Sequence[CheckpointUse]
) -> tuple[str, ...]:
    """The tasks to build the stand-in for, in order of preference: what the uses ask for (a
    pipeline's task, a loading class's head, a registry entry's task), then the type's default
    task; only tasks the type has a model class for."""
    wanted: list[str] = []
    for use in uses:
        if use.task:
            wanted.append(catalog.canonical_task(use.task))
        if use.loader:
            wanted.extend(head_tasks(model, use.loader))
    if model.default_task:
        wanted.append(model.default_task)
    return tuple(task for task in dict.fromkeys(wanted) if task in model.tasks)


def head_tasks(model: ModelEntry, class_name: str) -> list[str]:
    """The tasks whose auto class has the head a class loads: `AutoModelForMaskedLM`,
    `BertForMaskedLM` and `TFBertForMaskedLM` -> fill-mask; `GPT2LMHeadModel` -> text-generation.
    The type's default task first when it is one of them; none for `AutoModel`, `BertModel`, a
    tokenizer or a config."""
    head = _HEAD.search(class_name)
    if head is not None and head.start() > 0:
        auto_class = "AutoModel" + head.group()
    elif class_name.endswith(_LM_HEAD):
        auto_class = "AutoModelForCausalLM"
    else:
        return []
    tasks = [task for task, loads in model.tasks.items() if loads == auto_class]
    if model.default_task in tasks:
        tasks.remove(model.default_task)
        tasks.insert(0, model.default_task)
    return tasks
