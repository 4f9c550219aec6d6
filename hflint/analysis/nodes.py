"""The CST helpers the analysis shares: one tree walker (a read-only generator of nodes, and a driver
of `visit_<Node>`/`leave_<Node>` handlers), the statement lists of compound statements, dotted
names, string values, dict literals, assignment targets, parameters.

`CSTNode.visit` rebuilds every node it passes (that is how transformers work), which costs about as
much as parsing. Reading dataclass fields directly costs a fraction of that.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cache

import libcst as cst

# Fields that only hold whitespace, comments and punctuation. Skipping them roughly halves the walk;
# they are walked after all when a handler asks for one of the node types they hold.
_TRIVIA_FIELDS = frozenset(
    {
        "leading_lines",
        "lines_after_decorators",
        "header",
        "footer",
        "newline",
        "trailing_whitespace",
        "lpar",
        "rpar",
        "comma",
        "semicolon",
        "colon",
        "equal",
        "dot",
    }
)
# The node types those fields hold.
TRIVIA_TYPES = frozenset(
    {
        "Comment",
        "EmptyLine",
        "Newline",
        "TrailingWhitespace",
        "SimpleWhitespace",
        "ParenthesizedWhitespace",
        "LeftParen",
        "RightParen",
        "Comma",
        "Semicolon",
        "Colon",
        "AssignEqual",
        "Dot",
    }
)

Handler = Callable[[cst.CSTNode], object]


@cache
def child_fields(node_type: type[cst.CSTNode], with_trivia: bool) -> tuple[str, ...]:
    return tuple(
        f.name
        for f in dataclasses.fields(node_type)
        if with_trivia or not (f.name in _TRIVIA_FIELDS or "whitespace" in f.name)
    )


def child_nodes(node: cst.CSTNode, with_trivia: bool) -> list[cst.CSTNode]:
    """A node's children (trivia aside, unless `with_trivia`), in the order of its fields."""
    children: list[cst.CSTNode] = []
    for name in child_fields(type(node), with_trivia):
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            children.append(value)
        elif isinstance(value, (list, tuple)):
            children.extend(child for child in value if isinstance(child, cst.CSTNode))
    return children


def iter_nodes(
    node: cst.CSTNode,
    *,
    prune: Callable[[cst.CSTNode], bool] | None = None,
    with_trivia: bool = False,
) -> Iterator[cst.CSTNode]:
    """`node` and its descendants (trivia aside, unless `with_trivia`), in source order; much
    faster than a CSTVisitor because no node is rebuilt. Descendants of a node for which `prune`
    is true are skipped."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if prune is not None and current is not node and prune(current):
            continue
        stack.extend(reversed(child_nodes(current, with_trivia)))


def parents(node: cst.CSTNode) -> dict[int, cst.CSTNode]:
    """id(descendant) -> its parent, for every descendant of `node` (trivia aside)."""
    found: dict[int, cst.CSTNode] = {}
    for current in iter_nodes(node):
        for child in child_nodes(current, False):
            found[id(child)] = current
    return found


def walk(
    node: cst.CSTNode,
    visitors: Mapping[str, Sequence[Handler]],
    leavers: Mapping[str, Sequence[Handler]],
) -> None:
    """Call the `visitors` of each node's type (by class name) on it before its descendants, and
    its `leavers` after them, in source order. Trivia is walked only when a handler asks for it."""
    with_trivia = any(node_type in TRIVIA_TYPES for node_type in (*visitors, *leavers))
    _walk(node, visitors, leavers, with_trivia)


def _walk(
    node: cst.CSTNode,
    visitors: Mapping[str, Sequence[Handler]],
    leavers: Mapping[str, Sequence[Handler]],
    with_trivia: bool,
) -> None:
    node_type = type(node).__name__
    for visit in visitors.get(node_type, ()):
        visit(node)
    for child in child_nodes(node, with_trivia):
        _walk(child, visitors, leavers, with_trivia)
    for leave in leavers.get(node_type, ()):
        leave(node)


@cache
def handled_types(handlers_type: type) -> tuple[tuple[str, bool, bool], ...]:
    """(node type, has visit_, has leave_) for every node type a class has handlers for."""
    names = {n.split("_", 1)[1] for n in dir(handlers_type) if n.startswith(("visit_", "leave_"))}
    return tuple(
        (name, hasattr(handlers_type, f"visit_{name}"), hasattr(handlers_type, f"leave_{name}"))
        for name in sorted(names)
    )


def add_handlers(
    visitors: dict[str, list[Handler]], leavers: dict[str, list[Handler]], handlers: object
) -> None:
    """Add an object's `visit_<Node>`/`leave_<Node>` methods to the tables `walk` takes."""
    handlers_type: type = type(handlers)
    for node_type, has_visit, has_leave in handled_types(handlers_type):
        if has_visit:
            visitors.setdefault(node_type, []).append(getattr(handlers, f"visit_{node_type}"))
        if has_leave:
            leavers.setdefault(node_type, []).append(getattr(handlers, f"leave_{node_type}"))


def drive(handlers: object, node: cst.CSTNode) -> None:
    """Run an object's `visit_<Node>`/`leave_<Node>` methods over a tree, as the linter's batched
    visit runs a rule's: for codemods, which reuse a rule's analysis outside that visit."""
    visitors: dict[str, list[Handler]] = {}
    leavers: dict[str, list[Handler]] = {}
    add_handlers(visitors, leavers, handlers)
    walk(node, visitors, leavers)


