from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePath

import libcst as cst
from hflint.rules._naming import ANY_CODE, FileNameRule

from hflint.diagnostics import Applicability
from hflint.naming import importable_name
from hflint.rule import Invalid, RenameFix, Report, RuleContext, Valid


class NonImportableFilename(FileNameRule):
    """The file's name cannot be imported as a Python module.

    ## What it does
    Reports a test file whose name (without `.py`) is not a Python identifier: hyphens, dots, spaces
    or a leading digit (`test_hf_gpt-j.py`, `test_hf_data2vec-audio.py`). Reported at line 1, for
    files that parse and files that do not.

    ## Why it matters
    pytest's module import, `python -m`, `importlib` and tools that collect tests by module name all
    fail on such a file, so runners silently skip it or crash on it. The model name is unaffected
    by the fix: `gpt-j` and `gpt_j` give the same class name, `TestGptJModels`.

    ## Example
    `test_hf_gpt-j.py`. Use instead: `test_hf_gpt_j.py`.

    ## Fix safety
    Unsafe: the fix renames the file (every character that cannot be in an identifier becomes `_`),
    which breaks anything that refers to it by its old name (CI configs, docs). When a file of the
    new name already exists there is no fix if its content differs (the message says so, and no
    `[*]` is shown), and when it holds the same bytes the fix deletes this copy instead, which
    leaves the same files a rename would. Whether the name is free is decided once every file of
    the run is checked, so `--diff` shows what `--fix` does.
    """

    code = "HF501"
    name = "non-importable-filename"
    MESSAGE = "`{name}` cannot be imported as a module; rename it to `{new_name}`"
    FIX_APPLICABILITY = Applicability.UNSAFE

    VALID = (
        Valid(ANY_CODE, path="test_hf_gpt_j.py"),
        Valid(ANY_CODE, path="test_hf_wav2vec2.py"),
    )
    INVALID = (
        Invalid(ANY_CODE, path="test_hf_gpt-j.py"),
        Invalid("x = (\n", path="test_hf_data2vec-audio.py"),
    )

    @classmethod
    def file_reports(cls, context: RuleContext, module: cst.Module | None) -> Iterator[Report]:
        path = PurePath(context.path)
        if path.suffix != ".py" or path.stem.isidentifier():
            return
        new_name = importable_name(path.stem) + ".py"
        message = cls.MESSAGE.format(name=path.name, new_name=new_name)
        fix = RenameFix(f"Rename to `{new_name}`", Applicability.UNSAFE, new_name)
        yield Report(cls.code, cls.name, message, None, fix, (1, 1))
