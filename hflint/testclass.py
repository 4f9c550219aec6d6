"""Questions about a test module's structure that several rules and codemods ask.

All of them look at module-level statements only: the suite's classes and entry points are never
nested, and not walking the whole tree keeps these checks cheap.
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst
import libcst.matchers as m

from hflint.cstwalk import iter_nodes
from hflint.naming import TEST_CLASS_PATTERN

MAIN_GUARD = m.If(
    test=m.Comparison(
        left=m.Name("__name__"),
        comparisons=[m.ComparisonTarget(operator=m.Equal(), comparator=m.SimpleString())],
    )
)


def top_level_classes(module: cst.Module) -> list[cst.ClassDef]:
    return [statement for statement in module.body if isinstance(statement, cst.ClassDef)]


def top_level_function(module: cst.Module, name: str) -> cst.FunctionDef | None:
    for statement in module.body:
        if isinstance(statement, cst.FunctionDef) and statement.name.value == name:
            return statement
    return None


def find_test_class(module: cst.Module, expected: str | None) -> cst.ClassDef | None:
    """The class the file's tests live in: the expected one, else the first `Test*Models` class."""
    classes = top_level_classes(module)
    for candidate in classes:
        if candidate.name.value == expected:
            return candidate
    for candidate in classes:
        if TEST_CLASS_PATTERN.match(candidate.name.value):
            return candidate
    return None


def class_methods(class_def: cst.ClassDef) -> dict[str, cst.FunctionDef]:
    body = class_def.body.body if isinstance(class_def.body, cst.IndentedBlock) else ()
    return {item.name.value: item for item in body if isinstance(item, cst.FunctionDef)}


def resolved_method(
    module: cst.Module, class_def: cst.ClassDef, name: str
) -> cst.FunctionDef | bool | None:
    """The method `name` of the class or of a base class defined in the module.

    Returns False when the method is certainly absent, True when it may come from a base class
    defined elsewhere (an import), and the definition when it is found.
    """
    classes = {c.name.value: c for c in top_level_classes(module)}
    seen: set[str] = set()
    pending = [class_def]
    unknown_base = False
    while pending:
        current = pending.pop(0)
        if current.name.value in seen:
            continue
        seen.add(current.name.value)
        method = class_methods(current).get(name)
        if method is not None:
            return method
        for base in current.bases:
            if isinstance(base.value, cst.Name) and base.value.value in classes:
                pending.append(classes[base.value.value])
            elif not (isinstance(base.value, cst.Name) and base.value.value == "object"):
                unknown_base = True
    return unknown_base


def main_guards(module: cst.Module) -> Iterator[cst.If]:
    for statement in module.body:
        if isinstance(statement, cst.If) and m.matches(statement, MAIN_GUARD):
            comparison = statement.test
            assert isinstance(comparison, cst.Comparison)
            literal = comparison.comparisons[0].comparator
            if isinstance(literal, cst.SimpleString) and literal.evaluated_value == "__main__":
                yield statement


def module_level_names(module: cst.Module) -> set[str]:
    """Names bound at module level, including inside `if`/`try` blocks (guarded imports)."""
    names: set[str] = set()
    _collect_bindings(module.body, names)
    return names


def _collect_bindings(statements: object, names: set[str]) -> None:
    for statement in statements if isinstance(statements, (list, tuple)) else ():
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            names.add(statement.name.value)
        elif isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                names.update(_small_statement_bindings(small))
        elif isinstance(statement, (cst.If, cst.Try, cst.With, cst.For, cst.While)):
            for block in _blocks(statement):
                _collect_bindings(block, names)


def _blocks(statement: cst.CSTNode) -> Iterator[object]:
    """The statement lists of a compound statement and of its else/except/finally parts."""
    for child in [statement, *_suites(statement)]:
        body = getattr(child, "body", None)
        if isinstance(body, cst.IndentedBlock):
            yield body.body


def _suites(statement: cst.CSTNode) -> Iterator[cst.CSTNode]:
    orelse = getattr(statement, "orelse", None)
    while orelse is not None:
        yield orelse
        orelse = getattr(orelse, "orelse", None) if isinstance(orelse, cst.If) else None
    yield from getattr(statement, "handlers", ())
    final = getattr(statement, "finalbody", None)
    if final is not None:
        yield final


def _small_statement_bindings(small: cst.BaseSmallStatement) -> Iterator[str]:
    if isinstance(small, cst.Import):
        for alias in small.names:
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                yield alias.asname.name.value
            else:
                yield _dotted(alias.name).split(".")[0]
    elif isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
        for alias in small.names:
            bound = alias.asname.name if alias.asname is not None else alias.name
            if isinstance(bound, cst.Name):
                yield bound.value
    elif isinstance(small, cst.Assign):
        for target in small.targets:
            yield from _target_names(target.target)
    elif isinstance(small, (cst.AnnAssign, cst.AugAssign)):
        yield from _target_names(small.target)


def _target_names(target: cst.BaseExpression) -> Iterator[str]:
    if isinstance(target, cst.Name):
        yield target.value
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from _target_names(element.value)


def _dotted(name: cst.BaseExpression) -> str:
    if isinstance(name, cst.Name):
        return name.value
    if isinstance(name, cst.Attribute):
        return f"{_dotted(name.value)}.{name.attr.value}"
    return ""


def exit_behaviour(function: cst.FunctionDef) -> tuple[bool, bool]:
    """(returns a value, exits the interpreter with a status itself), nested functions aside."""
    returns = exits = False
    nested = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
    for node in iter_nodes(function.body, prune=lambda n: isinstance(n, nested)):
        if isinstance(node, cst.Return):
            returns = returns or not (node.value is None or m.matches(node.value, m.Name("None")))
        elif isinstance(node, cst.Call) and node.args and is_exit_call(node):
            exits = True
    return returns, exits


EXIT_FUNCTION = m.Attribute(value=m.Name("sys"), attr=m.Name("exit")) | m.Name("exit")


def is_exit_call(node: cst.Call) -> bool:
    return m.matches(node.func, EXIT_FUNCTION | m.Name("SystemExit"))
