"""Tests that skip themselves where a device is missing (HF302 counts their device uses as
checked): skip marks and decorators whose condition is about a device, module- and class-wide
marks, and `setUp`-style guards.

- a decorator: `@pytest.mark.skipif(not torch.cuda.is_available(), reason=...)`,
  `@unittest.skipUnless(torch.cuda.is_available(), ...)`, `@unittest.skipIf(not HAS_CUDA, ...)`,
  an unconditional `@pytest.mark.skip` / `@unittest.skip(...)` (the test never runs), a module-level
  alias of one (`requires_cuda = pytest.mark.skipif(...)`, then `@requires_cuda`), or a decorator
  named for what it requires (`@require_torch_gpu`, `@requires_cuda`, as transformers' testing
  utilities name theirs);
- `pytestmark = <one of those>` (or a list holding one) in a module or a class body;
- a `setUp`, `setUpClass`, `setup_method`, `setup_class` (or an autouse-style `setup`) whose
  `if <device check>:` ends in `self.skipTest(...)`, `pytest.skip(...)` or `raise SkipTest(...)`.

Lint-path code: isinstance checks, no matchers, no codemod imports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import libcst as cst

from hflint.analysis.devices import is_check
from hflint.analysis.nodes import callee_name, dotted_name, module_statements, string_value

# pytest's conditional marks, unittest's conditional decorators.
_CONDITIONAL = frozenset({"skipif", "skipIf", "skipUnless"})
# `pytest.mark.skip`, `unittest.skip("...")`: what they mark never runs.
_UNCONDITIONAL = "skip"
# `require_torch_gpu`, `require_torch_accelerator`, `requires_cuda`, `require_torch_multi_gpu`.
_REQUIRES = re.compile(r"requires?_\w*?(cuda|gpus?|accelerator|mps|xpu)\w*", re.I)
# Methods that run before each test (or once before a class's tests): a skip there skips them all.
_SETUP_METHODS = frozenset(
    {"setUp", "setUpClass", "asyncSetUp", "setup_method", "setup_class", "setup"}
)
# What ends a test as skipped: `pytest.skip(...)`, `self.skipTest(...)`.
SKIP_CALLS = frozenset({"skip", "skipTest"})
_PYTESTMARK = "pytestmark"


def skip_aliases(module: cst.Module, flags: frozenset[str]) -> frozenset[str]:
    """Module-level names bound to a device skip (`requires_cuda = pytest.mark.skipif(...)`)."""
    aliases: set[str] = set()
    for statement in module_statements(module.body):
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Assign) and is_skip_marker(small.value, flags, aliases):
                aliases.update(
                    t.target.value for t in small.targets if isinstance(t.target, cst.Name)
                )
    aliases.discard(_PYTESTMARK)
    return frozenset(aliases)


def is_skip_marker(
    node: cst.BaseExpression, flags: frozenset[str], aliases: set[str] | frozenset[str]
) -> bool:
    """A mark or decorator that skips what it marks when a device is missing (or always)."""
    call = node if isinstance(node, cst.Call) else None
    name = dotted_name(call.func if call is not None else node)
    last = name.rpartition(".")[2]
    if not last:
        return False
    if name in aliases or _REQUIRES.fullmatch(last) or last == _UNCONDITIONAL:
        return True
    if call is None or last not in _CONDITIONAL:
        return False
    condition = next(
        (a.value for a in call.args if a.keyword is None or a.keyword.value == "condition"), None
    )
    if condition is None:
        return False
    text = string_value(
        condition
    )  # pytest's old string conditions: "not torch.cuda.is_available()"
    if text is not None:
        return _REQUIRES.search(f"requires_{text}") is not None
    return is_check(condition, flags)


def marks_skip(value: cst.BaseExpression, flags: frozenset[str], aliases: frozenset[str]) -> bool:
    """A `pytestmark` value that holds a device skip: the mark itself, or a list or tuple of marks."""
    if isinstance(value, (cst.List, cst.Tuple)):
        return any(is_skip_marker(e.value, flags, aliases) for e in value.elements)
    return is_skip_marker(value, flags, aliases)


def module_marked(module: cst.Module, flags: frozenset[str], aliases: frozenset[str]) -> bool:
    """`pytestmark = <device skip>` at module level: every test of the module skips."""
    return _pytestmark_in(module_statements(module.body), flags, aliases)


def decorated_skip(
    decorators: Sequence[cst.Decorator], flags: frozenset[str], aliases: frozenset[str]
) -> bool:
    return any(is_skip_marker(d.decorator, flags, aliases) for d in decorators)


def class_skips(class_def: cst.ClassDef, flags: frozenset[str], aliases: frozenset[str]) -> bool:
    """Every test of the class skips where a device is missing: a skip decorator on the class,
    `pytestmark` in its body, or a guard in a method that runs before its tests."""
    if decorated_skip(class_def.decorators, flags, aliases):
        return True
    body = class_def.body.body if isinstance(class_def.body, cst.IndentedBlock) else ()
    if _pytestmark_in(body, flags, aliases):
        return True
    return any(
        isinstance(member, cst.FunctionDef)
        and member.name.value in _SETUP_METHODS
        and _guards_with_skip(member, flags)
        for member in body
    )


def _pytestmark_in(
    statements: Iterable[cst.CSTNode], flags: frozenset[str], aliases: frozenset[str]
) -> bool:
    for statement in statements:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if (
                isinstance(small, cst.Assign)
                and any(dotted_name(t.target) == _PYTESTMARK for t in small.targets)
                and marks_skip(small.value, flags, aliases)
            ):
                return True
    return False


def _guards_with_skip(function: cst.FunctionDef, flags: frozenset[str]) -> bool:
    """`if <device check>: self.skipTest(...)` (or `pytest.skip`, `raise SkipTest`) in the body."""
    body = function.body.body if isinstance(function.body, cst.IndentedBlock) else ()
    return any(
        isinstance(statement, cst.If)
        and is_check(statement.test, flags)
        and ends_in_skip(statement.body)
        for statement in body
    )


def ends_in_skip(body: cst.BaseSuite) -> bool:
    """The block's last statement skips the test: `pytest.skip(...)`, `self.skipTest(...)`,
    `raise unittest.SkipTest(...)`."""
    last = last_small_statement(body)
    if isinstance(last, cst.Expr) and isinstance(last.value, cst.Call):
        return callee_name(last.value) in SKIP_CALLS
    if isinstance(last, cst.Raise) and last.exc is not None:
        raised = dotted_name(last.exc.func if isinstance(last.exc, cst.Call) else last.exc)
        return raised.endswith(("SkipTest", "skip.Exception"))
    return False


def last_small_statement(body: cst.BaseSuite) -> cst.BaseSmallStatement | None:
    if isinstance(body, cst.SimpleStatementSuite):
        return body.body[-1] if body.body else None
    last = body.body[-1] if body.body else None
    if isinstance(last, cst.SimpleStatementLine) and last.body:
        return last.body[-1]
    return None
