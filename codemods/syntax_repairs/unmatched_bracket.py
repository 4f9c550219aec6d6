"""Remove a closing bracket that closes nothing.

CPython: "unmatched ')'" (or `]`, `}`), and "closing parenthesis ')' does not match opening
parenthesis '['" when an extra closer comes before the right one. Template substitution that
replaces a call by a call leaves one parenthesis too many; this is the commonest syntax error in
older generated suites. The repair deletes the one character the parser points at, after checking
it is that bracket. It is unsafe: when the extra bracket is really a missing opener elsewhere, the
result parses but groups the expression differently. A bracket of the wrong kind (`[1, 2)`) is
not fixed by deleting it; the file then fails earlier and the recovery rejects the change.

Before::

    result = compute(1, 2))

After::

    result = compute(1, 2)
"""

from __future__ import annotations

import re

from hflint.syntax import SyntaxProblem, split_lines, syntax_repair

_CLOSER = re.compile(r"[^']*'([)\]}])'")


@syntax_repair(
    name="remove-unmatched-bracket",
    description="Delete a closing bracket that matches no opening bracket.",
    matches=(
        r"unmatched '[)\]}]'",
        r"closing parenthesis '[)\]}]' does not match opening parenthesis",
    ),
)
def remove_unmatched_bracket(source: str, problem: SyntaxProblem) -> str | None:
    closer = _CLOSER.match(problem.message)
    lines = split_lines(source)
    index, column = problem.line - 1, problem.column - 1
    if closer is None or lines[index][column : column + 1] != closer[1]:
        return None
    lines[index] = lines[index][:column] + lines[index][column + 1 :]
    return "".join(lines)
