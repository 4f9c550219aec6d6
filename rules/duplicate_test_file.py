from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from pathlib import PurePath
from typing import Any

from hflint.catalog import normalize
from hflint.rule import Invalid, ProjectRule, RuleContext, Valid

_WORDS = re.compile(r"[A-Za-z0-9]+")


class DuplicateTestFile(ProjectRule):
    """Two files test the same model type, or a file is a copy of another model's file.

    ## What it does
    Looks at every file of the run together. Reports a file whose model resolves through the catalog
    to the same model type as another file's (`test_hf_gpt-j.py` beside `test_hf_gptj.py`; name
    variants such as hyphens, underscores and family names count as one model), keeping the file
    whose name is the model type's own spelling; and a file that is a byte-for-byte copy of a file
    for another model, keeping the one that names its own model most often. Reported at line 1.

    ## Why it matters
    Duplicates drift apart: one gets fixed and the other keeps failing, coverage reports count the
    model twice, and a copied file under another model's name usually still tests the first model.

    ## Example
    `test_hf_gpt-j.py` and `test_hf_gptj.py` in one suite. Use instead: one of them.

    ## Fix safety
    No fix: which file to keep, and what to merge from the other, is a decision for a person.
    """

    code = "HF502"
    name = "duplicate-test-file"
    MESSAGE = "Tests the same model type `{model}` as `{other}`"
    COPY_MESSAGE = "A byte-for-byte copy of `{other}`, the test file of another model"

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
        return {
            "model_type": model_type,
            "own_spelling": normalize(own_name) == normalize(model_type) and "-" not in own_name,
            "digest": hashlib.sha256(data).hexdigest(),
            "mentions": words.count(normalize(own_name)),
        }

    @classmethod
    def check_project(cls, summaries: Mapping[str, Mapping[str, Any]]) -> Iterator[tuple[str, str]]:
        for model_type, paths in _groups(summaries, "model_type").items():
            keep = min(
                paths, key=lambda p: (not summaries[p]["own_spelling"], len(PurePath(p).name), p)
            )
            for path in paths:
                if path != keep:
                    yield path, cls.MESSAGE.format(model=model_type, other=keep)
        for paths in _groups(summaries, "digest").values():
            if len({summaries[p]["model_type"] for p in paths}) < 2:
                continue  # same model: the first group already said so
            keep = max(paths, key=lambda p: (summaries[p]["mentions"], -len(p), p))
            for path in paths:
                if path != keep and summaries[path]["model_type"] != summaries[keep]["model_type"]:
                    yield path, cls.COPY_MESSAGE.format(other=keep)


def _groups(summaries: Mapping[str, Mapping[str, Any]], key: str) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for path in sorted(summaries):
        groups.setdefault(summaries[path][key], []).append(path)
    return {value: paths for value, paths in groups.items() if len(paths) > 1}
