"""Canonical test-file skeletons, and taking pieces of them into files.

A skeleton is a valid Python file (so it is parsed, linted and formatted like any other) whose
placeholders are ordinary identifiers and strings, filled by a LibCST transformation
(`hflint.codemods.fill_skeleton`), never by string templating, so a filled skeleton always parses.
There are two: `pipeline.py`, which runs the model through its task's pipeline, and `direct.py`.
The model's task decides its family (`family_for`), and the family what the pipeline skeleton
loads besides the model (a tokenizer, an image processor, a processor, a feature extractor):

- `text`: tasks that read text (fill-mask, text-generation, text-classification, zero-shot
  classification, table question answering, text-to-audio...), with a tokenizer;
- `vision`: tasks that read images alone (image classification, object detection, segmentation,
  depth estimation, mask generation, keypoint matching...), with an image processor;
- `multimodal`: tasks that read images with text, or several modalities (zero-shot image
  classification and object detection, document question answering, image-text-to-text,
  any-to-any), with a processor;
- `audio`: tasks that read waveforms (speech recognition, audio classification, zero-shot audio
  classification), with a feature extractor;
- `direct`: the model built directly, not through a pipeline: for tasks with no input that can be
  made in memory (video classification, decision) and for models whose only pipeline is the
  generic feature extractor, which says nothing of what they read.

`hflint generate` writes whole filled skeletons. When a fix takes one piece of one (a method, the
class, `main`), the module-level definitions that piece uses and the target file lacks (imports,
`select_device`...) come with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources

import libcst as cst
from hflint.codemods.fill_skeleton import (
    FAMILIES,
    FillPlaceholders,
    family_for,
    filling_for,
    model_name_for,
    placeholder_paths,
)

from hflint.analysis.testclass import main_guards, module_level_names
from hflint.catalog import Catalog

__all__ = [
    "FAMILIES",
    "definition",
    "entry_guard",
    "family_for",
    "filled_skeleton",
    "insert_before_entry",
    "insert_support",
    "method",
    "model_name_for",
    "skeleton_source",
    "support_for",
    "test_class",
]

# What a module body holds.
Statement = cst.SimpleStatementLine | cst.BaseCompoundStatement


@cache
def skeleton_source(family: str) -> str:
    """The skeleton a family's files are filled from."""
    if family not in FAMILIES:
        raise ValueError(f"no skeleton for the family {family!r} (one of {', '.join(FAMILIES)})")
    name = "direct" if family == "direct" else "pipeline"
    return resources.files(__name__).joinpath(f"{name}.py").read_text(encoding="utf-8")


@cache
def filled_skeleton(
    model_name: str,
    catalog: Catalog,
    *,
    class_name: str | None = None,
    model_id: str | None = None,
    task: str | None = None,
) -> cst.Module:
    """The skeleton of `model_name`'s family, filled for it: the model resolved through the catalog
    (any spelling), its default task unless `task` is given, with that task's input and auto class,
    and its test class named `class_name` when given."""
    model = catalog.resolve(model_name)
    filling = filling_for(
        model_name, model, catalog, class_name=class_name, model_id=model_id, task=task
    )
    module, within = _parsed(filling.family)
    return module.visit(FillPlaceholders(filling, within))


@cache
def _parsed(family: str) -> tuple[cst.Module, frozenset[cst.CSTNode]]:
    """A family's skeleton, parsed once (trees are immutable), and the paths to its placeholders."""
    module = cst.parse_module(skeleton_source(family))
    return module, placeholder_paths(module)


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
