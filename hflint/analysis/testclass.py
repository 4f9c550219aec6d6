"""Questions about a test module's structure that several rules and codemods ask.

All of them look at module-level statements only: the suite's classes and entry points are never
nested, and not walking the whole tree keeps these checks cheap.
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from hflint.analysis.nodes import dotted_name, iter_nodes, module_statements, target_names
from hflint.naming import TEST_CLASS_PATTERN

# The parameters every test class's constructor must accept (the runners pass both).
CONTRACT_PARAMETERS = ("model_id", "device")


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


def in_file_bases(module: cst.Module, class_def: cst.ClassDef) -> tuple[list[cst.ClassDef], bool]:
    """The class and its base classes defined in the module (nearest first), and whether some base
    comes from elsewhere (an import), which makes what the class defines unknowable here."""
    found, outside = class_hierarchy(module, class_def)
    return found, bool(outside)


def class_hierarchy(
    module: cst.Module, class_def: cst.ClassDef
) -> tuple[list[cst.ClassDef], list[str]]:
    """The class and its base classes defined in the module (nearest first), and the bases from
    elsewhere, as written (`unittest.TestCase`; "" for an expression that is no dotted name)."""
    classes = {c.name.value: c for c in top_level_classes(module)}
    found: list[cst.ClassDef] = []
    outside: list[str] = []
    pending = [class_def]
    while pending:
        current = pending.pop(0)
        if current in found:
            continue
        found.append(current)
        for base in current.bases:
            if base.keyword is not None:
                continue
            if isinstance(base.value, cst.Name) and base.value.value in classes:
                pending.append(classes[base.value.value])
            elif not _is_name(base.value, "object"):
                outside.append(dotted_name(base.value))
    return found, outside


def resolved_method(
    module: cst.Module, class_def: cst.ClassDef, name: str
) -> cst.FunctionDef | bool | None:
    """The method `name` of the class or of a base class defined in the module.

    Returns False when the method is certainly absent, True when it may come from a base class
    defined elsewhere (an import), and the definition when it is found.
    """
    classes, unknown_base = in_file_bases(module, class_def)
    for current in classes:
        method = class_methods(current).get(name)
        if method is not None:
            return method
    return unknown_base


def main_guards(module: cst.Module) -> Iterator[cst.If]:
    for statement in module.body:
        if isinstance(statement, cst.If) and _is_main_test(statement.test):
            yield statement


def _is_main_test(test: cst.BaseExpression) -> bool:
    """`__name__ == "__main__"` (either quote style)."""
    if not (isinstance(test, cst.Comparison) and len(test.comparisons) == 1):
        return False
    target = test.comparisons[0]
    return (
        _is_name(test.left, "__name__")
        and isinstance(target.operator, cst.Equal)
        and isinstance(target.comparator, cst.SimpleString)
        and target.comparator.evaluated_value == "__main__"
    )


def _is_name(node: cst.CSTNode, value: str) -> bool:
    return isinstance(node, cst.Name) and node.value == value


def is_bare_main_call(statement: cst.CSTNode) -> bool:
    """A `main()` statement whose result (the exit status) is dropped."""
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.Call)
        and _is_name(statement.body[0].value.func, "main")
    )


def module_level_names(module: cst.Module) -> set[str]:
    """Names bound at module level, including inside `if`/`try` blocks (guarded imports)."""
    names: set[str] = set()
    for statement in module_statements(module.body):
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            names.add(statement.name.value)
        elif isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                names.update(_small_statement_bindings(small))
    return names


def _small_statement_bindings(small: cst.BaseSmallStatement) -> Iterator[str]:
    if isinstance(small, cst.Import):
        for alias in small.names:
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                yield alias.asname.name.value
            else:
                yield dotted_name(alias.name).split(".")[0]
    elif isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
        for alias in small.names:
            bound = alias.asname.name if alias.asname is not None else alias.name
            if isinstance(bound, cst.Name):
                yield bound.value
    elif isinstance(small, cst.Assign):
        for target in small.targets:
            yield from (name.value for name in target_names(target.target))
    elif isinstance(small, (cst.AnnAssign, cst.AugAssign)):
        yield from (name.value for name in target_names(small.target))


def module_imports(module: cst.Module) -> Iterator[cst.Import | cst.ImportFrom]:
    """The import statements that run at module level, guarded ones included, in source order."""
    for statement in module_statements(module.body):
        if isinstance(statement, cst.SimpleStatementLine):
            yield from (s for s in statement.body if isinstance(s, (cst.Import, cst.ImportFrom)))


def module_aliases(module: cst.Module) -> dict[str, str]:
    """Module (or `module.name` for `from` imports) -> how the file refers to it, for imports at
    module level, guarded ones included (`import numpy as np` -> numpy: np); the first one wins."""
    aliases: dict[str, str] = {}
    for small in module_imports(module):
        if isinstance(small, cst.Import):
            for alias in small.names:
                dotted = dotted_name(alias.name)
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    aliases.setdefault(dotted, alias.asname.name.value)
                else:
                    aliases.setdefault(dotted, dotted)
        elif (
            small.module is not None
            and not small.relative
            and not isinstance(small.names, cst.ImportStar)
        ):
            base = dotted_name(small.module)
            for alias in small.names:
                bound = alias.asname.name if alias.asname is not None else alias.name
                if isinstance(bound, cst.Name):
                    aliases.setdefault(f"{base}.{dotted_name(alias.name)}", bound.value)
    return aliases


def exit_behaviour(function: cst.FunctionDef) -> tuple[bool, bool]:
    """(returns a value, exits the interpreter with a status itself), nested functions aside."""
    returns = exits = False
    nested = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
    for node in iter_nodes(function.body, prune=lambda n: isinstance(n, nested)):
        if isinstance(node, cst.Return):
            returns = returns or not (node.value is None or _is_name(node.value, "None"))
        elif isinstance(node, cst.Call) and node.args and is_exit_call(node):
            exits = True
    return returns, exits


def is_exit_call(node: cst.Call) -> bool:
    """`sys.exit(...)`, `exit(...)` or `SystemExit(...)`."""
    func = node.func
    if isinstance(func, cst.Attribute):
        return _is_name(func.value, "sys") and func.attr.value == "exit"
    return _is_name(func, "exit") or _is_name(func, "SystemExit")
