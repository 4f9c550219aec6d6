"""HF401's and HF402's codemods, each run on its own by LibCST's tool (as users run codemods), and
the scope analysis they rest on in cases the rule examples do not show."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from hflint.linter import lint_text
from hflint.rule import all_rules

CONFIG = """\
generated_code_marker: '@generated'
formatter: []
blacklist_patterns: []
modules:
- 'hflint.codemods'
repo_root: '.'
"""
TARGET = "test_hf_bart.py"
TOOL = (sys.executable, "-m", "libcst.tool", "codemod", "--no-format", "--hide-progress")


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / ".libcst.codemod.yaml").write_text(CONFIG, encoding="utf-8")
    return tmp_path


def codemod(workdir: Path, source: str, command: str, *args: str) -> tuple[str, str]:
    """Run the codemod on `source` as test_hf_bart.py: (the new text, the tool's stderr)."""
    target = workdir / TARGET
    target.write_bytes(source.encode())
    result = subprocess.run(
        [*TOOL, command, *args, TARGET],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    text = target.read_bytes().decode()
    ast.parse(text)
    return text, result.stderr


def codes(source: str, code: str) -> list[tuple[int, str]]:
    rule = all_rules()[code]
    return [(f.start.row, f.report.message) for f in lint_text(TARGET, source, [rule]).findings]


def test_add_missing_import(workdir: Path) -> None:
    source = "import os\nimport sys\n\n\ndef stamp():\n    return datetime.datetime.now()\n"
    text, _ = codemod(
        workdir, source, "add_missing_import.AddMissingImportCommand", "--module", "datetime"
    )
    assert text == source.replace("import os\n", "import datetime\nimport os\n")
    assert codes(text, "HF401") == []


def test_add_missing_import_of_a_member(workdir: Path) -> None:
    source = "import os\n\n\ndef stamp():\n    return datetime.now()\n"
    text, _ = codemod(
        workdir,
        source,
        "add_missing_import.AddMissingImportCommand",
        "--module",
        "datetime",
        "--name",
        "datetime",
    )
    assert (
        text
        == "import os\nfrom datetime import datetime\n\n\ndef stamp():\n    return datetime.now()\n"
    )


def test_add_missing_import_goes_before_a_module_level_use(workdir: Path) -> None:
    source = '"""Doc."""\nimport os\nprint(json.dumps({}))\nimport sys\n'
    text, _ = codemod(
        workdir, source, "add_missing_import.AddMissingImportCommand", "--module", "json"
    )
    assert text == '"""Doc."""\nimport json\nimport os\nprint(json.dumps({}))\nimport sys\n'


def test_add_missing_import_is_skipped_when_defined(workdir: Path) -> None:
    source = "try:\n    import json\nexcept ImportError:\n    json = None\n"
    text, stderr = codemod(
        workdir, source, "add_missing_import.AddMissingImportCommand", "--module", "json"
    )
    assert text == source
    assert "already defined" in stderr


def test_define_logger_keeps_crlf(workdir: Path) -> None:
    source = "import os\r\n\r\n\r\ndef run():\r\n    logger.info(os.getcwd())\r\n"
    text, _ = codemod(workdir, source, "define_logger.DefineLoggerCommand")
    assert text == (
        "import logging\r\nimport os\r\n\r\nlogger = logging.getLogger(__name__)\r\n\r\n\r\n"
        "def run():\r\n    logger.info(os.getcwd())\r\n"
    )
    assert codes(text, "HF401") == []


def test_define_logger_before_a_guarded_import_that_logs(workdir: Path) -> None:
    source = (
        "import logging\n\ntry:\n    import torch\nexcept ImportError:\n"
        "    logger.warning('no torch')\n    torch = None\n"
    )
    text, _ = codemod(workdir, source, "define_logger.DefineLoggerCommand")
    assert text == (
        "import logging\n\nlogger = logging.getLogger(__name__)\n\ntry:\n    import torch\n"
        "except ImportError:\n    logger.warning('no torch')\n    torch = None\n"
    )


def test_add_availability_flag(workdir: Path) -> None:
    source = (
        "import os\n\ntry:\n    import torch\n    HAS_TORCH = True\nexcept ImportError:\n"
        "    HAS_TORCH = False\n\nDEVICE = 'cpu'\n\n\ndef info():\n    return HAS_PIL\n"
    )
    text, _ = codemod(
        workdir, source, "add_availability_flag.AddAvailabilityFlagCommand", "--flag", "HAS_PIL"
    )
    assert text == source.replace(
        "    HAS_TORCH = False\n",
        "    HAS_TORCH = False\n\ntry:\n    import PIL  # noqa: F401\n    HAS_PIL = True\n"
        "except ImportError:\n    HAS_PIL = False\n",
    )
    assert codes(text, "HF401") == []


def test_move_assignment_up(workdir: Path) -> None:
    source = (
        "import time\n\n\nclass TestBartModels:\n"
        "    def run(self):\n        print('start')\n        took = time.time() - started\n"
        "        # timer\n        started = time.time()\n        return took\n\n"
        "    def run(self):\n        print(other)\n        other = 1\n"
    )
    text, _ = codemod(
        workdir,
        source,
        "move_assignment_up.MoveAssignmentUpCommand",
        "--function",
        "TestBartModels.run",
        "--name",
        "started",
    )
    assert text == source.replace(
        "        took = time.time() - started\n        # timer\n        started = time.time()\n",
        "        # timer\n        started = time.time()\n        took = time.time() - started\n",
    )
    second, _ = codemod(
        workdir,
        text,
        "move_assignment_up.MoveAssignmentUpCommand",
        "--function",
        "TestBartModels.run",
        "--name",
        "other",
        "--occurrence",
        "1",
    )
    assert second.endswith("    def run(self):\n        other = 1\n        print(other)\n")
    assert codes(second, "HF402") == []


def test_start_clock(workdir: Path) -> None:
    """A timer read before it starts gets a clock started with its function; the first
    assignment, in a `with` block here, stays."""
    source = (
        "from datetime import datetime\n\n\nclass TestBartModels:\n"
        "    def test_pipeline(self):\n"
        '        """Time the pipeline."""\n'
        "        pipe = self.build()\n        took = datetime.now() - started\n"
        "        with self.lock:\n            started = datetime.now()\n"
        "            pipe('x')\n        return took, datetime.now() - started\n"
    )
    text, _ = codemod(
        workdir,
        source,
        "start_clock.StartClockCommand",
        "--function",
        "TestBartModels.test_pipeline",
        "--name",
        "started",
    )
    assert text == source.replace(
        '"""Time the pipeline."""\n', '"""Time the pipeline."""\n        started = datetime.now()\n'
    )
    assert codes(text, "HF402") == []


@pytest.mark.parametrize(
    "source",
    [
        # no clock: calling `load()` twice would not be the same
        "def f(n):\n    print(a)\n    for _ in n:\n        a = load()\n",
        # `time` is the function's own, not the module
        "import time\n\n\ndef f(n):\n    print(a)\n    time = n\n    for _ in n:\n"
        "        a = time.time()\n",
        # `clock` is no clock of the standard library
        "from mytools import clock\n\n\ndef f(n):\n    print(a)\n    for _ in n:\n"
        "        a = clock()\n",
    ],
)
def test_start_clock_refuses_what_is_no_clock(workdir: Path, source: str) -> None:
    text, stderr = codemod(
        workdir, source, "start_clock.StartClockCommand", "--function", "f", "--name", "a"
    )
    assert text == source
    assert "reads no clock" in stderr


@pytest.mark.parametrize(
    "body",
    [
        # the right-hand side reads a local assigned only after the read
        "    print(a)\n    b = 2\n    a = b\n",
        # something in between rebinds what the right-hand side reads
        "    print(a)\n    n = 3\n    a = n\n",
        # the assignment is nested deeper than the read
        "    print(a)\n    if n:\n        a = 1\n",
        # it writes more than names
        "    print(a)\n    a = n.x = 1\n",
    ],
)
def test_move_assignment_up_refuses_what_it_cannot_prove(workdir: Path, body: str) -> None:
    source = f"def f(n):\n{body}"
    assert [c for c, _ in codes(source, "HF402")] == [2]
    assert all(
        f.report.fix is None for f in lint_text(TARGET, source, [all_rules()["HF402"]]).findings
    )
    text, stderr = codemod(
        workdir,
        source,
        "move_assignment_up.MoveAssignmentUpCommand",
        "--function",
        "f",
        "--name",
        "a",
    )
    assert text == source
    assert "cannot be moved up safely" in stderr


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # keyword arguments, attributes, parameters and import aliases are not reads
        ("import os\n\n\ndef f(logger=None):\n    os.logger = 1\n    print(x=os.datetime)\n", []),
        (
            "from logging import getLogger as logger\nimport os.path as osp\nprint(logger, osp)\n",
            [],
        ),
        # a comprehension's variable read after the comprehension: undefined (Python 3)
        ("def f(items):\n    squares = [i * i for i in items]\n    return i\n", [3]),
        # a class-body name read inside a method, or in a comprehension of the class body
        ("class C:\n    k = 1\n    n = k\n\n    def m(self):\n        return k\n", [6]),
        # an `except` clause's type is read before its body
        (
            "def f():\n    try:\n        pass\n    except UndefinedError:\n        raise UndefinedError\n",
            [4],
        ),
        # lambdas, nested functions and decorators
        ("@deco\ndef f():\n    g = lambda a: a + free\n    return g\n", [1, 3]),
        ("def outer():\n    v = 1\n\n    def inner():\n        return v\n\n    return inner\n", []),
        # match patterns bind; the class they match against is read
        (
            "def f(p):\n    match p:\n        case {'k': v, **rest}:\n            return v, rest\n"
            "        case Point(x=x):\n            return x\n",
            [5],
        ),
        # module attributes Python provides
        ("print(__file__, __name__, __doc__)\n\n\nclass C:\n    where = __module__\n", []),
        # `del` and a later read at module level are left alone (bound at module level)
        ("x = 1\ndel x\n", []),
    ],
)
def test_undefined_name_scopes(source: str, expected: list[int]) -> None:
    assert [row for row, _ in codes(source, "HF401")] == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def f():\n    try:\n        pass\n    except Exception as e:\n        print(e)\n", []),
        ("def f():\n    def g(x):\n        return x\n\n    x = 1\n    return g\n", []),
        ("def f(items):\n    if any((found := i) for i in items):\n        print(found)\n", []),
        (
            "def f():\n    def s():\n        nonlocal x\n        x = 1\n\n    s()\n    print(x)\n    x = 0\n",
            [],
        ),
        (
            "def f():\n    while True:\n        if done:\n            break\n        done = True\n",
            [],
        ),
        ("def f():\n    for i in range(3):\n        print(acc)\n    acc = 0\n", [3]),
        ("def f():\n    print(os.sep)\n    import os\n", [2]),
        ("def f():\n    g()\n\n    def g():\n        pass\n", [2]),
        ("def f(c):\n    if c:\n        print(x)\n    else:\n        x = 1\n", [3]),
        ("def f():\n    x: int\n    print(x)\n    x = 1\n", []),
        ("async def f():\n    print(a)\n    a = await g()\n", [2]),
    ],
)
def test_use_before_assignment_cases(source: str, expected: list[int]) -> None:
    assert [row for row, _ in codes(source, "HF402")] == expected
