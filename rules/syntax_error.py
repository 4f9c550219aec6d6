from __future__ import annotations

from collections.abc import Iterator, Sequence

from hflint.catalog import Catalog, ModelEntry
from hflint.diagnostics import Applicability
from hflint.rule import Invalid, Report, Rule, RuleContext, SourceFix, Valid
from hflint.syntax import SyntaxProblem, recover


class UnparsableFile(Rule):
    """The file does not parse.

    ## What it does
    Reports a test file that Python cannot parse, once, at the line and column the parser gives,
    with the parser's message. No other rule can look at such a file.

    ## Why it matters
    A file that does not parse is not a test: the runner fails on import and the model it was meant
    to cover goes untested. Generated suites break this way in a few mechanical ways (a `try:` with
    no handler or with its `except` indented into its body, punctuation repeated by a regex fixer
    (`try::`, `import ())))`), an unmatched closing bracket left by template substitution, a
    statement left on a header's line, inconsistent indentation).

    ## Example
    ```python
    try:
        import torch
    HAS_TORCH = True
    ```
    Use instead:
    ```python
    try:
        import torch
    finally:
        pass
    HAS_TORCH = True
    ```

    ## Fix safety
    Unsafe. The repair works from where the parser fails, again for each next error: the syntax
    repairs (`hflint.codemods.syntax_repairs`: re-indent a block by its structure, align a clause
    with its statement, undo repeated punctuation, balance brackets, move a statement off a
    header's line, close a `try`...) propose candidates, and one is kept only when the parser then
    gets further, the fewest changed lines first. The result must compile, and every statement
    outside the changed lines must be what its original text parses to; the message names the
    lines changed. The repaired code may still not be what was meant: review the diff. When no
    repair makes the file parse and its model is in the catalog, the fix regenerates the file from
    the skeleton `hflint generate --force` writes, keeping its model id, its registry and the test
    methods that parse on their own (the message says so); otherwise the line must be corrected by
    hand.
    """

    code = "HF001"
    name = "syntax-error"
    MESSAGE = "The file does not parse"
    FIX_APPLICABILITY = Applicability.UNSAFE
    GATE = True

    VALID = (Valid("import torch\n"),)
    INVALID = (
        Invalid(
            "try:\n    import torch\nHAS_TORCH = True\n",
            fixed="try:\n    import torch\nfinally:\n    pass\nHAS_TORCH = True\n",
        ),
        Invalid("result = compute(1, 2))\n", fixed="result = compute(1, 2)\n"),
        Invalid("def broken(:\n    pass\n"),
    )

    @classmethod
    def on_syntax_error(
        cls, context: RuleContext, source: str, problem: SyntaxProblem
    ) -> Iterator[Report]:
        recovery = recover(source, context.path)
        model = context.model
        if recovery is not None and recovery.applied:
            repaired = recovery.source
            message = (
                f"Syntax error: {problem.message}; a repair changes "
                f"{_lines_changed(recovery.changed, recovery.removed)}"
            )
            fix: SourceFix | None = SourceFix(
                title=f"Repair the syntax ({', '.join(dict.fromkeys(recovery.applied))})",
                applicability=Applicability.UNSAFE,
                transform=lambda text: repaired if text == source else None,
            )
        elif model is not None and model.tasks:
            message = (
                f"Syntax error: {problem.message}; no repair makes the file parse: the fix "
                f"regenerates it from the {model.model_type} skeleton, keeping its model id, "
                f"registry and the test methods that parse on their own"
            )
            catalog, path = context.catalog, context.path
            fix = SourceFix(
                title=f"Regenerate the file from the {model.model_type} skeleton",
                applicability=Applicability.UNSAFE,
                transform=lambda text: _regenerated(text, path, model, catalog),
            )
        else:
            message = (
                f"Syntax error: {problem.message}; no mechanical repair applies, "
                f"correct line {problem.line} by hand (`python -m py_compile` shows the same error)"
            )
            fix = None
        yield Report(cls.code, cls.name, message, None, fix, (problem.line, problem.column))


def _lines_changed(changed: Sequence[int], removed: int) -> str:
    """`changed` as line ranges (`3-5, 9`) and `removed` as a count."""
    ranges: list[list[int]] = []
    for line in changed:
        if ranges and line == ranges[-1][1] + 1:
            ranges[-1][1] = line
        else:
            ranges.append([line, line])
    shown = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges)
    parts = [f"line{'s' if len(changed) > 1 else ''} {shown}"] if changed else []
    if removed:
        parts.append(f"{removed} line{'s' if removed > 1 else ''} removed")
    return " and ".join(parts) or "no line"


def _regenerated(text: str, path: str, model: ModelEntry, catalog: Catalog) -> str:
    # Imported when the fix is applied: generation pulls in the skeletons and every rule.
    from hflint.generate import regenerated

    return regenerated(text, path, model, catalog)
