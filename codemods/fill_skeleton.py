"""Fill a canonical skeleton's placeholders for one model type, from the catalog.

A skeleton (`codemods/skeletons/pipeline.py`, or the `direct` one `skeletons.skeleton_source`
composes from it) is a valid Python file whose placeholders are identifiers and strings:

- `TestSkeletonModels`, the test class; `SKELETON_MODELS_REGISTRY`, the registry constant;
- `AutoSkeletonModel`, the task's auto class (`transformers.AutoSkeletonModel`, and as a string in
  the registry);
- `AutoSkeletonPreprocessor` and `skeleton_preprocessor`, what the task's family loads besides
  the model (`AutoTokenizer` and `tokenizer` for a text task, `AutoImageProcessor`...);
- `"skeleton-model-id"`, the default hub id; `"skeleton-task"`, the pipeline task;
- `pipe("skeleton-input")`, the pipeline call, whose arguments become the task's canonical test
  input from `hflint.task_inputs` (with the imports that input needs, inside the same method).

Filling them is this LibCST transformation, never string templating, so a filled skeleton always
parses. `hflint generate` and every fix that takes a piece of a skeleton use it (through
`skeletons.filled_skeleton`); on its own it fills a copy of a skeleton for the model its file name
gives:

    cp codemods/skeletons/pipeline.py test_hf_bert.py
    python -m libcst.tool codemod fill_skeleton.FillSkeletonCommand test_hf_bert.py
"""

from __future__ import annotations

import argparse
from collections.abc import Set
from dataclasses import dataclass

import libcst as cst
from libcst.codemod import CodemodContext, SkipFile, VisitorBasedCodemodCommand

from hflint import task_inputs as ti
from hflint.analysis.modelrefs import (
    documented_checkpoint,
    expected_registry_name,
    respelled_export,
)
from hflint.catalog import Catalog, ModelEntry, catalog_in
from hflint.edits.module_statements import docstring_end
from hflint.naming import (
    class_stem,
    expected_class_name,
    model_name_from_path,
    resolve_model_name,
)

PLACEHOLDER_CLASS = "TestSkeletonModels"
PLACEHOLDER_REGISTRY = "SKELETON_MODELS_REGISTRY"
PLACEHOLDER_AUTO_CLASS = "AutoSkeletonModel"
PLACEHOLDER_PREPROCESSOR_CLASS = "AutoSkeletonPreprocessor"
PLACEHOLDER_PREPROCESSOR = "skeleton_preprocessor"
PLACEHOLDER_MODEL_ID = "skeleton-model-id"
PLACEHOLDER_TASK = "skeleton-task"
PLACEHOLDER_INPUT = "skeleton-input"
_PLACEHOLDER_NAMES = frozenset(
    {
        PLACEHOLDER_CLASS,
        PLACEHOLDER_REGISTRY,
        PLACEHOLDER_AUTO_CLASS,
        PLACEHOLDER_PREPROCESSOR_CLASS,
        PLACEHOLDER_PREPROCESSOR,
    }
)
_PLACEHOLDER_STRINGS = frozenset(
    {PLACEHOLDER_MODEL_ID, PLACEHOLDER_TASK, PLACEHOLDER_AUTO_CLASS, PLACEHOLDER_INPUT}
)
# What a model the catalog does not know (or that has no pipeline task) is tested with.
FALLBACK_TASK = "feature-extraction"
FALLBACK_AUTO_CLASS = "AutoModel"
# A registry constant when the model name gives none (HF404 does not take it for a registry).
FALLBACK_REGISTRY = "MODELS_REGISTRY"
# The project's line length (ruff's): longer pipeline calls get one argument per line.
LINE_LENGTH = 100
INDENT = "    "  # the skeletons' indentation unit

