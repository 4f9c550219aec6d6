"""Undo a substitution that added the same closers after every opening bracket of a file.

A regex fixer run over a whole file, more than once, replaced every `(` by `())))`, every `{` by
`{}}}}}}}}}` and every `[` by `[],`, in code, strings and comments alike: `print(x)` became
`print())))x)`, `f()` became `f()))))`. The parser then stops at the first one, and undoing them
one error at a time would take hundreds of rounds. The substitution shows in the text itself:
after nearly every opening bracket of that kind comes the same run of punctuation (two
characters or more), and the run after it is the commonest. Deleting that run after every such
opener, left to right, is the exact inverse of the substitution, so it is done everywhere at once,
one bracket kind at a time, before the search; the search keeps it only if the parser then gets
further.

Before::

    items = {}}}}}}}}
        "cuda": check())))device="cuda"),
    }}
    print())))f"loaded {}}}}}}}}name}")

After::

    items = {
        "cuda": check(device="cuda"),
    }
    print(f"loaded {name}")
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from hflint.codemods.syntax_repairs._lines import OPENERS

from hflint.syntax import SyntaxProblem, syntax_repair

# The share of a bracket kind's openers that must be followed by what was added: openers
# written after the substitution ran are not, and a file where few are was not substituted.
_SUBSTITUTED_SHARE = 0.8


# How many openers of a kind a file needs before a single closer after nearly all of them counts
# as added: one empty `{}` is a dict, twenty in a row are a substitution.
_OPENERS_FOR_ONE_CLOSER = 8


@syntax_repair(
    name="undo-repeated-closers-everywhere",
    description="Delete the closers a substitution added after every opening bracket of a file.",
    matches=(r"",),
    file_wide=True,
)
def undo_repeated_closers_everywhere(source: str, problem: SyntaxProblem) -> Iterator[str]:
    undone = source
    for opener in OPENERS:
        added = _substituted_suffix(undone, opener)
        if added:
            undone = undone.replace(opener + added, opener)
    if undone != source:
        yield undone


# What a substitution adds after an opener: its closers, and the commas or colons of a fixer
# that also ends an "item" there (`[` -> `[],`).
_ADDED = r"([)\]},:]*)"


def _substituted_suffix(text: str, opener: str) -> str:
    """The punctuation a substitution added after every `opener` of `text`; "" if none did.

    It is the longest start, two characters or more (one, `(` -> `()`, where the file has enough
    openers that a closer after nearly all of them is no chance), of the commonest run of punctuation after
    the opener that the runs after nearly every opener start with."""
    runs = [found[1] for found in re.finditer(re.escape(opener) + _ADDED, text)]
    if not runs:
        return ""
    commonest = Counter(runs).most_common(1)[0][0]
    shortest = 1 if len(runs) >= _OPENERS_FOR_ONE_CLOSER else 2
    for length in range(len(commonest), shortest - 1, -1):
        added = commonest[:length]
        if sum(run.startswith(added) for run in runs) >= _SUBSTITUTED_SHARE * len(runs):
            return added
    return ""