# ---------------------------------------------------------------------------------------------
# Statements


def clause_blocks(
    statement: cst.CSTNode,
) -> Iterator[tuple[cst.IndentedBlock | None, Sequence[cst.CSTNode]]]:
    """The statement lists directly in a compound statement, in source order, each with the block
    that holds it: the body, then the `case`s of a `match`, the `except` handlers, an `elif` (a
    list of one `If`), the `else` and `finally` bodies. Cases, handlers and an `elif` are clauses
    that hold statement lists of their own; they come with None, being no block themselves."""
    body = getattr(statement, "body", None)
    if isinstance(body, cst.IndentedBlock):
        yield body, body.body
    if isinstance(statement, cst.Match):
        yield None, statement.cases
    handlers = getattr(statement, "handlers", ())
    if handlers:
        yield None, handlers
    orelse = getattr(statement, "orelse", None)
    if isinstance(orelse, cst.If):
        yield None, [orelse]
    elif isinstance(orelse, cst.Else) and isinstance(orelse.body, cst.IndentedBlock):
        yield orelse.body, orelse.body.body
    final = getattr(statement, "finalbody", None)
    if isinstance(final, cst.Finally) and isinstance(final.body, cst.IndentedBlock):
        yield final.body, final.body.body


def statement_lists(statement: cst.CSTNode) -> Iterator[Sequence[cst.CSTNode]]:
    """Every statement list of a compound statement and of its clauses (`elif`, `except`, `case`),
    in source order; not those of the statements nested in them."""
    for block, statements in clause_blocks(statement):
        if block is not None:
            yield statements
        else:
            for clause in statements:
                yield from statement_lists(clause)


def module_statements(statements: Sequence[cst.CSTNode]) -> Iterator[cst.CSTNode]:
    """The statements that run at module level, in source order: `statements` and those of their
    blocks (`if`, `try`, `with`, loops, `match`: guarded imports, say), not of function or class
    bodies."""
    for statement in statements:
        yield statement
        if isinstance(statement, cst.BaseCompoundStatement) and not isinstance(
            statement, (cst.FunctionDef, cst.ClassDef)
        ):
            for inner in statement_lists(statement):
                yield from module_statements(inner)


def target_elements(target: cst.BaseExpression) -> Iterator[cst.BaseExpression]:
    """What an assignment target assigns to, unpacked: `a, (self.b, *c)` -> `a`, `self.b`, `c`."""
    if isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from target_elements(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from target_elements(target.value)
    else:
        yield target


def target_names(target: cst.BaseExpression) -> Iterator[cst.Name]:
    """The names an assignment target binds (`a`, `a, (b, *c)`); none for `x.attr` or `x[i]`."""
    for element in target_elements(target):
        if isinstance(element, cst.Name):
            yield element


# ---------------------------------------------------------------------------------------------
# Expressions and functions


def dotted_name(node: cst.CSTNode) -> str:
    """`a.b.c` for a name or a chain of attributes on a name; "" for anything else (`f().x`)."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        inner = dotted_name(node.value)
        return f"{inner}.{node.attr.value}" if inner else ""
    return ""


def callee_name(call: cst.Call) -> str | None:
    """The name a call calls: `f` for `f()` and `x.f()`; None for `f()()` and the like."""
    func = call.func
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return None


def string_value(node: cst.CSTNode | None) -> str | None:
    """The value of a string literal (implicitly concatenated or not, f-strings aside), else None."""
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def parameter_names(function: cst.FunctionDef) -> set[str]:
    """Every name `function`'s parameters bind (positional-only, keyword-only, `*args`, `**kw`)."""
    params = function.params
    names = {p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)}
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            names.add(star.name.value)
    return names


def method_receiver(function: cst.FunctionDef) -> str | None:
    """The instance parameter of a method (`self`), None for static and class methods."""
    for decorator in function.decorators:
        target = decorator.decorator
        if isinstance(target, cst.Name) and target.value in ("staticmethod", "classmethod"):
            return None
    params = (*function.params.posonly_params, *function.params.params)
    return params[0].name.value if params else None


def dict_literal_entries(node: cst.BaseExpression) -> list[tuple[str, cst.BaseExpression]] | None:
    """(key, value) of a dict literal, `{...}` or `dict(key=...)`; None for anything else, or for
    one whose keys are not all known (`**other`, a computed key)."""
    if isinstance(node, cst.Dict):
        entries: list[tuple[str, cst.BaseExpression]] = []
        for element in node.elements:
            key = string_value(element.key) if isinstance(element, cst.DictElement) else None
            if key is None:
                return None
            entries.append((key, element.value))
        return entries
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "dict":
        if any(arg.keyword is None for arg in node.args):
            return None
        return [(arg.keyword.value, arg.value) for arg in node.args if arg.keyword is not None]
    return None


def is_self_attribute(node: cst.CSTNode) -> bool:
    """Whether `node` is `self.<attr>`."""
    return (
        isinstance(node, cst.Attribute)
        and isinstance(node.value, cst.Name)
        and node.value.value == "self"
    )


def is_get_call(node: cst.CSTNode) -> bool:
    """Whether `node` is a dict lookup `x.get(key)` or `x.get(key, default)`."""
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "get"
        and 1 <= len(node.args) <= 2
        and all(arg.keyword is None and arg.star == "" for arg in node.args)
    )


def is_none(node: cst.CSTNode) -> bool:
    """Whether `node` is the name `None`."""
    return isinstance(node, cst.Name) and node.value == "None"
