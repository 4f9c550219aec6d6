"""The rule contract: what a rule module defines, and the registry rules join by being defined.

A rule is a class with a `code`, a kebab-case `name`, a docstring that is its documentation, a
`MESSAGE`, `VALID`/`INVALID` examples, and `visit_<Node>`/`leave_<Node>` methods (LibCST node class
names) that call `self.report(...)`. The engine visits each module once for all enabled rules.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

import libcst as cst

from hflint.catalog import CATALOG_KEY, Catalog, ModelEntry, load_catalog
from hflint.diagnostics import Applicability, RuleInfo
from hflint.naming import NameMatch, expected_class_name, model_name_from_path, resolve_model_name
from hflint.syntax import SyntaxProblem

if TYPE_CHECKING:  # the facts import the analysis, which rules import after this module
    from libcst.codemod import Codemod  # lint never loads the codemod machinery

    from hflint.analysis.facts import FileFacts

CODE_PATTERN = re.compile(r"^HF\d{3}$")
NAME_PATTERN = re.compile(r"^[a-z]+(-[a-z]+)*$")
SELECTOR_PATTERN = re.compile(r"^(hf\d{0,3}|all)$", re.IGNORECASE)
DOC_SECTIONS = ("## What it does", "## Why it matters", "## Example", "## Fix safety")


@dataclass(frozen=True)
class RuleContext:
    """What a rule may know about the file it checks. Read-only."""

    path: str
    model_name: str | None
    # The file's whole text (rules that hand it to the standard library's fast scanners need it).
    source: str = ""
    # The number of the file's last line, for diagnostics about something the file lacks.
    last_line: int = 1
    # What transformers knows: the catalog snapshot the run uses.
    catalog: Catalog = field(default_factory=load_catalog)

    @classmethod
    def for_text(cls, path: str, text: str, catalog: Catalog | None = None) -> RuleContext:
        lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
        return cls(
            path=path,
            model_name=model_name_from_path(path),
            source=text,
            last_line=max(1, lines),
            catalog=catalog if catalog is not None else load_catalog(),
        )

    @property
    def name_match(self) -> NameMatch | None:
        """What the file's model name means (`hflint.naming.resolve_model_name`); None for files
        outside the naming scheme."""
        if self.model_name is None:
            return None
        return resolve_model_name(self.catalog, self.model_name)

    @property
    def model(self) -> ModelEntry | None:
        """The catalog entry of the file's model, however its name is spelled and whatever variant
        suffix it carries (`gpt_j_standardized`); None if its name gives no model type."""
        match = self.name_match
        return None if match is None else match.entry

    @property
    def expected_class(self) -> str | None:
        """The test class the file must define (named for the model name less its variant suffix:
        `TestGptJModels` in `test_hf_gpt_j_standardized.py`), or None when its name gives no
        model."""
        match = self.name_match
        return None if match is None else expected_class_name(match.stem)


@dataclass(frozen=True)
class Valid:
    """Code the rule must accept, checked as if it were the file at `path`.

    `neighbours` are other (path, code) files of the same run, for rules that compare files.
    """

    code: str
    path: str = "test_hf_bert.py"
    neighbours: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Invalid:
    """Code the rule must report; `fixed` is the whole file after its fixes, when the rule has one.

    `count` is the number of diagnostics expected; `neighbours` as for `Valid`.
    """

    code: str
    path: str = "test_hf_bert.py"
    fixed: str | None = None
    count: int = 1
    neighbours: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class CodemodFix:
    """A fix expressed as a LibCST codemod applied to the whole module.

    `command` names the codemod as `<module>.<Class>` inside `hflint.codemods`. It is imported only
    when the fix is applied: linting never pays for LibCST's codemod machinery (a third of a
    single-file run's start-up). The fixer runs it on the tree the lint parsed, descending only into
    the nodes it has handlers for (`hflint.transform`); a codemod with a generic `on_visit` or
    `on_leave` says which nodes those replace through `nodes_to_replace()`, or gets a full pass.
    """

    title: str
    applicability: Applicability
    command: str
    arguments: Mapping[str, Any] = field(default_factory=dict)

    def codemod(self, path: str, catalog: Catalog) -> Codemod:
        """A new instance of the codemod, for the file at `path`."""
        from libcst.codemod import CodemodContext

        module_name, _, class_name = self.command.rpartition(".")
        command = getattr(importlib.import_module(f"hflint.codemods.{module_name}"), class_name)
        context = CodemodContext(filename=path, scratch={CATALOG_KEY: catalog})
        codemod: Codemod = command(context, **self.arguments)
        return codemod

    def apply(self, module: cst.Module, path: str, catalog: Catalog) -> cst.Module:
        """The codemod's result on `module`, a tree straight from the parser (`hflint.transform`)."""
        from hflint.transform import transform

        return transform(self.codemod(path, catalog), module)