# Task families: what a task's pipeline reads decides what a test loads besides the model.
FAMILIES = ("text", "vision", "multimodal", "audio", "direct")
# (auto class, variable) of what each pipeline family loads besides the model.
PREPROCESSORS = {
    "text": ("AutoTokenizer", "tokenizer"),
    "vision": ("AutoImageProcessor", "image_processor"),
    "multimodal": ("AutoProcessor", "processor"),
    "audio": ("AutoFeatureExtractor", "feature_extractor"),
}
# Pipelines that return hidden states whatever the model reads: alone, they say nothing of its input.
GENERIC_TASKS = frozenset({"feature-extraction", "image-feature-extraction"})
_BY_MODALITY = {
    ti.TEXT: "text",
    ti.TABLE: "text",
    ti.IMAGE: "vision",
    ti.AUDIO: "audio",
    ti.MULTIMODAL: "multimodal",
}


@dataclass(frozen=True)
class Filling:
    """What the placeholders become for one model."""

    class_name: str
    registry_name: str
    model_id: str
    task: str
    auto_class: str
    family: str  # one of FAMILIES: `direct` builds the model without a pipeline


def model_name_for(context: CodemodContext, explicit: str | None) -> str:
    """The model a codemod works for: given explicitly, else from the file name (as when run
    through `python -m libcst.tool codemod`)."""
    name = explicit or (model_name_from_path(context.filename) if context.filename else None)
    if not name:
        raise SkipFile("the file name gives no model (expected test_hf_<model>.py)")
    return name


def filling_for(
    model_name: str,
    model: ModelEntry | None,
    catalog: Catalog,
    *,
    class_name: str | None = None,
    model_id: str | None = None,
    task: str | None = None,
) -> Filling:
    """The filling for `model_name` (whose catalog entry is `model`, None when unknown): its default
    task unless `task` is given, that task's auto class, and the catalog's checkpoint unless
    `model_id` is given."""
    chosen_task = task or (model.default_task if model else None) or FALLBACK_TASK
    auto_class = (model.tasks.get(chosen_task) if model else None) or FALLBACK_AUTO_CLASS
    return Filling(
        class_name=class_name or expected_class_name(model_name),
        registry_name=expected_registry_name(model_name) or FALLBACK_REGISTRY,
        model_id=model_id or default_model_id(catalog, model, model_name),
        task=chosen_task,
        auto_class=auto_class,
        family=family_for(model, chosen_task),
    )


def family_for(model: ModelEntry | None, task: str) -> str:
    """The family that tests `task` for `model` (None: a model the catalog does not know, tested
    as a text model)."""
    entry = ti.task_input(task)
    if entry is None or not (entry.args or entry.keywords):
        return "direct"  # nothing to feed its pipeline can be made in memory
    if model is not None and task in GENERIC_TASKS and set(model.tasks) <= GENERIC_TASKS:
        return "direct"
    if entry.modality == ti.IMAGE and entry.required:
        return "multimodal"  # images with candidate labels or a question: read by a processor
    return _BY_MODALITY.get(entry.modality, "text")


def default_model_id(catalog: Catalog, model: ModelEntry | None, model_name: str) -> str:
    """The catalog's checkpoint for the model when it names the model (HF404 would reject another
    model's), else a hub id in the naming scheme of transformers' own tiny test models,
    `hf-internal-testing/tiny-random-<ModelClass>`, which no model type's name starts."""
    documented = documented_checkpoint(catalog, model) if model is not None else None
    if documented is not None:
        return documented
    stem = class_stem(model.model_type if model else model_name)
    # The model's own base class: `<Type>Model`, or the type itself for sub-model types
    # (`clip_text_model` -> `CLIPTextModel`), as transformers spells it where it exports one.
    guess = stem if stem.endswith("Model") else f"{stem}Model"
    own = guess if guess in catalog.exports else respelled_export(catalog, guess)
    return f"hf-internal-testing/tiny-random-{own or guess}"


def placeholder_paths(module: cst.Module) -> frozenset[cst.CSTNode]:
    """The nodes of `module` whose subtrees hold a placeholder: the only ones filling must descend
    into (a transformer rebuilds every node it passes, which costs more than parsing the file)."""
    found: set[cst.CSTNode] = set()

    def holds(node: cst.CSTNode) -> bool:
        inside = _is_placeholder(node)
        for child in node.children:
            inside = holds(child) or inside  # every child: each may hold one
        if inside:
            found.add(node)
        return inside

    holds(module)
    return frozenset(found)


