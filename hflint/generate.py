"""`hflint generate`: write test files for model types, from the canonical skeletons.

Each model type gets one file, `test_hf_<model type>.py` with every character an identifier cannot
hold as `_` (`naming.canonical_file_name`), however the model was named on the command line: names
resolve through the catalog. A file is the skeleton of its model's family filled for it
(`codemods.skeletons.filled_skeleton`, the pieces HF101/HF103/HF104 fixes also take), and it is
linted with every rule before anything is written: a request whose files would not all pass writes
nothing. Regenerating an existing file (`force`) keeps its model id and the extra `test_*` methods
of its test class.

Planning, checking and writing are separate steps (`plan`, `lint_failures`, `write`), so a dry run
is a plan that is checked and not written.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from hflint.analysis.modelrefs import default_ids, module_assignments, registries
from hflint.analysis.testclass import class_methods, find_test_class
from hflint.catalog import PRIORITY_LEVELS, Catalog, ModelEntry
from hflint.codemods import skeletons
from hflint.coverage import measure
from hflint.diagnostics import Diagnostic
from hflint.discovery import discover
from hflint.edits.module_statements import insert_support, support_for
from hflint.naming import canonical_file_name, expected_class_name, model_name_from_path
from hflint.project import check_texts
from hflint.rule import all_rules
from hflint.runner import display_path
from hflint.salvage import salvaged_module
from hflint.settings import Settings
from hflint.source import SourceError, in_line_endings_of, read_source, write_atomic

EXIT_LINT, EXIT_USAGE = 1, 2
# What a model name may be made of; anything else is refused before the catalog is asked, so that
# no name can reach the file system. (The file name itself always comes from the catalog.)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


class GenerateError(Exception):
    """A request that cannot be carried out; nothing was written."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class Request:
    names: tuple[str, ...]
    output_dir: Path
    priorities: tuple[str, ...] = ()
    all_models: bool = False  # every catalog type with a pipeline task
    missing: bool = False  # only types no file in output_dir tests
    force: bool = False  # regenerate files that exist


@dataclass(frozen=True)
class Kept:
    """What a regenerated file keeps of the file it replaces."""

    source: str  # the file's display path
    model_id: str | None = None
    methods: tuple[cst.FunctionDef, ...] = ()
    module: cst.Module | None = None  # where the methods' module-level helpers come from
    problem: str | None = None  # why nothing could be kept


@dataclass(frozen=True)
class Planned:
    model: ModelEntry
    path: Path
    text: str
    overwrites: bool
    kept: Kept | None = None
    # Other files that test the same model type: left in place, and reported by HF502.
    duplicates: tuple[str, ...] = ()


@dataclass(frozen=True)
class Skipped:
    model: ModelEntry
    existing: tuple[str, ...]  # the files that already test it


@dataclass(frozen=True)
class Plan:
    files: tuple[Planned, ...]
    skipped: tuple[Skipped, ...] = field(default_factory=tuple)


def plan(request: Request, catalog: Catalog, settings: Settings) -> Plan:
    """What `request` writes, each file's text rendered; raises GenerateError (exit 2) for names
    that are unsafe, unknown or without a pipeline task, and when nothing is selected."""
    named = resolve_names(request.names, catalog)
    output_dir = request.output_dir
    if output_dir.exists() and not output_dir.is_dir():
        raise GenerateError(f"{output_dir} is not a directory")
    tested, covered = _existing(output_dir, settings, catalog)
    files: list[Planned] = []
    skipped: list[Skipped] = []
    for model in select(request, catalog, named, covered):
        target = output_dir / canonical_file_name(model.model_type)
        _check_inside(output_dir, target)
        existing = _existing_files(target, tested.get(model.model_type, ()))
        if existing and not request.force:
            skipped.append(Skipped(model, tuple(display_path(p) for p in existing)))
            continue
        kept = _kept(existing, target, catalog) if existing else None
        files.append(
            Planned(
                model=model,
                path=target,
                text=render(model, catalog, kept),
                overwrites=target.exists(),
                kept=kept,
                duplicates=tuple(display_path(p) for p in existing if p != target),
            )
        )
    return Plan(tuple(files), tuple(skipped))


