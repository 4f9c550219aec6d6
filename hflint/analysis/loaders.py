"""What a test file loads its model with, and whether the file's model type has it.

A load is a `<class>.from_pretrained(...)` call whose class is one of transformers' auto classes:
an auto model class (`AutoModelForMaskedLM`, `AutoBackbone`) or the auto class of a preprocessor
(`AutoTokenizer`, `AutoImageProcessor`, `AutoFeatureExtractor`, `AutoVideoProcessor`). The class
is resolved however the file names it: `transformers.AutoX` through any alias of transformers, a
name `from transformers import AutoX as M` binds, or a local, constant or `self.<attr>` holding
either (`model_class = transformers.AutoX`, then `model_class.from_pretrained(...)`; through
branches, each class it may be). A load of the file's own checkpoint (`self.model_id`, an id of
the file's type) with a class the type lacks fails with certainty when it runs: `AutoModelForMaskedLM`
for hubert raises `Unrecognized configuration class`, `AutoTokenizer` for ViT finds no tokenizer.

Whether the load runs for this file: loads under a condition hflint cannot decide, or that decides
against them (`if self.task == "fill-mask":` in a file whose task is `automatic-speech-recognition`),
are not certain; so are loads after an early exit guarded by such a condition, in an exception
handler, or in a nested function. Conditions are decided from what the analysis follows (a task
in a registry, a constant), and availability flags for torch and transformers hold (the files run
with both). HF207 reports the certain loads of a class the type lacks; the task fixes move such
loads to the class of the new task (`hflint.edits.tasks`). Lint-safe: the catalog only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from hflint.analysis.checkpoints import checkpoint_model
from hflint.analysis.flags import flag_module
from hflint.analysis.modelrefs import is_hub_id, transformers_aliases
from hflint.analysis.nodes import iter_nodes, parameter_names, parents, string_value
from hflint.analysis.task_collect import Placement
from hflint.analysis.tasks import TaskAnalysis
from hflint.analysis.type_classes import class_for_task, is_loader_class, lacks
from hflint.catalog import Catalog, ModelEntry

LOADER = "from_pretrained"
# What a `from_pretrained` argument that cannot be followed must be called to be taken for the
# file's own checkpoint (the `model_id` its test class is built with).
_OWN_CHECKPOINT_NAME = re.compile(
    r"(?:^|_)(?:model_?(?:id|name|path)|checkpoint|repo_id|model_name_or_path)$", re.IGNORECASE
)
# Conditions about what the file tests: one hflint cannot decide may choose another branch for
# another task or model (`if self.task == ...`, `if hasattr(transformers, self.class_name)`).
_ABOUT_THE_MODEL = re.compile(r"task|model|arch|class|checkpoint", re.IGNORECASE)
_ALWAYS_AVAILABLE = frozenset({"torch", "transformers"})
_EXITS = (cst.Return, cst.Raise, cst.Continue, cst.Break)
# What `Loads._way` finds on the way to a node.
_BRANCH = "branch"
_EXIT = "exit"


@dataclass(frozen=True)
class ClassRef:
    """Where a file names a transformers class: `transformers.AutoX`, or a name an import binds."""

    node: cst.Attribute | cst.Name
    name: str  # the class transformers exports under that name


@dataclass(frozen=True)
class Load:
    """A `<class>.from_pretrained(...)` call whose class resolves to transformers auto classes."""

    call: cst.Call
    scope: Placement
    classes: tuple[ClassRef, ...]  # what the class may be (several through branches)


def transformers_imports(module: cst.Module) -> dict[str, str]:
    """Name -> the transformers class it is bound to by `from transformers import X [as Y]`
    anywhere in the file; names bound to different classes in different places are left out."""
    bound: dict[str, set[str]] = {}
    for node in iter_nodes(module):
        if not (
            isinstance(node, cst.ImportFrom)
            and not node.relative
            and isinstance(node.module, cst.Name)
            and node.module.value == "transformers"
            and not isinstance(node.names, cst.ImportStar)
        ):
            continue
        for alias in node.names:
            target = alias.asname.name if alias.asname is not None else alias.name
            if isinstance(alias.name, cst.Name) and isinstance(target, cst.Name):
                bound.setdefault(target.value, set()).add(alias.name.value)
    return {name: next(iter(names)) for name, names in bound.items() if len(names) == 1}


class Loads:
    """The loads of one module, and what decides whether each runs."""

    def __init__(self, analysis: TaskAnalysis) -> None:
        self.analysis = analysis
        module = analysis.module
        self._aliases = transformers_aliases(module)
        self._imports = transformers_imports(module)
        self._parents: dict[int, cst.CSTNode] | None = None
        self.loads = [load for load in self._loads() if load.classes]

    def _loads(self) -> Iterator[Load]:
        for call, scope in self.analysis.every_call:
            func = call.func
            if isinstance(func, cst.Attribute) and func.attr.value == LOADER:
                refs = self.resolve(func.value, scope)
                if refs is not None and all(is_loader_class(ref.name) for ref in refs):
                    yield Load(call, scope, tuple(refs))

    def resolve(self, node: cst.BaseExpression, scope: Placement) -> list[ClassRef] | None:
        """The transformers classes an expression may be; None when it may be something else."""
        direct = self._direct(node, scope)
        if direct is not None:
            return [direct]
        terminals = self.analysis.follow(node, scope)
        if not terminals:
            return None
        refs = [
            self._direct(terminal.node, terminal.scope)
            for terminal in terminals
            if self.may_run(terminal.node, terminal.scope)
        ]
        return None if any(ref is None for ref in refs) else [r for r in refs if r is not None]

    def _direct(self, node: cst.BaseExpression, scope: Placement) -> ClassRef | None:
        if (
            isinstance(node, cst.Attribute)
            and isinstance(node.value, cst.Name)
            and node.value.value in self._aliases
        ):
            return ClassRef(node, node.attr.value)
        if isinstance(node, cst.Name) and node.value in self._imports:
            via: set[str] = set()
            self.analysis.follow(node, scope, via)
            function = scope.function
            shadowed = "local" in via or (
                function is not None and node.value in parameter_names(function)
            )
            if not shadowed:  # not rebound in the function that reads it
                return ClassRef(node, self._imports[node.value])
        return None

    # --- what a load loads ---------------------------------------------------------------------

    def loads_own_checkpoint(self, load: Load, catalog: Catalog, model: ModelEntry) -> bool:
        """Whether the load reads the file's own checkpoint: every hub id its argument may be is
        of the file's model type, and anything it cannot follow is named like the `model_id` the
        test class is built with. Code from the hub (`trust_remote_code=True`) may bring its own
        classes: never."""
        argument = None
        for position, arg in enumerate(load.call.args):
            if arg.keyword is not None and arg.keyword.value == "trust_remote_code":
                return False
            if (position == 0 and arg.keyword is None and not arg.star) or (
                arg.keyword is not None and arg.keyword.value == "pretrained_model_name_or_path"
            ):
                argument = arg.value
        if argument is None:
            return False
        via: set[str] = set()
        terminals = self.analysis.follow(argument, load.scope, via, lenient=True)
        values = [string_value(t.node) for t in terminals or ()]
        ids = [value for value in values if value is not None and is_hub_id(value)]
        for hub_id in ids:
            found = checkpoint_model(catalog, hub_id, (), model)
            if found is None or found[0].model_type != model.model_type:
                return False
        followed_all = terminals is not None and "unresolved" not in via and len(ids) == len(values)
        return (bool(ids) and followed_all) or _names_own_checkpoint(argument)

    # --- whether a load runs -------------------------------------------------------------------

    def runs(self, load: Load, keyed_on_task: bool = True) -> bool:
        """Whether the load certainly runs when its function does: every condition on its way
        holds for this file, and no early exit before it may leave first. With `keyed_on_task`
        False, a load some decided condition about the model leads to does not count either (a
        fix that changes the task changes which branch runs)."""
        for kind, test, wanted in self._way(load.call, load.scope):
            if test is None:
                return False
            value = self.decide(test, load.scope)
            about_model = _ABOUT_THE_MODEL.search(_text(test)) is not None
            if kind == _BRANCH and (value is not wanted or (about_model and not keyed_on_task)):
                return False
            if kind == _EXIT and (
                value is True or (about_model and (value is None or not keyed_on_task))
            ):
                return False
        return True

    def may_run(self, node: cst.CSTNode, scope: Placement) -> bool:
        """Whether `node` may run: no condition on its way decides against it."""
        for kind, test, wanted in self._way(node, scope):
            value = None if test is None else self.decide(test, scope)
            if (kind == _BRANCH and value is (not wanted)) or (kind == _EXIT and value is True):
                return False
        return True

    def _way(
        self, node: cst.CSTNode, scope: Placement
    ) -> Iterator[tuple[str, cst.BaseExpression | None, bool]]:
        """What stands between the start of `node`'s function and `node`: each branch's test and
        the side it takes (`_BRANCH`), the test of each `if` that exits before it (`_EXIT`), and
        (kind, None, ...) for what hflint does not follow: an exception handler, a `match`, the
        right side of `and`/`or`, a nested function."""
        if self._parents is None:
            self._parents = parents(self.analysis.module)
        child: cst.CSTNode = node
        parent = self._parents.get(id(child))
        while parent is not None and not isinstance(parent, cst.Module):
            if parent is scope.function:
                if self._nested(scope.function):  # runs only when its enclosing function calls it
                    yield _BRANCH, None, True
                return
            if isinstance(
                parent,
                (cst.FunctionDef, cst.Lambda, cst.ExceptHandler, cst.ExceptStarHandler, cst.Match),
            ) or (isinstance(parent, cst.BooleanOperation) and child is parent.right):
                yield _BRANCH, None, True
            if isinstance(parent, (cst.If, cst.IfExp)) and child is not parent.test:
                yield _BRANCH, parent.test, child is parent.body
            if isinstance(parent, cst.IndentedBlock):
                for statement in parent.body:
                    if statement is child:
                        break
                    if isinstance(statement, cst.If) and _exits(statement.body):
                        yield _EXIT, statement.test, True
            child, parent = parent, self._parents.get(id(parent))

    def _nested(self, function: cst.CSTNode) -> bool:
        assert self._parents is not None
        parent = self._parents.get(id(function))
        while parent is not None and not isinstance(parent, cst.ClassDef):
            if isinstance(parent, (cst.FunctionDef, cst.Lambda)):
                return True
            parent = self._parents.get(id(parent))
        return False

    def decide(self, test: cst.BaseExpression, scope: Placement) -> bool | None:
        """The value of a condition for this file, when every value it reads is known."""
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            value = self.decide(test.expression, scope)
            return None if value is None else not value
        if isinstance(test, cst.BooleanOperation):
            left, right = self.decide(test.left, scope), self.decide(test.right, scope)
            if isinstance(test.operator, cst.And):
                return (
                    False if False in (left, right) else (None if None in (left, right) else True)
                )
            return True if True in (left, right) else (None if None in (left, right) else False)
        if isinstance(test, (cst.Name, cst.Attribute)):
            name = test.value if isinstance(test, cst.Name) else test.attr.value
            return True if flag_module(name) in _ALWAYS_AVAILABLE else None
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
            return self._compare(test.left, test.comparisons[0], scope)
        return None

    def _compare(
        self, left: cst.BaseExpression, target: cst.ComparisonTarget, scope: Placement
    ) -> bool | None:
        operator = target.operator
        lefts = self._strings(left, scope)
        if isinstance(operator, (cst.Equal, cst.NotEqual)):
            rights = self._strings(target.comparator, scope)
            if lefts is None or rights is None:
                return None
            outcomes = {a == b for a in lefts for b in rights}
            value = outcomes.pop() if len(outcomes) == 1 else None
        elif isinstance(operator, (cst.In, cst.NotIn)):
            members = _string_collection(target.comparator)
            if lefts is None or members is None:
                return None
            outcomes = {a in members for a in lefts}
            value = outcomes.pop() if len(outcomes) == 1 else None
        else:
            return None
        if value is None:
            return None
        return value if isinstance(operator, (cst.Equal, cst.In)) else not value

    def _strings(self, node: cst.BaseExpression, scope: Placement) -> set[str] | None:
        terminals = self.analysis.follow(node, scope)
        if not terminals:
            return None
        values = {string_value(terminal.node) for terminal in terminals}
        return None if None in values else {v for v in values if v is not None}


def _names_own_checkpoint(node: cst.BaseExpression) -> bool:
    name = node.attr.value if isinstance(node, cst.Attribute) else getattr(node, "value", None)
    return isinstance(name, str) and _OWN_CHECKPOINT_NAME.search(name) is not None


def _exits(body: cst.BaseSuite) -> bool:
    statements = body.body if isinstance(body, cst.IndentedBlock) else ()
    last = statements[-1] if statements else None
    if isinstance(last, cst.SimpleStatementLine):
        return any(isinstance(small, _EXITS) for small in last.body)
    return False


def _string_collection(node: cst.BaseExpression) -> set[str] | None:
    if not isinstance(node, (cst.Tuple, cst.List, cst.Set)):
        return None
    values = {string_value(element.value) for element in node.elements}
    return None if None in values else {v for v in values if v is not None}


def _text(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def failing_loads(
    loads: Loads, model: ModelEntry, catalog: Catalog, *, keyed_on_task: bool = True
) -> Iterator[Load]:
    """The loads of the file's own checkpoint that certainly run (`Loads.runs`) with a class the
    file's model type lacks, whichever of its classes it is."""
    for load in loads.loads:
        if (
            all(lacks(model, ref.name) for ref in load.classes)
            and loads.loads_own_checkpoint(load, catalog, model)
            and loads.runs(load, keyed_on_task)
        ):
            yield load


def class_moves(
    loads: Loads,
    model: ModelEntry,
    catalog: Catalog,
    task: str | None,
    *,
    keyed_on_task: bool = True,
) -> list[tuple[ClassRef, str]]:
    """(reference, the class it becomes) for each class of a failing load that the type has a
    class for `task` to replace with (`class_for_task`)."""
    moves = []
    for load in failing_loads(loads, model, catalog, keyed_on_task=keyed_on_task):
        for ref in load.classes:
            new = class_for_task(model, ref.name, task)
            if new is not None:
                moves.append((ref, new))
    return moves
