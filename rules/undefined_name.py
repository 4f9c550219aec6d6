from __future__ import annotations

import importlib
import sys
from collections import defaultdict

import libcst as cst
from hflint.rules._scopes import ScopedRule

from hflint.analysis.facts import FileFacts
from hflint.analysis.flags import flag_module
from hflint.analysis.scopes import Scope
from hflint.diagnostics import Applicability
from hflint.rule import CodemodFix, Invalid, RuleContext, Valid

# Standard-library modules hflint never imports to check an attribute (side effects on import,
# or a GUI toolkit that may be missing).
# Modules commonly read bare (`getattr(os, ...)`, `print(..., file=sys.stderr)` aside): for any other
# module a bare read is more likely a misspelt variable than a missing import, so it gets no fix.
COMMON_MODULES = frozenset(
    {
        "argparse",
        "datetime",
        "json",
        "logging",
        "os",
        "pathlib",
        "platform",
        "re",
        "shutil",
        "subprocess",
        "sys",
        "tempfile",
        "time",
        "traceback",
    }
)
_NEVER_IMPORTED = frozenset(
    {"antigravity", "this", "idlelib", "tkinter", "turtle", "turtledemo", "pydoc_data"}
)


class _Uses:
    """How a name is used across the file: attributes read on it, bare reads, calls."""

    __slots__ = ("attributes", "bare", "called")

    def __init__(self) -> None:
        self.attributes: set[str] = set()
        self.bare = False
        self.called = False


