"""Join a name that a generator wrote with a hyphen (`DEBERTA-V2_REGISTRY`) with an underscore.

Templates that build identifiers from a model's name (`deberta-v2`) write
`DEBERTA-V2_MODELS_REGISTRY = {...}`; the parser reads a subtraction and stops at the assignment
("cannot assign to expression"). Reading the name, not the subtraction, is the only meaning the
line can have, so the hyphens of that name become underscores wherever the name is written in the
file's code (strings and comments keep theirs): every use refers to the one name.

Before::

    DEBERTA-V2_REGISTRY = {"base": 1}
    print(DEBERTA-V2_REGISTRY["base"])

After::

    DEBERTA_V2_REGISTRY = {"base": 1}
    print(DEBERTA_V2_REGISTRY["base"])
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from hflint.codemods.syntax_repairs._lines import code_mask

from hflint.syntax import SyntaxProblem, split_lines, syntax_repair

_HYPHENATED = re.compile(r"[A-Za-z_]\w*(?:-[A-Za-z_0-9]\w*)+")


@syntax_repair(
    name="join-hyphenated-name",
    description="Write a name with hyphens (`DEBERTA-V2_REGISTRY`) with underscores everywhere.",
    matches=(r"cannot assign to expression",),
)
def join_hyphenated_name(source: str, problem: SyntaxProblem) -> Iterator[str]:
    lines = split_lines(source)
    found = _HYPHENATED.match(lines[problem.line - 1], problem.column - 1)
    if found is None:
        return
    name = re.compile(rf"(?<![\w-]){re.escape(found[0])}(?![\w-])")
    joined = found[0].replace("-", "_")
    repaired = list(lines)
    for index, line in enumerate(lines):
        if found[0] not in line:
            continue
        mask = code_mask(lines, index)
        spans = [match.span() for match in name.finditer(line) if mask[match.start()]]
        for start, end in reversed(spans):
            repaired[index] = repaired[index][:start] + joined + repaired[index][end:]
    yield "".join(repaired)
