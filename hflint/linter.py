"""Lint one file's text: parse once, visit once for every enabled rule, resolve what was reported.

Positions and fix edits are the expensive parts; both are computed only for files that have
diagnostics, and edits only when the caller needs them (fixing, or an output that shows them).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import libcst as cst

from hflint.analysis.facts import TASKS, FileFacts
from hflint.analysis.nodes import Handler, add_handlers, walk
from hflint.catalog import Catalog
from hflint.diagnostics import Diagnostic, Edit, Fix, Location
from hflint.noqa import Suppressions
from hflint.positions import LineIndex, module_code, node_ranges
from hflint.rule import CodemodFix, RenameFix, Report, Rule, RuleContext
from hflint.syntax import SyntaxProblem, find_syntax_problem


@dataclass(frozen=True)
class TextEdit:
    """An edit in character offsets of the text it was computed on."""

    start: int
    end: int
    content: str


@dataclass(frozen=True)
class Finding:
    """A rule's report with its location resolved; the engine's working form of a diagnostic."""

    report: Report
    start: Location
    end: Location

    @property
    def code(self) -> str:
        return self.report.code


@dataclass
class LintedFile:
    """The result of linting one text: its tree (None when it does not parse) and the findings."""

    path: str
    text: str
    module: cst.Module | None
    findings: list[Finding]
    catalog: Catalog
    # Codemods that raised while computing a fix, one line each (rule, position, error): the fix is
    # not offered, and the runner prints these as warnings rather than letting the fix vanish.
    fix_errors: list[str] = field(default_factory=list)

    def fix_edits(self, finding: Finding) -> tuple[TextEdit, ...]:
        """The text edits of a finding's fix: its codemod's output compared with the original text
        (none when the codemod raised; `fix_errors` then says why)."""
        fix = finding.report.fix
        if fix is None or isinstance(fix, RenameFix):
            return ()  # a rename changes no text
        if isinstance(fix, CodemodFix):
            if self.module is None:
                return ()
            try:
                new_text: str | None = module_code(fix.apply(self.module, self.path, self.catalog))
            except Exception as error:  # a bug in one codemod must not stop the others
                message = (
                    f"{finding.code} fix at {finding.start.row}:{finding.start.column} not "
                    f"offered: its codemod {fix.command} raised {type(error).__name__}: {error}"
                )
                if message not in self.fix_errors:
                    self.fix_errors.append(message)
                return ()
        else:
            new_text = fix.transform(self.text)
        return () if new_text is None else text_edits(self.text, new_text)

    def diagnostics(self, *, with_edits: bool) -> list[Diagnostic]:
        index = LineIndex.of(self.text) if with_edits else None
        result = []
        for finding in self.findings:
            fix = None
            spec = finding.report.fix
            if spec is not None:
                edits: tuple[Edit, ...] = ()
                if index is not None:
                    edits = tuple(
                        Edit(index.location(e.start), index.location(e.end), e.content)
                        for e in self.fix_edits(finding)
                    )
                    if not edits and not isinstance(spec, RenameFix):
                        # The fix turned out to change nothing (or failed): do not advertise it.
                        spec = None
                if spec is not None:
                    rename_to = spec.new_name if isinstance(spec, RenameFix) else None
                    fix = Fix(spec.title, spec.applicability, edits, rename_to=rename_to)
            result.append(
                Diagnostic(
                    path=self.path,
                    code=finding.report.code,
                    name=finding.report.name,
                    message=finding.report.message,
                    start=finding.start,
                    end=finding.end,
                    fix=fix,
                )
            )
        return result


def text_edits(old: str, new: str) -> tuple[TextEdit, ...]:
    """The line-level differences between two texts, as edits in offsets of `old`."""
    if old == new:
        return ()
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    offsets = [0]
    for line in old_lines:
        offsets.append(offsets[-1] + len(line))
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    return tuple(
        TextEdit(offsets[i1], offsets[i2], "".join(new_lines[j1:j2]))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    )


def apply_edits(text: str, edits: Iterable[TextEdit]) -> str:
    """Apply non-overlapping edits (in offsets of `text`)."""
    pieces = []
    cursor = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        pieces.append(text[cursor : edit.start])
        pieces.append(edit.content)
        cursor = edit.end
    pieces.append(text[cursor:])
    return "".join(pieces)


def lint_text(
    path: str,
    text: str,
    rules: Sequence[type[Rule]],
    *,
    catalog: Catalog | None = None,
    parsed: cst.Module | None = None,
) -> LintedFile:
    """Parse `text` once (unless `parsed`, its tree straight from the parser, is given) and run
    every rule in `rules` over it in one visit (with the default catalog unless one is given)."""
    context = RuleContext.for_text(path, text, catalog)
    suppressions = Suppressions.scan(text)
    module = parsed if parsed is not None else parse_or_none(text)
    try:
        findings = [] if module is None else _locate(module, _visit(module, text, rules, context))
    except RecursionError:
        # LibCST builds trees deeper than the rules' recursive visits can follow (an expression
        # of a thousand terms); CPython's compiler stops at a similar depth. Reported as HF001.
        module = None
    if module is None:
        problem = find_syntax_problem(text, path) or SyntaxProblem(NESTED_TOO_DEEPLY, 1, 1)
        findings = _locate(
            None, [r for rule in rules for r in rule.on_syntax_error(context, text, problem)]
        )
    findings = [
        f
        for f in findings
        if not suppressions.file_suppresses(f.code)
        and not suppressions.line_suppresses(f.start.row, f.code)
    ]
    findings.sort(key=lambda f: (f.start, f.end, f.code))
    return LintedFile(path, text, module, findings, context.catalog)


NESTED_TOO_DEEPLY = "code nested too deeply for hflint to analyse (split the deepest expression)"


def parse_or_none(text: str) -> cst.Module | None:
    """`text`'s tree, or None when it does not parse. LibCST accepts two things CPython rejects:
    a BOM character at the start (a file saved with two BOMs keeps one after decoding) and a NUL
    character in a comment."""
    if text.startswith("\ufeff") or "\0" in text:
        return None
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError:
        return None


def _visit(
    module: cst.Module, text: str, rules: Sequence[type[Rule]], context: RuleContext
) -> list[Report]:
    facts = FileFacts(module, text, context.expected_class)
    instances = [rule(context, facts) for rule in rules]
    visitors: dict[str, list[Handler]] = {}
    leavers: dict[str, list[Handler]] = {}
    if any(TASKS in rule.FACTS for rule in rules):
        # Fed before the rules' handlers, so that the fact is complete when a rule reads it.
        facts.task_collector().feed(visitors, leavers)
    for instance in instances:
        add_handlers(visitors, leavers, instance)
    if set(visitors) | set(leavers) <= {"Module"}:
        # Every enabled rule looks at module level only: no need to walk the tree at all.
        for visit in visitors.get("Module", ()):
            visit(module)
        for leave in leavers.get("Module", ()):
            leave(module)
    else:
        walk(module, visitors, leavers)
    return [report for instance in instances for report in instance.reports]


def _locate(module: cst.Module | None, reports: list[Report]) -> list[Finding]:
    nodes = [r.node for r in reports if r.node is not None]
    ranges = node_ranges(module, nodes) if nodes and module is not None else {}
    findings = []
    for report in reports:
        if report.node is not None:
            start, end = ranges[report.node]
        else:
            row, column = report.position or (1, 1)
            start = end = Location(row, column)
        findings.append(Finding(report, start, end))
    return findings