class UndefinedName(ScopedRule):
    """A name is read, but nothing in the file defines it.

    ## What it does
    Reports a name read in a module, class or function scope that is bound nowhere it could come
    from: not a builtin, not bound at module level (imports, assignments, `def`/`class`, also inside
    `try`/`except ImportError` and `if` blocks, or through `global` in a function), not a local or
    enclosing variable, not a comprehension variable, not a class-body name used in that body.
    Template placeholders such as `MODEL_TYPE` are reported too. Each name is reported once per
    scope, at its first read there, so one missing import used in five methods gives five
    diagnostics (one per place that fails), not one per line. A file with `from x import *` is not checked:
    which names it defines cannot be known without importing `x`.

    ## Why it matters
    Every such read is a `NameError` when the line runs: `HAS_SENTENCEPIECE`, `logger` and
    `datetime` left undefined by template generators and fixer scripts crash `run_tests()` or
    `save_results()` after the model already loaded, often inside a `try` that reports it as a
    failed test rather than a broken file.

    ## Example
    ```python
    import time

    def save_results(results):
        logger.info("saving")
        return {"timestamp": datetime.datetime.now().isoformat(), **results}
    ```
    Use instead:
    ```python
    import datetime
    import logging
    import time

    logger = logging.getLogger(__name__)
    ```

    ## Fix safety
    Safe, and only for the well-known cases; each fix inserts statements and changes nothing else:
    - a standard-library module (`datetime`, `os`, `json`...) gets `import <module>` among the
      file's imports, when every attribute the file reads on the name exists in that module and the
      name is never called (a bare read, `getattr(os, ...)`, qualifies only for common modules such
      as `os`, `sys`, `json`, `time`: a bare `token` is more likely a misspelt variable). A name used
      as the module's same-named member, `datetime.now()` or `datetime(2024, 1, 1)`, gets
      `from datetime import datetime`;
    - `logger` gets `import logging` (when missing) and `logger = logging.getLogger(__name__)` after
      the imports;
    - a `HAS_<X>` availability flag gets a guarded import that sets it, after the file's other
      guarded imports: `try: import sentencepiece` / `HAS_SENTENCEPIECE = True` /
      `except ImportError: HAS_SENTENCEPIECE = False` (`HAS_PIL` imports `PIL`, otherwise the
      lower-cased suffix; hardware flags such as `HAS_CUDA` get no fix).

    Other names get no fix: what they should be is for a person to decide.
    """

    code = "HF401"
    name = "undefined-name"
    MESSAGE = "Undefined name `{name}`: a NameError when this line runs"
    FIX_APPLICABILITY = Applicability.SAFE
    GATE = True

    VALID = (
        Valid(
            "import os\n\ntry:\n    import sentencepiece\n    HAS_SENTENCEPIECE = True\n"
            "except ImportError:\n    HAS_SENTENCEPIECE = False\n\n\n"
            "def info():\n    return {'sp': HAS_SENTENCEPIECE, 'cwd': os.getcwd(), 'file': __file__}\n"
        ),
        Valid(
            "def setup():\n    global logger\n    import logging\n    logger = logging.getLogger()\n\n\n"
            "def run():\n    logger.info('ok')\n"
        ),
        Valid(
            "class TestBertModels:\n    TASK = 'fill-mask'\n    TASKS = [TASK]\n\n"
            "    def run_tests(self, items):\n"
            "        squares = [item * item for item in items]\n"
            "        return {name: len(name) for name in map(str, squares)}\n"
        ),
        Valid("from helpers import *\n\nprint(HAS_SENTENCEPIECE)\n"),
    )
    INVALID = (
        Invalid(
            "import os\n\n\ndef stamp():\n    return datetime.datetime.now().isoformat()\n",
            fixed=(
                "import datetime\nimport os\n\n\n"
                "def stamp():\n    return datetime.datetime.now().isoformat()\n"
            ),
        ),
        Invalid(
            "import json\n\n\ndef save(results):\n    logger.info('saving')\n"
            "    logger.info(json.dumps(results))\n",
            fixed=(
                "import json\nimport logging\n\nlogger = logging.getLogger(__name__)\n\n\n"
                "def save(results):\n    logger.info('saving')\n"
                "    logger.info(json.dumps(results))\n"
            ),
        ),
        Invalid(
            "try:\n    import tokenizers\n    HAS_TOKENIZERS = True\nexcept ImportError:\n"
            "    HAS_TOKENIZERS = False\n\n\n"
            "def info():\n    return {'tok': HAS_TOKENIZERS, 'sp': HAS_SENTENCEPIECE}\n",
            fixed=(
                "try:\n    import tokenizers\n    HAS_TOKENIZERS = True\nexcept ImportError:\n"
                "    HAS_TOKENIZERS = False\n\n"
                "try:\n    import sentencepiece  # noqa: F401\n    HAS_SENTENCEPIECE = True\n"
                "except ImportError:\n    HAS_SENTENCEPIECE = False\n\n\n"
                "def info():\n    return {'tok': HAS_TOKENIZERS, 'sp': HAS_SENTENCEPIECE}\n"
            ),
        ),
        Invalid(
            "def metadata():\n    return {'model_type': MODEL_TYPE}\n\n\n"
            "def describe():\n    return MODEL_TYPE.lower()\n",
            count=2,
        ),
        Invalid(
            "from datetime import date\n\n\ndef now():\n    return datetime.now()\n",
            fixed=(
                "from datetime import date\nfrom datetime import datetime\n\n\n"
                "def now():\n    return datetime.now()\n"
            ),
        ),
    )

    def __init__(self, context: RuleContext, facts: FileFacts) -> None:
        super().__init__(context, facts)
        self._found: list[cst.Name] = []
        self._uses: defaultdict[str, _Uses] = defaultdict(_Uses)
        self._attribute_bases: set[int] = set()
        self._callees: set[int] = set()
        self._star_import = False

    def watched_names(self, scope: Scope) -> frozenset[str]:
        return scope.all_undefined

    def visit_Attribute(self, node: cst.Attribute) -> None:
        super().visit_Attribute(node)
        value = node.value
        if isinstance(value, cst.Name) and value.value in self._watched:
            self._attribute_bases.add(id(value))
            self._uses[value.value].attributes.add(node.attr.value)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        super().visit_ImportFrom(node)
        if isinstance(node.names, cst.ImportStar):
            self._star_import = True  # only legal at module level

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Name) and func.value in self._watched:
            self._callees.add(id(func))

    def name_seen(self, node: cst.Name, role: int | None) -> None:
        if role is not None:
            return
        frame = self.frame
        scope = frame.scope
        assert scope is not None  # unknown scopes watch nothing
        if frame.comprehension_targets:
            if node.value not in scope.all_undefined or self.in_comprehension_target(node.value):
                return
        elif node.value not in scope.undefined:
            return
        if id(node) in self._callees:
            self._uses[node.value].called = True
        elif id(node) not in self._attribute_bases:
            self._uses[node.value].bare = True
        if node.value not in frame.reported:
            frame.reported.add(node.value)
            self._found.append(node)

    def finish(self) -> None:
        if self._star_import:
            return  # `from x import *` may define any of them
        fixes: dict[str, CodemodFix | None] = {}
        for node in self._found:
            name = node.value
            if name not in fixes:
                fixes[name] = self._fix(name)
            self.report(node, self.MESSAGE.format(name=name), fix=fixes[name])

    def _fix(self, name: str) -> CodemodFix | None:
        if name == "logger":
            return CodemodFix(
                "Define `logger = logging.getLogger(__name__)` after the imports",
                Applicability.SAFE,
                "define_logger.DefineLoggerCommand",
                {"name": name},
            )
        module = flag_module(name)
        if module is not None:
            return CodemodFix(
                f"Set `{name}` from a guarded `import {module}`",
                Applicability.SAFE,
                "add_availability_flag.AddAvailabilityFlagCommand",
                {"flag": name, "module": module},
            )
        imported = _standard_import(name, self._uses[name])
        if imported is None:
            return None
        module, member = imported
        statement = f"import {module}" if member is None else f"from {module} import {member}"
        return CodemodFix(
            f"Add `{statement}`",
            Applicability.SAFE,
            "add_missing_import.AddMissingImportCommand",
            {"module": module, "name": member},
        )


def _standard_import(name: str, uses: _Uses) -> tuple[str, str | None] | None:
    """(`module`, None) for `import module`, (`module`, `member`) for `from module import member`,
    when `name` is a standard-library module and the file uses it as one (or as its same-named
    member, like `datetime.now()`); None otherwise.

    Only runs for names found undefined, so importing the module to check its attributes is paid
    only by files that need the answer.
    """
    if name not in sys.stdlib_module_names or name.startswith("_") or name in _NEVER_IMPORTED:
        return None
    try:
        module = importlib.import_module(name)
    except Exception:
        return None
    module_fits = not uses.called and (name in COMMON_MODULES or not uses.bare)
    if module_fits and all(hasattr(module, a) for a in uses.attributes):
        return name, None
    member = getattr(module, name, None)
    if (
        member is not None
        and (uses.called or uses.attributes)
        and (callable(member) or not uses.called)
        and all(hasattr(member, a) for a in uses.attributes)
    ):
        return name, name
    return None