def _is_placeholder(node: cst.CSTNode) -> bool:
    if isinstance(node, cst.Name):
        return node.value in _PLACEHOLDER_NAMES
    return isinstance(node, cst.SimpleString) and node.evaluated_value in _PLACEHOLDER_STRINGS


class FillPlaceholders(cst.CSTTransformer):
    """Replace every placeholder of a skeleton module with what `filling` says. With `within`
    (`placeholder_paths` of the module), only the nodes leading to placeholders are visited."""

    def __init__(self, filling: Filling, within: Set[cst.CSTNode] | None = None) -> None:
        super().__init__()
        self.within = within
        preprocessor_class, preprocessor = PREPROCESSORS.get(filling.family, PREPROCESSORS["text"])
        self.names = {
            PLACEHOLDER_CLASS: filling.class_name,
            PLACEHOLDER_REGISTRY: filling.registry_name,
            PLACEHOLDER_AUTO_CLASS: filling.auto_class,
            PLACEHOLDER_PREPROCESSOR_CLASS: preprocessor_class,
            PLACEHOLDER_PREPROCESSOR: preprocessor,
        }
        self.strings = {
            PLACEHOLDER_MODEL_ID: filling.model_id,
            PLACEHOLDER_TASK: filling.task,
            PLACEHOLDER_AUTO_CLASS: filling.auto_class,
        }
        self.task = filling.task
        self.depth = 0  # indentation levels, for the length of the line a call is on
        self.pending_imports: list[str] = []  # what the input built in the current method needs

    def on_visit(self, node: cst.CSTNode) -> bool:
        # `visit_*` runs either way, so the indentation count stays balanced.
        descend = super().on_visit(node)
        return descend and (self.within is None or node in self.within)

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self.depth += 1

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        self.depth -= 1
        return updated_node

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        value = self.names.get(updated_node.value)
        return updated_node if value is None else updated_node.with_changes(value=value)

    def leave_SimpleString(
        self, original_node: cst.SimpleString, updated_node: cst.SimpleString
    ) -> cst.SimpleString:
        value = self.strings.get(str(updated_node.evaluated_value))
        if value is None:
            return updated_node
        quote = updated_node.quote
        return updated_node.with_changes(value=f"{updated_node.prefix}{quote}{value}{quote}")

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine:
        """A statement holding the input call (`output = pipe(...)`) gets the task's input, on one
        line when it fits and one argument per line when it does not."""
        call = _input_call(original_node)
        if call is None:
            return updated_node
        entry = ti.task_input(self.task)
        if entry is None or not (entry.args or entry.keywords):
            raise ValueError(f"the {self.task} task has no input made in memory to fill in")
        arguments = _input_arguments(entry, call.func)
        self.pending_imports += ti.names_used([*entry.args, *(v for _, v in entry.keywords)])
        filled = _with_arguments(updated_node, arguments)
        width = len(INDENT) * self.depth + len(cst.Module([]).code_for_node(filled).rstrip("\n"))
        if width <= LINE_LENGTH:
            return filled
        return _with_arguments(updated_node, _one_per_line(arguments))

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        """The imports the filled input needs go first in its method (after the docstring), so the
        file imports without PIL or numpy installed."""
        if not self.pending_imports or not isinstance(updated_node.body, cst.IndentedBlock):
            return updated_node
        imports = [cst.parse_statement(ti.IMPORTS[name][0]) for name in self.pending_imports]
        self.pending_imports = []
        body = list(updated_node.body.body)
        start = docstring_end(body)
        body[start:start] = imports
        return updated_node.with_changes(body=updated_node.body.with_changes(body=body))