def resolve_names(names: Iterable[str], catalog: Catalog) -> list[ModelEntry]:
    """The catalog entries of `names`; GenerateError naming every name that is unsafe, unknown
    (with the catalog's suggestions) or has no pipeline task."""
    found: list[ModelEntry] = []
    problems: list[str] = []
    for name in names:
        unsafe = unsafe_name(name)
        entry = None if unsafe else catalog.resolve(name)
        if unsafe:
            problems.append(f"refusing {name!r}: {unsafe}; give a model name such as gpt-j")
        elif entry is None:
            close = catalog.suggestions(name)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            problems.append(
                f"unknown model {name!r}{hint}; the catalog is that of transformers "
                f"{catalog.transformers_version}"
            )
        elif not entry.tasks:
            problems.append(
                f"{entry.model_type} has no pipeline task in transformers "
                f"{catalog.transformers_version}, so there is nothing to generate for it"
            )
        else:
            found.append(entry)
    if problems:
        raise GenerateError("\n".join(problems))
    return found


def unsafe_name(name: str) -> str | None:
    """Why `name` cannot be a model name (a path, a traversal...), or None when it can."""
    if "\0" in name:
        return "it holds a NUL character"
    if "/" in name or "\\" in name or os.path.isabs(name):
        return "it is a path, not a model name"
    if ".." in name:
        return "it holds `..`"
    if not _NAME.match(name):
        return "a model name holds only letters, digits, `-`, `_` and `.`"
    return None


def select(
    request: Request, catalog: Catalog, named: Sequence[ModelEntry], covered: set[str]
) -> list[ModelEntry]:
    """The models a request asks for, by model type: the named ones, those of the priorities,
    every one with `all_models` (or with `missing` alone); with `missing`, only those no file
    covers yet (coverage's view: a file that does not parse covers nothing)."""
    chosen = {entry.model_type: entry for entry in named}
    for level in request.priorities:
        if level not in PRIORITY_LEVELS:
            raise GenerateError(f"unknown priority {level!r} (one of {', '.join(PRIORITY_LEVELS)})")
        chosen.update((e.model_type, e) for e in catalog.by_priority(level) if e.tasks)
    everything = request.all_models or (request.missing and not named and not request.priorities)
    if everything:
        chosen.update((e.model_type, e) for e in catalog.models.values() if e.tasks)
    if not (named or request.priorities or everything):
        raise GenerateError(
            "nothing to generate: name models, or use --priority, --all or --missing"
        )
    if request.missing:
        chosen = {model_type: e for model_type, e in chosen.items() if model_type not in covered}
    return [chosen[model_type] for model_type in sorted(chosen)]


def render(model: ModelEntry, catalog: Catalog, kept: Kept | None = None) -> str:
    """The file for `model`: its family's skeleton filled for it, with what `kept` keeps."""
    model_name = model_name_from_path(canonical_file_name(model.model_type))
    assert model_name is not None, "a canonical file name always names its model"
    module = skeletons.filled_skeleton(
        model_name, catalog, model_id=kept.model_id if kept is not None else None
    )
    if kept is not None and kept.module is not None:
        module = _with_registry(module, kept.module)
        if kept.methods:
            module = _with_methods(module, kept.methods, kept.module)
    return module.code


def lint_failures(files: Sequence[Planned]) -> dict[str, list[Diagnostic]]:
    """The diagnostics of every rule on the planned files, linted together as one run (so
    whole-run rules see them all), by display path; only files that have some."""
    texts = {display_path(planned.path): planned.text for planned in files}
    found = check_texts(texts, list(all_rules().values()))
    return {path: diagnostics for path, diagnostics in found.items() if diagnostics}


def write(files: Sequence[Planned], output_dir: Path) -> None:
    output_dir.mkdir(parents=True, exist_ok=True)
    for planned in files:
        _check_inside(output_dir, planned.path)  # again: the directory may have changed since
        write_atomic(planned.path, planned.text.encode("utf-8"))


# --- existing files ---------------------------------------------------------------------------------


def _existing(
    output_dir: Path, settings: Settings, catalog: Catalog
) -> tuple[dict[str, tuple[Path, ...]], set[str]]:
    """The files of `output_dir` by the model type they test (any spelling of its name), and the
    model types a file that parses covers, as `hflint coverage` counts them."""
    if not output_dir.is_dir():
        return {}, set()
    found = discover([str(output_dir)], settings)
    report = measure(found.files, {file: str(file) for file in found.files}, catalog)
    tested = {
        model_type: tuple(Path(path) for path in paths)
        for model_type, paths in report.tested.items()
    }
    broken = set(report.broken)
    covered = {
        model_type
        for model_type, paths in report.tested.items()
        if any(path not in broken for path in paths)
    }
    return tested, covered


def _existing_files(target: Path, tested: Iterable[Path]) -> list[Path]:
    """The files that test the target's model: the target first when it exists (discovery may
    have left it out, by the include patterns or .gitignore), then its name variants."""
    files = [target] if target.exists() else []
    files += [path for path in tested if not _same_file(path, target)]
    return files


