"""Fingerprints that tell one finding from every other and stay the same when lines move.

Code-scanning services (SARIF `partialFingerprints`, GitLab Code Quality `fingerprint`) match a
finding across runs by its fingerprint: one that held a line number would make every finding below
an inserted line look fixed and new again. A finding is its file, its rule and its message (with
numbers left out, since a message may name a line), and, for the findings those leave equal, its
place among them in the file (the first, the second, ...).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence

from hflint.diagnostics import Diagnostic

_NUMBERS = re.compile(r"\d+")


def fingerprints(diagnostics: Sequence[Diagnostic]) -> list[str]:
    """One fingerprint per diagnostic, in order (diagnostics sorted by place, as reports keep them):
    64 hex digits, all different."""
    seen: Counter[tuple[str, str, str]] = Counter()
    found = []
    for diagnostic in diagnostics:
        key = (diagnostic.path, diagnostic.code, _NUMBERS.sub("#", diagnostic.message))
        text = "\0".join((*key, str(seen[key])))
        seen[key] += 1
        found.append(hashlib.sha256(text.encode("utf-8")).hexdigest())
    return found