def _input_call(statement: cst.SimpleStatementLine) -> cst.Call | None:
    """The `pipe("skeleton-input")` call of `output = pipe("skeleton-input")`, if that is the
    statement."""
    small = statement.body[0] if len(statement.body) == 1 else None
    value = small.value if isinstance(small, (cst.Assign, cst.Expr)) else None
    if (
        isinstance(value, cst.Call)
        and len(value.args) == 1
        and isinstance(value.args[0].value, cst.SimpleString)
        and value.args[0].value.evaluated_value == PLACEHOLDER_INPUT
    ):
        return value
    return None


def _input_arguments(entry: ti.TaskInput, pipe: cst.BaseExpression) -> list[cst.Arg]:
    """The task's canonical call arguments, `PIPE` bound to the pipeline object `pipe`."""
    no_space = cst.SimpleWhitespace("")
    arguments = [cst.Arg(value=_expression(source, pipe)) for source in entry.args]
    arguments += [
        cst.Arg(
            keyword=cst.Name(name),
            value=_expression(source, pipe),
            equal=cst.AssignEqual(whitespace_before=no_space, whitespace_after=no_space),
        )
        for name, source in entry.keywords
    ]
    return arguments


def _expression(source: str, pipe: cst.BaseExpression) -> cst.BaseExpression:
    # The skeleton imports the input's modules under their own names (`Image`, `numpy`). An input
    # laid out on several lines never fits on one, so it goes one level in with the call's other
    # arguments; the block's own indentation is added when the code is written.
    source = source.replace("\n", "\n" + INDENT)
    expression = ti.build_expression(source, pipe=pipe, names={})
    assert expression is not None, "the pipeline object is bound, so every input can be built"
    return expression


def _one_per_line(arguments: list[cst.Arg]) -> list[cst.Arg]:
    """Each argument on its own line, one level in, with a trailing comma (as ruff lays out a call
    that does not fit, and keeps it)."""

    def line_break(indent: str) -> cst.ParenthesizedWhitespace:
        return cst.ParenthesizedWhitespace(
            first_line=cst.TrailingWhitespace(),
            indent=True,
            last_line=cst.SimpleWhitespace(indent),
        )

    last = len(arguments) - 1
    return [
        argument.with_changes(
            comma=cst.Comma(whitespace_after=line_break("" if index == last else INDENT))
        )
        for index, argument in enumerate(arguments)
    ]


def _with_arguments(
    statement: cst.SimpleStatementLine, arguments: list[cst.Arg]
) -> cst.SimpleStatementLine:
    """The input statement with `arguments` in its call, which starts on a line of its own when
    they are one per line."""
    exploded = isinstance(arguments[-1].comma, cst.Comma)
    opening = (
        cst.ParenthesizedWhitespace(
            first_line=cst.TrailingWhitespace(), indent=True, last_line=cst.SimpleWhitespace(INDENT)
        )
        if exploded
        else cst.SimpleWhitespace("")
    )
    small = statement.body[0]
    assert isinstance(small, (cst.Assign, cst.Expr)) and isinstance(small.value, cst.Call)
    new_call = small.value.with_changes(args=arguments, whitespace_before_args=opening)
    return statement.with_changes(body=[small.with_changes(value=new_call)])


class FillSkeletonCommand(VisitorBasedCodemodCommand):
    DESCRIPTION = "Fill a copy of an hflint skeleton for the model its file name gives."

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument("--model-name", dest="model_name", help="default: from the file")
        arg_parser.add_argument("--model-id", dest="model_id", help="default: from the catalog")
        arg_parser.add_argument("--task", dest="task", help="default: the model's default task")

    def __init__(
        self,
        context: CodemodContext,
        model_name: str | None = None,
        model_id: str | None = None,
        task: str | None = None,
    ) -> None:
        super().__init__(context)
        self.model_name = model_name
        self.model_id = model_id
        self.task = task

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        name = model_name_for(self.context, self.model_name)
        catalog = catalog_in(self.context.scratch)
        filling = filling_for(
            name,
            resolve_model_name(catalog, name).entry,
            catalog,
            model_id=self.model_id,
            task=self.task,
        )
        return updated_node.visit(FillPlaceholders(filling))
