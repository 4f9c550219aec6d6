"""Canonical test-file skeletons, and taking pieces of them into files.

A skeleton is a valid Python file (so it is parsed, linted and formatted like any other) whose
placeholders are ordinary identifiers and strings, filled by a LibCST transformation
(`hflint.codemods.fill_skeleton`), never by string templating, so a filled skeleton always parses.
There are two: `pipeline.py`, which runs the model through its task's pipeline, and `direct`, which
builds it directly: `pipeline.py` with the module docstring and the tests that `direct.py` holds
(all it holds, so that the rest cannot drift apart). The model's task decides its family
(`family_for`), and the family what the pipeline skeleton loads besides the model (a tokenizer, an
image processor, a processor, a feature extractor):

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
`select_device`...) come with it (`hflint.edits.module_statements.support_for`).
"""

from __future__ import annotations

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

from hflint.analysis.testclass import class_methods, main_guards
from hflint.catalog import Catalog
from hflint.naming import resolve_model_name

__all__ = [
    "FAMILIES",
    "entry_guard",
    "family_for",
    "filled_skeleton",
    "method",
    "model_name_for",
    "skeleton_source",
    "test_class",
]


@cache
def skeleton_source(family: str) -> str:
    """The skeleton a family's files are filled from."""
    if family not in FAMILIES:
        raise ValueError(f"no skeleton for the family {family!r} (one of {', '.join(FAMILIES)})")
    pipeline = _read("pipeline")
    if family != "direct":
        return pipeline
    return _with_parts_of(cst.parse_module(pipeline), cst.parse_module(_read("direct"))).code


def _read(name: str) -> str:
    return resources.files(__name__).joinpath(f"{name}.py").read_text(encoding="utf-8")


def _with_parts_of(whole: cst.Module, parts: cst.Module) -> cst.Module:
    """`whole` with the module docstring of `parts` and the methods its class defines, each in the
    place and layout of the one it replaces."""
    replacements = class_methods(test_class(parts))
    whole_class = test_class(whole)
    assert isinstance(whole_class.body, cst.IndentedBlock), "a skeleton's class has a body"
    members = [
        replacements[m.name.value].with_changes(leading_lines=m.leading_lines)
        if isinstance(m, cst.FunctionDef) and m.name.value in replacements
        else m
        for m in whole_class.body.body
    ]
    new_class = whole_class.with_changes(body=whole_class.body.with_changes(body=members))
    body = [new_class if s is whole_class else s for s in whole.body]
    return whole.with_changes(body=[parts.body[0], *body[1:]])


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
    model = resolve_model_name(catalog, model_name).entry
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


def test_class(skeleton: cst.Module) -> cst.ClassDef:
    for statement in skeleton.body:
        if isinstance(statement, cst.ClassDef):
            return statement
    raise KeyError("the skeleton has no class")


def method(skeleton: cst.Module, name: str) -> cst.FunctionDef:
    found = class_methods(test_class(skeleton)).get(name)
    if found is None:
        raise KeyError(f"the skeleton's class has no method {name!r}")
    return found


def entry_guard(skeleton: cst.Module) -> cst.If:
    return next(main_guards(skeleton))
