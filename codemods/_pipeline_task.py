"""What the pipeline-task fixes (HF201-HF205) share.

Each fix analyses the module with `hflint.analysis.tasks` (the analysis the rules use), plans edits keyed by
the original nodes they replace (a task literal, a task argument, the arguments of a call feeding
the pipeline), and applies them as LibCST leaves those nodes. Nothing else in the file changes,
apart from an import the new inputs need. Inputs come from `hflint.task_inputs`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

import libcst as cst
from hflint.codemods import skeletons
from libcst.codemod import CodemodContext, SkipFile, VisitorBasedCodemodCommand

from hflint import task_inputs as ti
from hflint.analysis.tasks import PipelineCall, PipeUse, TaskAnalysis, TaskLiteral, analyze
from hflint.analysis.testclass import module_level_names
from hflint.catalog import Catalog, ModelEntry, catalog_in
from hflint.edits.tasks import UsePlan, can_build_input, literal_like, plan_use, reusable_attribute

NodeT = TypeVar("NodeT", bound=cst.CSTNode)
Edit = Callable[[cst.CSTNode], cst.CSTNode]
_NO_SPACE = cst.SimpleWhitespace("")


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
        """Write the task `value` at the call: as the task argument's value, or as a new first
        argument."""
        if call.task_arg is not None:
            original = call.task_arg.value
            replacement = literal_like(
                original if isinstance(original, cst.SimpleString) else cst.SimpleString('""'),
                value,
            )
            self._edits.setdefault(original, []).append(lambda _updated: replacement)
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
        body: list[cst.BaseStatement] = list(module.body)
        guarded = "MagicMock" in self._bound and any(_is_guarded_import(s) for s in body)
        added: list[cst.BaseStatement] = []
        for statement, bound in self._imports.items():
            if guarded:
                source = f"try:\n    {statement}\nexcept ImportError:\n    {bound} = MagicMock()\n"
                added.append(
                    cst.parse_statement(source).with_changes(leading_lines=[cst.EmptyLine()])
                )
            else:
                added.append(cst.parse_statement(statement))
        position = max(
            (i + 1 for i, s in enumerate(body) if _is_import(s) or _is_guarded_import(s)),
            default=_docstring_end(body),
        )
        if not guarded and position and isinstance(body[position - 1], cst.Try):
            added[0] = added[0].with_changes(leading_lines=[cst.EmptyLine()])
        following = body[position] if position < len(body) else None
        if (
            isinstance(following, (cst.SimpleStatementLine, cst.BaseCompoundStatement))
            and not _is_import(following)
            and not following.leading_lines
        ):
            # The first imports of the file: a blank line between them and the code.
            body[position] = following.with_changes(leading_lines=[cst.EmptyLine()])
        body[position:position] = added
        return module.with_changes(body=body)


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
        model = catalog.resolve(model_name)
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


def _is_import(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
    )


def _is_guarded_import(statement: cst.CSTNode) -> bool:
    """`try: import x ... except ImportError: ...` at module level."""
    return (
        isinstance(statement, cst.Try)
        and isinstance(statement.body, cst.IndentedBlock)
        and any(_is_import(s) for s in statement.body.body)
    )


def _docstring_end(body: Sequence[cst.CSTNode]) -> int:
    first = body[0] if body else None
    if (
        isinstance(first, cst.SimpleStatementLine)
        and isinstance(first.body[0], cst.Expr)
        and isinstance(first.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    ):
        return 1
    return 0


def module_aliases(module: cst.Module) -> dict[str, str]:
    """Module (or `module.name` for `from` imports) -> how the file refers to it, for imports at
    module level, guarded ones included (`import numpy as np` -> numpy: np)."""
    aliases: dict[str, str] = {}
    for small in _module_small_statements(module.body):
        if isinstance(small, cst.Import):
            for alias in small.names:
                dotted = _dotted(alias.name)
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    aliases.setdefault(dotted, alias.asname.name.value)
                else:
                    aliases.setdefault(dotted, dotted)
        elif (
            isinstance(small, cst.ImportFrom)
            and small.module is not None
            and not small.relative
            and not isinstance(small.names, cst.ImportStar)
        ):
            base = _dotted(small.module)
            for alias in small.names:
                bound = alias.asname.name if alias.asname is not None else alias.name
                if isinstance(bound, cst.Name):
                    aliases.setdefault(f"{base}.{_dotted(alias.name)}", bound.value)
    return aliases


def _module_small_statements(statements: Sequence[cst.CSTNode]) -> Iterator[cst.BaseSmallStatement]:
    for statement in statements:
        if isinstance(statement, cst.SimpleStatementLine):
            yield from statement.body
        elif isinstance(statement, (cst.If, cst.Try, cst.With)):
            for block in _blocks(statement):
                yield from _module_small_statements(block)


def _blocks(statement: cst.CSTNode) -> Iterator[Sequence[cst.CSTNode]]:
    """The statement lists of a compound statement and of its elif/else/except/finally parts."""
    body = getattr(statement, "body", None)
    if isinstance(body, cst.IndentedBlock):
        yield body.body
    parts: list[cst.CSTNode] = []
    if isinstance(statement, cst.Try):
        parts.extend(statement.handlers)
        parts.extend(p for p in (statement.orelse, statement.finalbody) if p is not None)
    elif isinstance(statement, cst.If) and statement.orelse is not None:
        parts.append(statement.orelse)
    for part in parts:
        yield from _blocks(part)


def _dotted(node: cst.CSTNode) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""
