"""Canonical test-file skeletons, and taking pieces of them into existing files.

A skeleton is a valid Python file (so it is parsed, linted and type-checked like any other) whose
placeholders are ordinary identifiers and strings: `TestSkeletonModels` for the test class and
`"skeleton-model-id"` for the default model id. Filling them is a LibCST transformation, never string
templating, so a filled skeleton always parses.

When a fix takes one piece of a skeleton (a method, the class, `main`), the module-level definitions
that piece uses and the target file lacks (imports, `select_device`...) come with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources

import libcst as cst
from libcst.codemod import CodemodContext, SkipFile

from hflint.naming import class_stem, expected_class_name, model_name_from_path
from hflint.testclass import main_guards, module_level_names

PLACEHOLDER_CLASS = "TestSkeletonModels"
PLACEHOLDER_MODEL_ID = "skeleton-model-id"
DEFAULT_FAMILY = "generic"
# What a module body holds.
Statement = cst.SimpleStatementLine | cst.BaseCompoundStatement


@cache
def skeleton_source(family: str = DEFAULT_FAMILY) -> str:
    return resources.files(__name__).joinpath(f"{family}.py").read_text(encoding="utf-8")


def default_model_id(model_name: str) -> str:
    """A hub id in the naming scheme of transformers' own tiny test models."""
    return f"hf-internal-testing/tiny-random-{class_stem(model_name)}Model"


class _FillPlaceholders(cst.CSTTransformer):
    def __init__(self, class_name: str, model_id: str) -> None:
        super().__init__()
        self.class_name = class_name
        self.model_id = model_id

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        if updated_node.value == PLACEHOLDER_CLASS:
            return updated_node.with_changes(value=self.class_name)
        return updated_node

    def leave_SimpleString(
        self, original_node: cst.SimpleString, updated_node: cst.SimpleString
    ) -> cst.SimpleString:
        if updated_node.evaluated_value == PLACEHOLDER_MODEL_ID:
            quote = updated_node.quote
            return updated_node.with_changes(
                value=f"{updated_node.prefix}{quote}{self.model_id}{quote}"
            )
        return updated_node


@cache
def filled_skeleton(
    model_name: str,
    *,
    class_name: str | None = None,
    family: str = DEFAULT_FAMILY,
    model_id: str | None = None,
) -> cst.Module:
    """The skeleton filled for `model_name` (its test class named `class_name` when given)."""
    module = cst.parse_module(skeleton_source(family))
    filler = _FillPlaceholders(
        class_name or expected_class_name(model_name), model_id or default_model_id(model_name)
    )
    return module.visit(filler)


def model_name_for(context: CodemodContext, explicit: str | None) -> str:
    """The model a codemod works for: given explicitly, else from the file name (as when run
    through `python -m libcst.tool codemod`)."""
    name = explicit or (model_name_from_path(context.filename) if context.filename else None)
    if not name:
        raise SkipFile("the file name gives no model (expected test_hf_<model>.py)")
    return name


def definition(skeleton: cst.Module, name: str) -> Statement:
    """The skeleton's module-level statement that binds `name`."""
    for statement in skeleton.body:
        if name in _bound_names(statement):
            return statement
    raise KeyError(f"the skeleton defines no {name!r}")


def test_class(skeleton: cst.Module) -> cst.ClassDef:
    for statement in skeleton.body:
        if isinstance(statement, cst.ClassDef):
            return statement
    raise KeyError("the skeleton has no class")


def method(skeleton: cst.Module, name: str) -> cst.FunctionDef:
    for item in test_class(skeleton).body.body:
        if isinstance(item, cst.FunctionDef) and item.name.value == name:
            return item
    raise KeyError(f"the skeleton's class has no method {name!r}")


def entry_guard(skeleton: cst.Module) -> cst.If:
    return next(main_guards(skeleton))


def support_for(
    skeleton: cst.Module, pieces: Sequence[cst.CSTNode], target: cst.Module
) -> list[Statement]:
    """Module-level skeleton statements that `pieces` need (transitively) and `target` lacks."""
    defined = module_level_names(target)
    for piece in pieces:
        if isinstance(piece, (cst.FunctionDef, cst.ClassDef)):
            defined.add(piece.name.value)
    needed: list[Statement] = []
    pending = list(pieces)
    while pending:
        piece = pending.pop()
        for name in sorted(_used_names(piece)):
            if name in defined:
                continue
            try:
                statement = definition(skeleton, name)
            except KeyError:
                continue  # a local, a parameter or a builtin
            if statement not in needed:
                needed.append(statement)
                defined.update(_bound_names(statement))
                pending.append(statement)
    return needed


def insert_support(module: cst.Module, support: Iterable[Statement]) -> cst.Module:
    """Put imports after the module's last top-level import and definitions before its first class,
    function or entry guard, keeping the skeleton's order."""
    # Imports join the file's import block as it is laid out, without the skeleton's blank lines.
    imports = [s.with_changes(leading_lines=[]) for s in support if _is_import(s)]
    others = [s for s in support if not _is_import(s)]
    body = list(module.body)
    after_imports = max(
        (i + 1 for i, s in enumerate(body) if _is_import(s)), default=_docstring_end(body)
    )
    body[after_imports:after_imports] = imports
    first_definition = next(
        (
            i
            for i, s in enumerate(body)
            if i >= after_imports + len(imports)
            and (isinstance(s, (cst.ClassDef, cst.FunctionDef)) or s in list(main_guards(module)))
        ),
        len(body),
    )
    body[first_definition:first_definition] = others
    return module.with_changes(body=body)


def insert_before_entry(
    module: cst.Module, statements: Sequence[Statement], *, before: str
) -> cst.Module:
    """Insert statements before the top-level function `before` (often `main`), else before the
    entry guard, else at the end."""
    body = list(module.body)
    guards = list(main_guards(module))
    position = next(
        (
            i
            for i, s in enumerate(body)
            if isinstance(s, cst.FunctionDef) and s.name.value == before
        ),
        next((i for i, s in enumerate(body) if s in guards), len(body)),
    )
    body[position:position] = statements
    return module.with_changes(body=body)


def _docstring_end(body: list[Statement]) -> int:
    if body and isinstance(body[0], cst.SimpleStatementLine):
        first = body[0].body[0]
        if isinstance(first, cst.Expr) and isinstance(
            first.value, (cst.SimpleString, cst.ConcatenatedString)
        ):
            return 1
    return 0


def _is_import(statement: Statement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
    )


def _bound_names(statement: Statement) -> set[str]:
    return module_level_names(cst.Module(body=[statement]))


class _NameCollector(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)  # `x.attr`: only `x` is a name the module must provide
        return False


def _used_names(node: cst.CSTNode) -> set[str]:
    collector = _NameCollector()
    node.visit(collector)
    return collector.names
