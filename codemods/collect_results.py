"""Make `run_tests()` return what its tests return, in the suite's contract shape (HF107).

Each statement that calls a test method and drops its value (`self.test_pipeline()`) stores it
under the test's name instead (`results["pipeline"] = self.test_pipeline()`), in a `results = {}`
the method starts with; every `return`, and the end of the method when it can be reached, returns
`{"results": results, "metadata": {...}}` (the class's `model_id` and `device`, when it has them).
What the method returned before is dropped: unsafe.
"""

from __future__ import annotations

from collections.abc import Mapping

import libcst as cst
from hflint.codemods import skeletons
from libcst.codemod import CodemodContext, SkipFile, VisitorBasedCodemodCommand

from hflint.analysis.attributes import class_attributes
from hflint.analysis.nodes import iter_nodes, method_receiver
from hflint.analysis.run_results import dropped_test_calls, unreadable_result
from hflint.analysis.testclass import find_test_class, in_file_bases, resolved_method
from hflint.edits.module_statements import docstring_end
from hflint.naming import expected_class_name

RUN_TESTS = "run_tests"
# The local the results are collected in: the first of these the method does not use yet.
_LOCAL_NAMES = ("results", "test_results", "collected_results")
_METADATA = ("model_id", "device")


class CollectResultsCommand(VisitorBasedCodemodCommand):
    DESCRIPTION = (
        "Make run_tests() collect what its test methods return and return it as "
        '{"results": {...}, "metadata": {...}}.'
    )

    def __init__(self, context: CodemodContext, model_name: str | None = None) -> None:
        super().__init__(context)
        self.model_name = model_name

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        model_name = skeletons.model_name_for(self.context, self.model_name)
        target = find_test_class(updated_node, expected_class_name(model_name))
        if target is None:
            raise SkipFile("the file has no test class")
        run_tests = resolved_method(updated_node, target, RUN_TESTS)
        unreadable = (
            unreadable_result(run_tests) if isinstance(run_tests, cst.FunctionDef) else None
        )
        if not isinstance(run_tests, cst.FunctionDef) or unreadable is None:
            raise SkipFile("run_tests() may return readable results")
        receiver = method_receiver(run_tests)
        calls = list(dropped_test_calls(run_tests, receiver)) if receiver else []
        if receiver is None or not calls or not isinstance(run_tests.body, cst.IndentedBlock):
            raise SkipFile("run_tests() calls no test method whose result it could collect")
        used = {n.value for n in iter_nodes(run_tests) if isinstance(n, cst.Name)}
        local = next((name for name in _LOCAL_NAMES if name not in used), None)
        if local is None:
            raise SkipFile("run_tests() uses every name the results could be collected in")
        defined, _ = class_attributes(updated_node, target)
        metadata = ", ".join(
            f'"{name}": {_metadata_value(receiver, name)}' for name in _METADATA if name in defined
        )
        returned = f'{{"results": {local}, "metadata": {{{metadata}}}}}'
        stores = {
            c.statement: cst.parse_statement(
                f'{local}["{c.key}"] = {cst.Module([]).code_for_node(c.statement.body[0])}'
            )
            for c in calls
        }
        fixed = run_tests.visit(_Collect(stores, cst.parse_expression(returned)))
        assert isinstance(fixed, cst.FunctionDef) and isinstance(fixed.body, cst.IndentedBlock)
        statements = list(fixed.body.body)
        statements.insert(docstring_end(statements), cst.parse_statement(f"{local} = {{}}"))
        if unreadable.falls_through:
            statements.append(cst.parse_statement(f"return {returned}"))
        fixed = fixed.with_changes(body=fixed.body.with_changes(body=statements))
        return _replace_method(updated_node, target, run_tests, fixed)


def _metadata_value(receiver: str, name: str) -> str:
    value = f"{receiver}.{name}"
    return f"str({value})" if name == "device" else value  # a torch.device is no JSON


class _Collect(cst.CSTTransformer):
    """Stores each dropped test result and makes every return of the method (not of functions
    nested in it) return the results."""

    def __init__(
        self,
        stores: Mapping[cst.SimpleStatementLine, cst.BaseStatement],
        returned: cst.BaseExpression,
    ) -> None:
        super().__init__()
        self.stores = stores
        self.returned = returned
        self.depth = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.depth += 1
        return self.depth == 1

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        self.depth -= 1
        return updated_node

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.BaseStatement:
        store = self.stores.get(original_node)
        if store is None:
            return updated_node
        return store.with_changes(
            leading_lines=updated_node.leading_lines,
            trailing_whitespace=updated_node.trailing_whitespace,
        )

    def leave_Return(self, original_node: cst.Return, updated_node: cst.Return) -> cst.Return:
        whitespace = updated_node.whitespace_after_return
        if isinstance(whitespace, cst.MaybeSentinel) or not whitespace.value:
            whitespace = cst.SimpleWhitespace(" ")
        return updated_node.with_changes(value=self.returned, whitespace_after_return=whitespace)


def _replace_method(
    module: cst.Module, test_class: cst.ClassDef, old: cst.FunctionDef, new: cst.FunctionDef
) -> cst.Module:
    """The module with `old` replaced by `new` in whichever of the class and its in-file bases
    defines it."""
    owners, _ = in_file_bases(module, test_class)

    def replaced(statement: cst.BaseStatement) -> cst.BaseStatement:
        if statement not in owners or not isinstance(statement, cst.ClassDef):
            return statement
        body = statement.body
        if not isinstance(body, cst.IndentedBlock) or old not in body.body:
            return statement
        members = [new if member is old else member for member in body.body]
        return statement.with_changes(body=body.with_changes(body=members))

    return module.with_changes(body=[replaced(s) for s in module.body])
