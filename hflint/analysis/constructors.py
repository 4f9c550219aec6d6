"""The constructor a test class really has, and whether the file's own calls can build it (HF106
and its fix).

A class's constructor is the nearest `__init__` among it and its base classes defined in the file;
without one, `unittest.TestCase`'s (`methodName="runTest"`) when every base from elsewhere is a
TestCase, `object`'s (no arguments) when there is no base from elsewhere, and unknown otherwise (an
imported base may define any constructor).

Lint-path code: isinstance checks, no matchers, no codemod imports.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from hflint.analysis.styles import is_test_case, is_test_case_name
from hflint.analysis.testclass import class_hierarchy, class_methods

INIT = "__init__"
TEST_CASE = "unittest.TestCase"
OBJECT = "object"
# `unittest.TestCase.__init__(self, methodName="runTest")`.
TEST_CASE_PARAMETER = "methodName"


@dataclass(frozen=True)
class Signature:
    """What a constructor accepts, the instance aside: (name, has a default) in order."""

    positional: tuple[tuple[str, bool], ...]
    keyword_only: tuple[tuple[str, bool], ...] = ()
    # Positional-only parameters cannot be passed by keyword.
    positional_only: frozenset[str] = frozenset()
    any_positional: bool = False  # *args
    any_keyword: bool = False  # **kwargs


@dataclass(frozen=True)
class Constructor:
    """The `__init__` a class is built with."""

    # Its definition in the file; None for the one `unittest.TestCase` or `object` gives.
    init: cst.FunctionDef | None
    # The class that defines it: the class itself, an in-file base, `unittest.TestCase`, `object`.
    owner: str
    # The class is a TestCase: unittest builds it (with a test method's name), not the runners.
    test_case: bool

    def signature(self) -> Signature:
        if self.init is None:
            if self.owner == TEST_CASE:
                return Signature(positional=((TEST_CASE_PARAMETER, True),))
            return Signature(positional=())
        params = self.init.params
        ordered = [*params.posonly_params, *params.params][1:]
        return Signature(
            positional=tuple((p.name.value, p.default is not None) for p in ordered),
            keyword_only=tuple((p.name.value, p.default is not None) for p in params.kwonly_params),
            positional_only=frozenset(p.name.value for p in params.posonly_params[1:]),
            any_positional=isinstance(params.star_arg, cst.Param),
            any_keyword=params.star_kwarg is not None,
        )

    def describe(self) -> str:
        """`TestBertModels.__init__`, `unittest.TestCase.__init__(methodName)`."""
        if self.init is None and self.owner == TEST_CASE:
            return f"`{TEST_CASE}.{INIT}({TEST_CASE_PARAMETER})`"
        if self.init is None:
            return f"`{OBJECT}.{INIT}()`"
        return f"`{self.owner}.{INIT}`"


def constructor_of(module: cst.Module, class_def: cst.ClassDef) -> Constructor | None:
    """The constructor `class_def` is built with, None when a base from elsewhere may define it."""
    classes, outside = class_hierarchy(module, class_def)
    test_case = is_test_case(module, class_def)
    for current in classes:
        init = class_methods(current).get(INIT)
        if init is not None:
            return Constructor(init, current.name.value, test_case)
    if not outside:
        return Constructor(None, OBJECT, test_case)
    if test_case and all(is_test_case_name(name) for name in outside):
        return Constructor(None, TEST_CASE, test_case)
    return None


def builds(call: cst.Call, class_name: str) -> bool:
    """`call` builds the class: `TestBertModels(...)`."""
    return isinstance(call.func, cst.Name) and call.func.value == class_name


@dataclass(frozen=True)
class BuildProblem:
    """Why a call cannot build the class (a TypeError when it runs)."""

    reason: str
    # Keyword arguments the constructor does not take: what a fix adds to it.
    unexpected: tuple[str, ...] = ()


def build_problem(constructor: Constructor, call: cst.Call) -> BuildProblem | None:
    """What makes `call` raise TypeError with this constructor, None when it fits (or a `*args` /
    `**kwargs` argument makes it unknowable)."""
    if any(arg.star for arg in call.args):
        return None
    signature = constructor.signature()
    given = sum(1 for arg in call.args if arg.keyword is None)
    keywords = [arg.keyword.value for arg in call.args if arg.keyword is not None]
    if given > len(signature.positional) and not signature.any_positional:
        return BuildProblem(
            f"takes {len(signature.positional)} positional argument(s), {given} given"
        )
    accepted = {name for name, _ in (*signature.positional, *signature.keyword_only)}
    accepted -= signature.positional_only
    unexpected = tuple(k for k in keywords if k not in accepted)
    if unexpected and not signature.any_keyword:
        shown = ", ".join(f"`{name}`" for name in unexpected)
        return BuildProblem(f"takes no {shown}", unexpected)
    bound = {name for name, _ in signature.positional[:given]} | set(keywords)
    missing = [
        name
        for name, has_default in (*signature.positional[given:], *signature.keyword_only)
        if not has_default and name not in bound
    ]
    if missing:
        return BuildProblem("needs " + ", ".join(f"`{name}`" for name in missing))
    return None