def _same_file(first: Path, second: Path) -> bool:
    return os.path.abspath(first) == os.path.abspath(second)


def _check_inside(output_dir: Path, target: Path) -> None:
    """Refuse a target that would land outside the output directory (through a link, say)."""
    if target.resolve().parent != output_dir.resolve():
        raise GenerateError(f"refusing to write {target}: it leads outside {output_dir}")


def _kept(existing: Sequence[Path], target: Path, catalog: Catalog) -> Kept:
    """What to keep of the file a regeneration replaces: the target itself when it exists, else
    the first name variant."""
    source = existing[0]
    shown = display_path(source)
    try:
        text = read_source(source).text
    except SourceError as error:
        return Kept(shown, problem=f"it cannot be read ({error})")
    return kept_of(text, shown, target, catalog)


def kept_of(text: str, shown: str, target: Path, catalog: Catalog) -> Kept:
    """What a regeneration of `target` keeps of `text` (the file `shown`): of a file that does not
    parse, what parses on its own (`hflint.salvage`)."""
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError:
        module = salvaged_module(text)
        if not module.body:
            return Kept(shown, problem="it does not parse")
    model_name = model_name_from_path(shown)
    expected = expected_class_name(model_name) if model_name else None
    return Kept(
        shown,
        model_id=_model_id(module, expected),
        methods=_extra_methods(module, expected, target, catalog),
        module=module,
    )


def regenerated(text: str, path: str, model: ModelEntry, catalog: Catalog) -> str:
    """The file `hflint generate --force` writes for `model` in place of `text`, the file at
    `path`, with what it keeps of it."""
    target = Path(path).with_name(canonical_file_name(model.model_type))
    rendered = render(model, catalog, kept_of(text, display_path(Path(path)), target, catalog))
    return in_line_endings_of(text, rendered)


def _model_id(module: cst.Module, expected_class: str | None) -> str | None:
    """The file's default checkpoint, else the first id of its registry."""
    defaults = default_ids(module, expected_class)
    if defaults:
        return defaults[0].value
    ids = [literal.value for registry in registries(module) for literal in registry.ids]
    return ids[0] if ids else None


def _extra_methods(
    module: cst.Module, expected_class: str | None, target: Path, catalog: Catalog
) -> tuple[cst.FunctionDef, ...]:
    """The `test_*` methods of the file's test class that the skeleton's class does not have."""
    test_class = find_test_class(module, expected_class)
    if test_class is None:
        return ()
    model_name = model_name_from_path(target)
    assert model_name is not None
    standard = class_methods(skeletons.test_class(skeletons.filled_skeleton(model_name, catalog)))
    return tuple(
        method
        for name, method in class_methods(test_class).items()
        if name.startswith("test_") and name not in standard
    )


def _with_registry(module: cst.Module, origin: cst.Module) -> cst.Module:
    """`module` with its registry's value replaced by that of `origin`'s registry of the same
    name, when `origin` has one (the checkpoints a suite lists for its model)."""
    kept = {registry.name: registry for registry in registries(origin)}
    replaced = {
        registry.target: kept[registry.name].target
        for registry in registries(module)
        if registry.name in kept
    }
    if not replaced:
        return module
    values = dict(module_assignments(origin))
    return module.visit(
        _RegistryValue({target: values[source] for target, source in replaced.items()})
    )


class _RegistryValue(cst.CSTTransformer):
    """Replace the value assigned to each of the given targets."""

    def __init__(self, values: dict[cst.Name, cst.BaseExpression]) -> None:
        super().__init__()
        self.values = values

    def leave_Assign(self, original: cst.Assign, updated: cst.Assign) -> cst.Assign:
        target = original.targets[0].target if len(original.targets) == 1 else None
        if isinstance(target, cst.Name) and target in self.values:
            return updated.with_changes(value=self.values[target])
        return updated


def _with_methods(
    module: cst.Module, methods: Sequence[cst.FunctionDef], origin: cst.Module
) -> cst.Module:
    """`module` with `methods` appended to its test class, and the module-level definitions of
    `origin` they use that `module` lacks (imports, helpers), as fixes take skeleton pieces."""
    test_class = skeletons.test_class(module)
    body = test_class.body
    assert isinstance(body, cst.IndentedBlock), "a skeleton's class has an indented body"
    extended = test_class.with_changes(body=body.with_changes(body=[*body.body, *methods]))
    module = module.with_changes(
        body=[extended if statement is test_class else statement for statement in module.body]
    )
    return insert_support(module, support_for(origin, methods, module))