@dataclass(frozen=True)
class SourceFix:
    """A fix for a file with no syntax tree: a function from the whole source text to a new one."""

    title: str
    applicability: Applicability
    transform: Callable[[str], str | None]


@dataclass(frozen=True)
class RenameFix:
    """A fix that renames the file (in the same directory). The runner applies it once every file
    is checked: refused when the target exists with other content, and done by deleting this file
    when the target holds the same bytes (`hflint.file_fixes`)."""

    title: str
    applicability: Applicability
    new_name: str


@dataclass(frozen=True)
class DeleteFix:
    """A fix that deletes the file, for a project rule (`ProjectReport`): the runner applies it once
    every file is checked, only to a file of the run."""

    title: str
    applicability: Applicability


FixSpec = CodemodFix | SourceFix | RenameFix


@dataclass(frozen=True)
class Report:
    """A diagnostic as a rule raised it: positions are resolved later, and only if needed."""

    code: str
    name: str
    message: str
    node: cst.CSTNode | None
    fix: FixSpec | None
    # For diagnostics without a node (files that do not parse): 1-based (row, column).
    position: tuple[int, int] | None = None


class Rule:
    """Base class of all rules. Subclasses register themselves by being defined."""

    code: ClassVar[str]
    name: ClassVar[str]
    MESSAGE: ClassVar[str]
    VALID: ClassVar[Sequence[Valid]] = ()
    INVALID: ClassVar[Sequence[Invalid]] = ()
    # The shared facts (`hflint.analysis.facts`) the engine should collect in its visit for the rule.
    FACTS: ClassVar[frozenset[str]] = frozenset()
    # The strongest fix the rule can offer, for its documentation; None when it never fixes.
    FIX_APPLICABILITY: ClassVar[Applicability | None] = None
    # Whether every finding of the rule means the file cannot run: it breaks the contract
    # `hflint exec` runs files by (structure, task, device), or it is a certain failure when the
    # code runs (a NameError, an UnboundLocalError). `hflint exec` leaves out the files with a
    # finding of a gate rule (its lint gate); a style issue, or a finding that may still run, is
    # never one.
    GATE: ClassVar[bool] = False

    def __init__(self, context: RuleContext, facts: FileFacts):
        self.context = context
        self.facts = facts
        self.reports: list[Report] = []

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if inspect.isabstract(cls) or "code" not in cls.__dict__:
            return
        _check_contract(cls)
        if cls.code in _REGISTRY and _REGISTRY[cls.code] is not cls:
            raise TypeError(f"rule code {cls.code} is defined twice")
        _REGISTRY[cls.code] = cls

    def report(
        self, node: cst.CSTNode, message: str | None = None, *, fix: FixSpec | None = None
    ) -> None:
        self.reports.append(Report(self.code, self.name, message or self.MESSAGE, node, fix))

    def report_at(
        self, row: int, column: int, message: str | None = None, *, fix: FixSpec | None = None
    ) -> None:
        self.reports.append(
            Report(self.code, self.name, message or self.MESSAGE, None, fix, (row, column))
        )

    @classmethod
    def on_syntax_error(
        cls, context: RuleContext, source: str, problem: SyntaxProblem
    ) -> Iterator[Report]:
        """Reports for a file that does not parse (no tree to visit). Most rules have none."""
        return iter(())

    @classmethod
    def info(cls) -> RuleInfo:
        doc = inspect.cleandoc(cls.__doc__ or "")
        return RuleInfo(
            code=cls.code,
            name=cls.name,
            summary=doc.splitlines()[0] if doc else cls.MESSAGE,
            documentation=doc + gate_section(cls.GATE),
            fix_applicability=cls.FIX_APPLICABILITY,
            gate=cls.GATE,
        )


@dataclass(frozen=True)
class ProjectReport:
    """A project rule's diagnostic: the file it is on (at line 1), its message, and its fix."""

    path: str
    message: str
    fix: DeleteFix | None = None


class ProjectRule(Rule):
    """A rule that sees the whole run (duplicates across files, say).

    Each file contributes a small JSON-able summary, computed where the file is linted and cached
    with its diagnostics; once every file is done, `check_project` reads all the summaries. Its
    diagnostics sit at line 1 of the files they name.
    """

    @classmethod
    def summarize(cls, context: RuleContext, data: bytes) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def check_project(cls, summaries: Mapping[str, Mapping[str, Any]]) -> Iterator[ProjectReport]:
        """A report for each file to report, given every file's summary by path."""
        raise NotImplementedError


_REGISTRY: dict[str, type[Rule]] = {}


