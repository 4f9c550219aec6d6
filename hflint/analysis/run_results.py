"""What a script-style test class's `run_tests()` returns, read from its code (HF107 and its fix):
whether `hflint exec`'s reader (`hflint.exec.results`, whose vocabulary is
`hflint.result_shapes`) can certainly find no test in it, on every path: it returns nothing, a
value that is certainly no dict (`True`, `len(...)`, a comparison, a list), or a dict literal whose
keys hold no test in any shape the reader knows. Anything the code does not settle (a variable,
a call, `**spread`) may hold tests.

Lint-path code: isinstance checks, no matchers, no codemod imports.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from hflint.analysis.nodes import iter_nodes, string_value
from hflint.result_shapes import (
    CONTAINERS,
    ERROR_KEY,
    NOT_TESTS,
    STATUS,
    SUCCESS,
    is_flat_success,
    status_of,
)

# Builtins whose result is never a dict.
_NOT_DICT_CALLS = frozenset(
    {"len", "str", "repr", "int", "float", "bool", "list", "tuple", "set", "sorted", "all", "any"}
)
_NOT_DICT_NODES = (
    cst.Integer,
    cst.Float,
    cst.Imaginary,
    cst.List,
    cst.Tuple,
    cst.Set,
    cst.ListComp,
    cst.SetComp,
    cst.GeneratorExp,
    cst.Comparison,
    cst.SimpleString,
    cst.ConcatenatedString,
    cst.FormattedString,
    cst.Lambda,
)
_NESTED = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
_TEST_PREFIX = "test"


@dataclass(frozen=True)
class Unreadable:
    """Why no test can be read from what the function returns, path by path."""

    # "nothing", "`True` (not a dict)", "`{results: {count}}` (whose keys hold no test)": what it
    # returns, one phrase per kind of return, in source order.
    reasons: tuple[str, ...]
    # The returns whose value is replaced by a fix (valueless ones included).
    returns: tuple[cst.Return, ...]
    # The end of the body can be reached (the function then returns None).
    falls_through: bool


def unreadable_result(function: cst.FunctionDef) -> Unreadable | None:
    """How every path of `function` returns something no test can be read from, or None when
    some path may return tests (or the function is a generator, or always raises)."""
    returns: list[cst.Return] = []
    for node in iter_nodes(function.body, prune=lambda n: isinstance(n, _NESTED)):
        if isinstance(node, (cst.Yield, cst.Await)):
            return None
        if isinstance(node, cst.Return):
            returns.append(node)
    falls_through = not _always_leaves(_statements(function.body))
    if not returns and not falls_through:
        return None  # it always raises: another defect, which a run reports
    reasons: list[str] = []
    for node in returns:
        reason = _unreadable_value(node.value)
        if reason is None:
            return None
        if reason not in reasons:
            reasons.append(reason)
    if falls_through and _NOTHING not in reasons:
        reasons.append(_NOTHING)
    return Unreadable(tuple(reasons), tuple(returns), falls_through)


_NOTHING = "nothing"


def _unreadable_value(value: cst.BaseExpression | None) -> str | None:
    if value is None or (isinstance(value, cst.Name) and value.value == "None"):
        return _NOTHING
    if is_not_dict(value):
        return f"`{_short(value)}` (not a dict)"
    if isinstance(value, cst.Dict) and not may_hold_tests(value):
        return f"`{dict_shape(value)}` (whose keys hold no test)"
    return None


def is_not_dict(value: cst.BaseExpression) -> bool:
    """The value is certainly no dict (nor any mapping)."""
    if isinstance(value, _NOT_DICT_NODES):
        return True
    if isinstance(value, cst.Name):
        return value.value in ("True", "False", "None")
    if isinstance(value, cst.UnaryOperation):
        return isinstance(value.operator, cst.Not) or is_not_dict(value.expression)
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Name):
        return value.func.value in _NOT_DICT_CALLS
    return False


def _literal_entries(node: cst.Dict) -> dict[str, cst.BaseExpression] | None:
    """The dict literal's string keys and values, None when `**spread` or a computed key leaves
    its keys unknown."""
    entries: dict[str, cst.BaseExpression] = {}
    for element in node.elements:
        key = string_value(element.key) if isinstance(element, cst.DictElement) else None
        if key is None or not isinstance(element, cst.DictElement):
            return None
        entries[key] = element.value
    return entries


def may_hold_tests(node: cst.Dict) -> bool:
    """Whether the reader may find a test in the dict literal, as `hflint.exec.results.read_tests`
    looks: in the first container key whose value is a dict (`results`, `tests`, `status`), else in
    the dict itself; a key outside `NOT_TESTS` whose value is a test's dict or a status string, a
    `<test>_success` key, or the dict's own `success`."""
    entries = _literal_entries(node)
    if entries is None:
        return True
    for name in CONTAINERS:
        value = entries.get(name)
        if value is None or is_not_dict(value):
            continue
        if not isinstance(value, cst.Dict):
            return True  # a variable or a call may be the dict of tests
        entries = _literal_entries(value)
        if entries is None:
            return True
        break
    if SUCCESS in entries or any(is_flat_success(key) for key in entries):
        return True
    return any(name not in NOT_TESTS and may_be_test(value) for name, value in entries.items())


