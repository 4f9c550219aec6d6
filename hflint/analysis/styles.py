"""How a test file's tests are meant to be run, read from its code without importing it.

- `script`: the suite's own contract, a `Test*Models` class that is not a `TestCase` (runners and
  `hflint exec` build `Test<Model>Models(model_id=..., device=...)` and read what `run_tests()`
  returns), or a module-level `run_tests()`.
- `unittest`: a `unittest.TestCase` subclass with `test*` methods, run by unittest's loader, even
  named `Test*Models` with a `run_tests()` (such a `run_tests()` calls `unittest.main()`).
- `pytest`: module-level `test*` functions, or `Test*` classes without `__init__` that have tests.

Any other file is `script`: the suite's contract is what it is checked against (HF101 asks for
the class). The suite's class name wins over pytest's conventions, so a half-written
`Test<Model>Models` stays a script file while its fixes fill it in. The rules that ask for an entry
point (HF101, HF105) hold script files only; `hflint exec` runs each style its own way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal

import libcst as cst

from hflint.analysis.nodes import dotted_name, module_statements
from hflint.analysis.testclass import class_methods, find_test_class

TestStyle = Literal["script", "unittest", "pytest"]
SCRIPT: TestStyle = "script"
UNITTEST: TestStyle = "unittest"
PYTEST: TestStyle = "pytest"
STYLES: tuple[TestStyle, ...] = (SCRIPT, UNITTEST, PYTEST)

# unittest's `testMethodPrefix`, and pytest's default `python_functions` and `python_classes`.
_TEST_PREFIX = "test"
_PYTEST_CLASS_PREFIX = "Test"
# unittest.TestCase, IsolatedAsyncioTestCase, absltest.TestCase, a suite's own `ModelTestCase`...
_TEST_CASE_BASE = re.compile(r"TestCase$")

# Every definition of each class name the module makes (a fallback class in an `except` block
# is one more definition of the name).
_Classes = dict[str, list[cst.ClassDef]]


def detect_style(module: cst.Module, expected_class: str | None) -> TestStyle:
    """The style of the file whose expected test class is `expected_class` (None: unknown)."""
    classes = _module_classes(module)
    script_class = find_test_class(module, expected_class)
    if script_class is not None and not _is_test_case(script_class, classes, set()):
        return SCRIPT
    every_class = [definition for group in classes.values() for definition in group]
    if any(_is_test_case(c, classes, set()) and _has_tests(c, classes) for c in every_class):
        return UNITTEST
    functions = _module_functions(module)
    if "run_tests" in functions:
        return SCRIPT
    if any(name.startswith(_TEST_PREFIX) for name in functions) or any(
        _is_pytest_class(c, classes) for c in every_class
    ):
        return PYTEST
    return SCRIPT


def is_test_case(module: cst.Module, class_def: cst.ClassDef) -> bool:
    """Whether the class derives from a `*TestCase` class (unittest builds it, with its own
    constructor), directly or through classes the module defines."""
    return _is_test_case(class_def, _module_classes(module), set())


def is_test_case_name(name: str) -> bool:
    """`unittest.TestCase`, `TestCase`, `absltest.TestCase`, a suite's `ModelTestCase`."""
    return _TEST_CASE_BASE.search(name.rsplit(".", 1)[-1]) is not None


def _module_classes(module: cst.Module) -> _Classes:
    found: _Classes = {}
    for statement in module_statements(module.body):
        if isinstance(statement, cst.ClassDef):
            found.setdefault(statement.name.value, []).append(statement)
    return found


def _module_functions(module: cst.Module) -> set[str]:
    return {
        statement.name.value
        for statement in module_statements(module.body)
        if isinstance(statement, cst.FunctionDef)
    }


def _base_names(class_def: cst.ClassDef) -> Iterator[str]:
    for base in class_def.bases:
        name = dotted_name(base.value)
        if name:
            yield name


def _is_test_case(class_def: cst.ClassDef, classes: _Classes, seen: set[str]) -> bool:
    """Whether the class derives from a `*TestCase` class, directly or through classes the module
    defines (under any of their definitions)."""
    seen.add(class_def.name.value)
    for name in _base_names(class_def):
        if is_test_case_name(name):
            return True
        if name not in seen and any(
            _is_test_case(base, classes, seen) for base in classes.get(name, ())
        ):
            return True
    return False


def _methods(class_def: cst.ClassDef, classes: _Classes) -> set[str]:
    """The methods of the class and of the bases the module defines."""
    names: set[str] = set()
    pending, seen = [class_def], set()
    while pending:
        current = pending.pop()
        if current.name.value in seen:
            continue
        seen.add(current.name.value)
        names.update(class_methods(current))
        for base in _base_names(current):
            pending.extend(classes.get(base, ()))
    return names


def _has_tests(class_def: cst.ClassDef, classes: _Classes) -> bool:
    return any(name.startswith(_TEST_PREFIX) for name in _methods(class_def, classes))


def _is_pytest_class(class_def: cst.ClassDef, classes: _Classes) -> bool:
    """A class pytest collects: `Test*`, no `__init__`, and tests."""
    methods = _methods(class_def, classes)
    return (
        class_def.name.value.startswith(_PYTEST_CLASS_PREFIX)
        and "__init__" not in methods
        and any(name.startswith(_TEST_PREFIX) for name in methods)
    )
