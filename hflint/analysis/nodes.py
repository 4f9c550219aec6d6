"""The CST helpers the analysis shares: a fast read-only walk, dotted names, string values.

`CSTNode.visit` rebuilds every node it passes (that is how transformers work), which costs about as
much as parsing. Reading dataclass fields directly costs a fraction of that.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from functools import cache

import libcst as cst

# Fields that only hold whitespace, comments and punctuation. Skipping them roughly halves the walk;
# they are walked after all when an enabled rule visits one of the node types they hold.
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


@cache
def child_fields(node_type: type[cst.CSTNode], with_trivia: bool) -> tuple[str, ...]:
    return tuple(
        f.name
        for f in dataclasses.fields(node_type)
        if with_trivia or not (f.name in _TRIVIA_FIELDS or "whitespace" in f.name)
    )


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
        children: list[cst.CSTNode] = []
        for name in child_fields(type(current), with_trivia):
            value = getattr(current, name)
            if isinstance(value, cst.CSTNode):
                children.append(value)
            elif isinstance(value, (list, tuple)):
                children.extend(child for child in value if isinstance(child, cst.CSTNode))
        stack.extend(reversed(children))


def dotted_name(node: cst.CSTNode) -> str:
    """`a.b.c` for a name or a chain of attributes on a name; "" for anything else (`f().x`)."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        inner = dotted_name(node.value)
        return f"{inner}.{node.attr.value}" if inner else ""
    return ""


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