def may_be_test(value: cst.BaseExpression) -> bool:
    """Whether a value of the dict of tests may be one test: a dict with `success`, `status`, an
    `error` or `<test>_success` keys, or a status string (`"Success"`, `"Failed: ..."`)."""
    if isinstance(value, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
        text = string_value(value)
        return text is None or status_of(text) is not None  # an f-string may be one
    if isinstance(value, cst.Dict):
        entries = _literal_entries(value)
        if entries is None:
            return True
        return (
            SUCCESS in entries
            or any(is_flat_success(key) for key in entries)
            or _may_be_text(entries.get(STATUS))
            or _may_be_text(entries.get(ERROR_KEY), nonempty=True)
        )
    return not is_not_dict(value)


def _may_be_text(value: cst.BaseExpression | None, *, nonempty: bool = False) -> bool:
    """The value may be a string (a non-empty one, with `nonempty`)."""
    if value is None or isinstance(value, cst.Dict):
        return False
    if isinstance(value, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
        text = string_value(value)
        return text is None or bool(text) or not nonempty
    return not is_not_dict(value)


def dict_shape(node: cst.Dict, depth: int = 2) -> str:
    """`{results: {count}, metadata}`: a dict literal's keys, nested dicts `depth` levels deep."""
    entries = _literal_entries(node) or {}
    parts = [
        f"{key}: {dict_shape(value, depth - 1)}"
        if isinstance(value, cst.Dict) and depth > 1 and value.elements
        else key
        for key, value in entries.items()
    ]
    return "{" + ", ".join(parts) + "}"


def _short(node: cst.CSTNode) -> str:
    code = cst.Module([]).code_for_node(node)
    first = code.splitlines()[0] if code else code
    return first if len(first) <= 40 and first == code else first[:37] + "..."


def _statements(body: cst.BaseSuite) -> list[cst.CSTNode]:
    return list(body.body)


def _always_leaves(statements: list[cst.CSTNode]) -> bool:
    """The statements never reach their end: the last returns or raises, or is an `if` whose
    every branch does, a `try` whose body and handlers do, a `with` whose body does."""
    if not statements:
        return False
    last = statements[-1]
    if isinstance(last, cst.SimpleStatementLine):
        return bool(last.body) and isinstance(last.body[-1], (cst.Return, cst.Raise))
    if isinstance(last, cst.If):
        if last.orelse is None:
            return False
        other: list[cst.CSTNode] = (
            [last.orelse] if isinstance(last.orelse, cst.If) else _statements(last.orelse.body)
        )
        return _always_leaves(_statements(last.body)) and _always_leaves(other)
    if isinstance(last, cst.Try):
        main = _always_leaves(_statements(last.body)) or (
            last.orelse is not None and _always_leaves(_statements(last.orelse.body))
        )
        return main and all(_always_leaves(_statements(h.body)) for h in last.handlers)
    if isinstance(last, cst.With):
        return _always_leaves(_statements(last.body))
    return False


@dataclass(frozen=True)
class TestCall:
    """A `self.test_<name>(...)` statement whose value `run_tests()` drops."""

    statement: cst.SimpleStatementLine
    method: str

    @property
    def key(self) -> str:
        """The test's name in the results: `pipeline` for `test_pipeline`."""
        return self.method.removeprefix(f"{_TEST_PREFIX}_") or self.method


def dropped_test_calls(function: cst.FunctionDef, receiver: str) -> Iterator[TestCall]:
    """The statements of `function` (nested blocks included, nested functions not) that call one
    of the instance's `test*` methods and drop what it returns."""
    for node in iter_nodes(function.body, prune=lambda n: isinstance(n, _NESTED)):
        if not (isinstance(node, cst.SimpleStatementLine) and len(node.body) == 1):
            continue
        small = node.body[0]
        call = small.value if isinstance(small, cst.Expr) else None
        if (
            isinstance(call, cst.Call)
            and isinstance(call.func, cst.Attribute)
            and isinstance(call.func.value, cst.Name)
            and call.func.value.value == receiver
            and call.func.attr.value.startswith(_TEST_PREFIX)
        ):
            yield TestCall(node, call.func.attr.value)


def returns_no_test(method: cst.FunctionDef) -> bool:
    """Every path of the method returns something that is certainly not one test's result."""
    values: list[cst.BaseExpression | None] = []
    for node in iter_nodes(method.body, prune=lambda n: isinstance(n, _NESTED)):
        if isinstance(node, (cst.Yield, cst.Await)):
            return False
        if isinstance(node, cst.Return):
            values.append(node.value)
    if not _always_leaves(_statements(method.body)):
        values.append(None)
    return all(value is None or not may_be_test(value) for value in values)
