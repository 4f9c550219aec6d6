from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePath

from hflint.diagnostics import Applicability
from hflint.naming import canonical_file_name
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
    no handler, a stray character after a line-continuation backslash, an unmatched closing bracket
    left by template substitution, inconsistent indentation).

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
    Unsafe. Each mechanical repair (close a `try:` block with `finally: pass`, drop what follows a
    line-continuation backslash, remove an unmatched closing bracket, re-indent a line to an outer
    level, add `pass` to an empty block) is kept only if the whole file then parses, but the repaired
    code may still not be what was meant: review the diff. A repaired file is linted again, so what
    the repair could not restore (a test class, `test_pipeline()`, `run_tests()`) is added by the
    HF101, HF103 and HF104 fixes from the same skeletons `hflint generate` writes. When no repair
    applies, the message says so: the line must be corrected by hand, or, for a model in the
    catalog, the file regenerated with the command the message gives (`hflint generate <model> -o
    <dir> --force`, which writes the model type's canonical file name and keeps nothing of a file
    that does not parse).
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
        if recovery is None or not recovery.applied:
            message = (
                f"Syntax error: {problem.message}; no mechanical repair applies, "
                f"correct line {problem.line} by hand (`python -m py_compile` shows the same error)"
                f"{_regenerate_hint(context)}"
            )
            fix = None
        else:
            message = f"Syntax error: {problem.message}"
            repaired = recovery.source
            fix = SourceFix(
                title=f"Repair the syntax ({', '.join(recovery.applied)})",
                applicability=Applicability.UNSAFE,
                transform=lambda text: repaired if text == source else None,
            )
        yield Report(cls.code, cls.name, message, None, fix, (problem.line, problem.column))


def _regenerate_hint(context: RuleContext) -> str:
    """How to replace the file with a generated one, when its model is in the catalog. Generation
    writes the model type's canonical file name, which may not be this file's."""
    model = context.model
    if model is None or not model.tasks:
        return ""
    path = PurePath(context.path)
    command = f"hflint generate {model.model_type} -o {path.parent.as_posix()} --force"
    canonical = canonical_file_name(model.model_type)
    instead = "" if canonical == path.name else f", which writes `{canonical}`"
    return f", or regenerate it from the skeleton: `{command}`{instead}"
