from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from pathlib import PurePath
from typing import Any

from hflint.catalog import normalize
from hflint.diagnostics import Applicability
from hflint.naming import canonical_file_name
from hflint.rule import DeleteFix, Invalid, ProjectReport, ProjectRule, RuleContext, Valid

_WORDS = re.compile(r"[A-Za-z0-9]+")
# A function's (or method's) first line.
_DEF = re.compile(r"^[ \t]*(?:async[ \t]+)?def[ \t]+(\w+)", re.MULTILINE)
# How many differing functions a message names.
_SHOWN = 4


class DuplicateTestFile(ProjectRule):
    """Two files test the same model type, or a file is a copy of another model's file.

    ## What it does
    Looks at every file of the run together. Reports a file whose model resolves through the catalog
    to the same model type as another file's (`test_hf_gpt-j.py` beside `test_hf_gptj.py`; name
    variants such as hyphens, underscores, family names and variant suffixes such as
    `_standardized` count as one model), keeping the file whose name is the model type's own
    spelling; and a file that is a byte-for-byte copy of a file for another model, keeping the one
    that names its own model most often. Reported at line 1. When the two files of one model differ,
    the message says where: the functions whose code differs (`differs in 2 functions: __init__,
    test_pipeline`) or the code outside them.

    ## Why it matters
    Duplicates drift apart: one gets fixed and the other keeps failing, coverage reports count the
    model twice, and a copied file under another model's name usually still tests the first model.

    ## Example
    `test_hf_gpt-j.py` and `test_hf_gptj.py` in one suite. Use instead: one of them.

    ## Fix safety
    Unsafe, and only for a byte-for-byte copy of a file in the same folder whose name is the model
    type's own (`test_hf_gptj.py` or `test_hf_gpt_j.py`, by `hflint.naming.resolve_model_name`):
    the fix deletes the copy under the other name (`test_hf_gpt-j.py`,
    `test_hf_gpt_j_standardized.py`) and keeps that file, which holds the same bytes, so no test is
    lost; it is unsafe because anything that names the deleted file (a CI config) breaks. Files that
    differ are never deleted (which to keep, and what to merge, is a person's decision), nor copies
    in another folder (another suite may collect them), nor a copy that tests another model's
    type. Only a file of the run is deleted, and only when the kept one is in the run too.
    """

    code = "HF502"
    name = "duplicate-test-file"
    MESSAGE = "Tests the same model type `{model}` as `{other}`"
    COPY_MESSAGE = "A byte-for-byte copy of `{other}`, the test file of another model"
    FIX_APPLICABILITY = Applicability.UNSAFE

    VALID = (
        Valid(
            "class TestGptJModels:\n    pass\n",
            path="test_hf_gptj.py",
            neighbours=(("test_hf_bert.py", "x = 1\n"),),
        ),
    )
    INVALID = (
        Invalid(
            "class TestGptJModels:\n    pass\n",
            path="test_hf_gpt-j.py",
            neighbours=(("test_hf_gptj.py", "class TestGptjModels:\n    pass\n"),),
        ),
        Invalid(
            "class TestGptjModels:\n    pass\n",
            path="test_hf_gpt_j_standardized.py",
            neighbours=(("test_hf_gptj.py", "class TestGptjModels:\n    pass\n"),),
        ),
        Invalid(
            "# bart: the bart model\nclass TestBartModels:\n    pass\n",
            path="test_hf_mbart.py",
            neighbours=(
                ("test_hf_bart.py", "# bart: the bart model\nclass TestBartModels:\n    pass\n"),
            ),
        ),
    )

    @classmethod
    def summarize(cls, context: RuleContext, data: bytes) -> dict[str, Any]:
        model = context.model
        model_type = model.model_type if model else normalize(context.model_name or context.path)
        own_name = context.model_name or ""
        words = [normalize(word) for word in _WORDS.findall(context.source)]
        name = PurePath(context.path)
        return {
            "model_type": model_type,
            # The model type's own name (for a type the catalog does not know, the name that gave
            # it), importable: `test_hf_gptj.py`, `test_hf_gpt_j.py`; not `test_hf_gpt-j.py`,
            # `test_hf_gpt_j_standardized.py`, nor an alias.
            "own_spelling": normalize(own_name) == normalize(model_type)
            and name.stem.isidentifier(),
            "canonical": name.name == canonical_file_name(model_type),
            "digest": hashlib.sha256(data).hexdigest(),
            "mentions": words.count(normalize(own_name)),
            "functions": _function_digests(context.source),
        }

    @classmethod
    def check_project(cls, summaries: Mapping[str, Mapping[str, Any]]) -> Iterator[ProjectReport]:
        def rank(path: str) -> tuple[bool, bool, bool, int, str]:
            """Lower is the better file to keep: the type's own name, importable, short."""
            summary, name = summaries[path], PurePath(path)
            own = not summary["own_spelling"], not summary["canonical"]
            return (*own, not name.stem.isidentifier(), len(name.name), path)

        for model_type, paths in _groups(summaries, "model_type").items():
            keep = min(paths, key=rank)
            for path in paths:
                if path == keep:
                    continue
                twin = min(_same_bytes_here(summaries, path, paths), key=rank, default=None)
                if twin is not None and rank(twin) < rank(path) and summaries[twin]["own_spelling"]:
                    message = cls.MESSAGE.format(model=model_type, other=twin)
                    title = f"Delete this copy; `{PurePath(twin).name}` holds the same bytes"
                    fix = DeleteFix(title, Applicability.UNSAFE)
                    yield ProjectReport(path, f"{message}, a byte-for-byte copy", fix)
                else:
                    message = cls.MESSAGE.format(model=model_type, other=keep)
                    yield ProjectReport(path, f"{message}; {_difference(summaries, path, keep)}")
        for paths in _groups(summaries, "digest").values():
            if len({summaries[p]["model_type"] for p in paths}) < 2:
                continue  # same model: the first group already said so
            keep = max(paths, key=lambda p: (summaries[p]["mentions"], -len(p), p))
            for path in paths:
                if path != keep and summaries[path]["model_type"] != summaries[keep]["model_type"]:
                    yield ProjectReport(path, cls.COPY_MESSAGE.format(other=keep))