def gate_section(gate: bool) -> str:
    """The documentation's last section, written from `Rule.GATE`, so the two cannot disagree."""
    if gate:
        return (
            "\n\n## Exec gate\n"
            "Yes: the finding means the file cannot run, so `hflint exec` does not run a file\n"
            "that has it (it lists the file as not run, with the finding; `--no-lint-gate` runs\n"
            "it anyway)."
        )
    return (
        "\n\n## Exec gate\n"
        "No: the finding does not stop the file from running; `hflint exec` runs it and\n"
        "reports what happens."
    )


def _check_contract(cls: type[Rule]) -> None:
    """Fail at import time, naming the rule, rather than produce an undocumented rule."""
    where = f"{cls.__module__}.{cls.__qualname__}"
    if not CODE_PATTERN.match(cls.code):
        raise TypeError(f"{where}: code {cls.code!r} is not HF + 3 digits")
    if not NAME_PATTERN.match(getattr(cls, "name", "")):
        raise TypeError(f"{where}: name must be kebab-case")
    doc = cls.__doc__ or ""
    missing = [section for section in DOC_SECTIONS if section not in doc]
    if missing:
        raise TypeError(f"{where}: docstring lacks {', '.join(missing)}")
    if not getattr(cls, "MESSAGE", ""):
        raise TypeError(f"{where}: MESSAGE is empty")


@cache
def all_rules() -> Mapping[str, type[Rule]]:
    """Every rule, by code, in code order. Importing `hflint.rules` modules registers them."""
    package = importlib.import_module("hflint.rules")
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")
    return MappingProxyType(dict(sorted(_REGISTRY.items())))


# Reported by the engine itself, before any rule can look at the file; never selected or ignored.
IO_ERROR = RuleInfo(
    code="HF000",
    name="io-error",
    summary="The file cannot be read or decoded.",
    documentation=inspect.cleandoc(
        """The file cannot be read or decoded.

        ## What it does
        Reports a file hflint was asked to check but could not read (permissions, a vanished file)
        or decode (bytes that are not valid in the file's encoding: a BOM or PEP 263 coding cookie,
        else UTF-8). The other files of the run are still checked.

        ## Why it matters
        A test file that cannot be read cannot be run either; a silent skip would hide it.

        ## Example
        A file saved as latin-1 with accented text and no `# -*- coding: latin-1 -*-` line.

        ## Fix safety
        No fix: hflint never guesses an encoding. Add the coding cookie or re-save the file as UTF-8.
        """
    )
    + gate_section(True),
    fix_applicability=None,
    gate=True,
)


def rule_infos() -> dict[str, RuleInfo]:
    return {IO_ERROR.code: IO_ERROR, **{code: rule.info() for code, rule in all_rules().items()}}


def gate_codes() -> tuple[str, ...]:
    """The codes of the gate rules (`Rule.GATE`), HF000 included: what `hflint exec` selects to
    decide which files can run."""
    return tuple(code for code, info in rule_infos().items() if info.gate)


def canonical_selector(text: str) -> str:
    """What a selector the user wrote stands for: a rule's name is its code
    (`test-class-name-mismatch` -> `HF102`), codes and prefixes are upper-cased (`hf1` -> `HF1`),
    and anything else is kept as typed, so that the error about it quotes the user."""
    written = text.strip()
    by_name = {rule.name: code for code, rule in all_rules().items()}
    if written.lower() in by_name:
        return by_name[written.lower()]
    return written.upper() if SELECTOR_PATTERN.match(written) else written


def matches_code(code: str, selectors: Sequence[str]) -> bool:
    """True when a selector (`ALL`, a full code or a prefix such as `HF1`) covers `code`."""
    return any(selector == "ALL" or code.startswith(selector) for selector in selectors)


def select_rules(
    select: Sequence[str], ignore: Sequence[str], extend_select: Sequence[str] = ()
) -> tuple[type[Rule], ...]:
    """The enabled rules: selected (or extended) and not ignored, as ruff resolves them."""
    chosen = tuple(select) + tuple(extend_select)
    return tuple(
        rule
        for code, rule in all_rules().items()
        if matches_code(code, chosen) and not _ignored(code, chosen, ignore)
    )


def _ignored(code: str, chosen: Sequence[str], ignore: Sequence[str]) -> bool:
    """An ignore wins unless a selector names the code more specifically than the ignore does."""
    ignore_depth = max((_specificity(s) for s in ignore if matches_code(code, [s])), default=-1)
    select_depth = max((_specificity(s) for s in chosen if matches_code(code, [s])), default=0)
    return ignore_depth >= select_depth


def _specificity(selector: str) -> int:
    return 0 if selector == "ALL" else len(selector)
