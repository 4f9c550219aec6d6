"""Task edits (HF201-HF206): what a pipeline use needs to fit a new task (input, keywords), whether
the move changes what the pipeline is fed, and `TaskEditor`, which plans the edits on a module (a
task literal, a task argument, the arguments of a call feeding the pipeline, the mask token of a
fill-mask input) keyed by the original nodes they replace, for a codemod to apply as LibCST leaves
those nodes. Nothing else in the file changes, apart from an import the new inputs need. Inputs
come from `hflint.task_inputs`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import libcst as cst

from hflint import task_inputs as ti
from hflint.analysis.task_policy import current_entry
from hflint.analysis.tasks import PipelineCall, PipeUse, TaskAnalysis, TaskLiteral
from hflint.analysis.testclass import module_aliases, module_level_names
from hflint.catalog import Catalog
from hflint.edits.module_statements import (
    Statement,
    insert_imports_last,
    is_guarded_import,
    parse_statement,
)

NodeT = TypeVar("NodeT", bound=cst.CSTNode)
Edit = Callable[[cst.CSTNode], cst.CSTNode]
_NO_SPACE = cst.SimpleWhitespace("")


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


def _becomes(replacement: cst.CSTNode) -> Edit:
    """An edit that puts `replacement` where the node was."""
    return lambda _updated: replacement


class TaskEditor:
    """Edits planned on one module, keyed by the original node each replaces."""

    def __init__(self, module: cst.Module, analysis: TaskAnalysis) -> None:
        self.module = module
        self.analysis = analysis
        self._edits: dict[cst.CSTNode, list[Edit]] = {}
        # Import statement -> the name it binds.
        self._imports: dict[str, str] = {}
        self._aliases = module_aliases(module)
        self._bound = module_level_names(module)

    @property
    def changed(self) -> bool:
        return bool(self._edits)

    def set_literal(self, literal: TaskLiteral, value: str) -> None:
        """Replace a string literal (a task) with `value`, in the same quotes."""
        replacement = literal_like(literal, value)
        self._edits.setdefault(literal, []).append(lambda _updated: replacement)

    def set_task(self, call: PipelineCall, value: str) -> None:
        """Write the task `value` where the call's task is written (its task argument, or the
        `"task"` entries of the dict it unpacks: a task passed through `**kwargs` is there, and a
        second one would be a `TypeError`), or as a new first argument when it has none."""
        for original in call.task_written:
            replacement = literal_like(
                original if isinstance(original, cst.SimpleString) else cst.SimpleString('""'),
                value,
            )
            self._edits.setdefault(original, []).append(_becomes(replacement))
        if call.task_written:
            return
        argument = cst.Arg(cst.SimpleString(f'"{value}"'))

        def prepend(updated: cst.CSTNode) -> cst.CSTNode:
            assert isinstance(updated, cst.Call)
            return updated.with_changes(args=[argument, *updated.args])

        self._edits.setdefault(call.node, []).append(prepend)

    def adapt_uses(
        self, call: PipelineCall, entry: ti.TaskInput, previous: ti.TaskInput | None
    ) -> None:
        """Make every use of the call's pipeline fit the task `entry` describes."""
        for use in call.uses:
            plan = plan_use(self.analysis, use, entry, previous)
            if plan.changes:
                self.edit_use(call, use, entry, plan)

    def edit_use(
        self, call: PipelineCall, use: PipeUse, entry: ti.TaskInput, plan: UsePlan
    ) -> None:
        new_input = self.new_input(call, use, entry) if plan.replace_input else None
        original_args = list(use.node.args)
        arg = use.input
        index = next((i for i, a in enumerate(original_args) if a is arg), None)
        keywords = dict(entry.keywords)
        added = [
            cst.Arg(
                cst.parse_expression(keywords[name]),
                keyword=cst.Name(name),
                equal=cst.AssignEqual(whitespace_before=_NO_SPACE, whitespace_after=_NO_SPACE),
            )
            for name in plan.add
            if name in keywords
        ]
        last_comma = original_args[-1].comma if original_args else cst.MaybeSentinel.DEFAULT
        if new_input is None and not plan.drop and not added:
            return

        def edit(updated: cst.CSTNode) -> cst.CSTNode:
            assert isinstance(updated, cst.Call)
            args = list(updated.args)
            if new_input is not None:
                if index is None:
                    args.insert(0, cst.Arg(new_input))
                else:
                    args[index] = args[index].with_changes(value=new_input)
            args = [a for a in args if a.keyword is None or a.keyword.value not in plan.drop]
            if args and args[-1].comma != last_comma:
                args[-1] = args[-1].with_changes(comma=last_comma)
            return updated.with_changes(args=[*args, *added])

        self._edits.setdefault(use.node, []).append(edit)

    def new_input(
        self, call: PipelineCall, use: PipeUse, entry: ti.TaskInput
    ) -> cst.BaseExpression | None:
        """An attribute of the class holding a fitting input, else the table's canonical one."""
        attribute = reusable_attribute(self.analysis, use, entry)
        if attribute is not None:
            return cst.Attribute(cst.Name("self"), cst.Name(attribute))
        if not can_build_input(call, entry):
            return None
        source = entry.args[0]
        names = {name: self._name_for(name) for name in ti.names_used([source])}
        return ti.build_expression(source, pipe=call.binding, names=names)

    def _name_for(self, name: str) -> str:
        """How the file can refer to the module an input uses (importing it when it cannot)."""
        statement, module = ti.IMPORTS[name]
        alias = self._aliases.get(module)
        if alias is not None:
            return alias
        if name not in self._bound:
            self._imports[statement] = name
            self._bound.add(name)
            self._aliases[module] = name
            return name
        self._imports[f"import {module}"] = module.split(".")[0]
        self._aliases[module] = module
        return module

    def apply(self, original: cst.CSTNode, updated: NodeT) -> NodeT:
        result: cst.CSTNode = updated
        for edit in self._edits.get(original, ()):
            result = edit(result)
        return result  # type: ignore[return-value]

    def finish(self, module: cst.Module) -> cst.Module:
        """Add the imports the new inputs need after the file's own, guarded like them when the
        file guards its optional imports (`try: ... except ImportError: x = MagicMock()`)."""
        if not self._imports:
            return module
        guarded = "MagicMock" in self._bound and any(is_guarded_import(s) for s in module.body)
        added: list[Statement] = []
        for statement, bound in self._imports.items():
            if guarded:
                source = f"try:\n    {statement}\nexcept ImportError:\n    {bound} = MagicMock()\n"
                added.append(parse_statement(source).with_changes(leading_lines=[cst.EmptyLine()]))
            else:
                added.append(parse_statement(statement))
        return insert_imports_last(module, added)

    def feed_mask_token(
        self, use: PipeUse, holder: cst.BaseExpression, markers: Sequence[str]
    ) -> None:
        """Make the text `use` feeds its pipeline carry the pipeline tokenizer's mask token where
        it wrote `markers`: a literal written at the use becomes an f-string reading
        `<holder>.tokenizer.mask_token`; any other input gets `.replace(marker, ...)` at the use,
        so what it holds elsewhere stays as it was."""
        arg = use.input
        assert arg is not None
        token = cst.parse_expression(f"{self.module.code_for_node(holder)}.tokenizer.mask_token")
        value = arg.value
        replacement: cst.BaseExpression | None = _masked_literal(self.module, value, markers, token)
        if replacement is None:
            replacement = (
                value if value.lpar or isinstance(value, _TIGHT) else _parenthesized(value)
            )
            for marker in markers:
                replacement = cst.Call(
                    cst.Attribute(replacement, cst.Name("replace")),
                    [cst.Arg(cst.SimpleString(f'"{marker}"')), cst.Arg(token)],
                )
        self._edits.setdefault(value, []).append(_becomes(replacement))


# Expressions `.replace(...)` can follow without parentheses.
_TIGHT = (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.SimpleString, cst.FormattedString)


def _masked_literal(
    module: cst.Module, value: cst.BaseExpression, markers: Sequence[str], token: cst.BaseExpression
) -> cst.FormattedString | None:
    """`"The <mask> sat."` as `f"The {token} sat."`; None for anything but a plain string
    literal (bytes, raw or already formatted strings, concatenations)."""
    if not isinstance(value, cst.SimpleString) or value.prefix.lower() not in ("", "u"):
        return None
    quote = value.quote
    inner = value.value[len(value.prefix) + len(quote) : -len(quote)]
    expression = "{" + module.code_for_node(token) + "}"
    text = inner.replace("{", "{{").replace("}", "}}")
    for marker in markers:
        text = text.replace(marker, expression)
    formatted = cst.parse_expression(f"f{quote}{text}{quote}")
    assert isinstance(formatted, cst.FormattedString)
    return formatted


def _parenthesized(value: cst.BaseExpression) -> cst.BaseExpression:
    return value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