def _groups(summaries: Mapping[str, Mapping[str, Any]], key: str) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for path in sorted(summaries):
        groups.setdefault(summaries[path][key], []).append(path)
    return {value: paths for value, paths in groups.items() if len(paths) > 1}


def _same_bytes_here(
    summaries: Mapping[str, Mapping[str, Any]], path: str, paths: list[str]
) -> list[str]:
    """The other files of `paths` in the folder of `path` that hold the same bytes."""
    folder = PurePath(path).parent
    return [
        other
        for other in paths
        if other != path
        and PurePath(other).parent == folder
        and summaries[other]["digest"] == summaries[path]["digest"]
    ]


def _function_digests(text: str) -> dict[str, str]:
    """A short digest of each function's code (from its `def` line to the next one), by name, and
    of the code before the first (under ""): what `_difference` compares. Lines, not a syntax tree,
    so that files that do not parse can be compared too."""
    starts = [(match.start(), match.group(1)) for match in _DEF.finditer(text)]
    ends = [start for start, _ in starts[1:]] + [len(text)] * bool(starts)
    pieces = {"": text[: starts[0][0] if starts else len(text)]}
    for (start, name), end in zip(starts, ends, strict=True):
        key, count = name, 1
        while key in pieces:  # a second method of one name (in another class)
            count += 1
            key = f"{name}#{count}"
        pieces[key] = text[start:end]
    return {key: hashlib.sha256(piece.encode()).hexdigest()[:12] for key, piece in pieces.items()}


def _difference(summaries: Mapping[str, Mapping[str, Any]], path: str, other: str) -> str:
    """Where the file at `path` differs from the one at `other`, in a few words."""
    if summaries[path]["digest"] == summaries[other]["digest"]:
        if PurePath(path).parent != PurePath(other).parent:
            return "the same bytes, in another folder (only a copy in one folder is deleted)"
        return "the same bytes, but neither name is the model type's own (neither is deleted)"
    mine, theirs = summaries[path]["functions"], summaries[other]["functions"]
    names = [name for name in {**mine, **theirs} if name and mine.get(name) != theirs.get(name)]
    shown = ", ".join(name.partition("#")[0] for name in names[:_SHOWN])
    if len(names) > _SHOWN:
        shown += f" and {len(names) - _SHOWN} more"
    if not names:
        return "differs outside its functions"
    outside = " and outside them" if mine.get("") != theirs.get("") else ""
    noun = "function" if len(names) == 1 else "functions"
    return f"differs in {len(names)} {noun}{outside}: {shown}"
