"""Let the test class be built as `Test<Model>Models(model_id=..., device=...)` (HF106).

Adds the missing keyword parameters with `None` defaults and makes the constructor use them: an
existing `self.model_id = X` becomes `self.model_id = model_id or X`, and a constructor that sets
nothing gets `self.model_id = model_id`. The constructor is fixed where it is defined (an inherited
one in its base class); a class with none gets the skeleton's. With `defaults_for_required`, other
required parameters get `None` defaults too (unsafe: the code may not expect None).

A `unittest.TestCase` class needs only what the file's own calls pass it
(`TestBertModels(model_id=...)`): those keywords are added to its `__init__`, or it gets one that
takes them after `methodName` and hands `methodName` to `unittest.TestCase`.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst
import libcst.matchers as m
from hflint.codemods import skeletons
from libcst.codemod import CodemodContext, SkipFile, VisitorBasedCodemodCommand

from hflint.analysis.constructors import (
    TEST_CASE_PARAMETER,
    Constructor,
    build_problem,
    builds,
    constructor_of,
)
from hflint.analysis.nodes import iter_nodes
from hflint.analysis.testclass import CONTRACT_PARAMETERS, find_test_class
from hflint.catalog import catalog_in
from hflint.edits.module_statements import docstring_end, insert_support, support_for
from hflint.naming import expected_class_name


class FixConstructorCommand(VisitorBasedCodemodCommand):
    DESCRIPTION = (
        "Give the test class's __init__ model_id=None and device=None parameters, and use them."
    )

    def __init__(
        self,
        context: CodemodContext,
        defaults_for_required: bool = False,
        model_name: str | None = None,
    ) -> None:
        super().__init__(context)
        self.defaults_for_required = defaults_for_required
        self.model_name = model_name

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        model_name = skeletons.model_name_for(self.context, self.model_name)
        target = find_test_class(updated_node, expected_class_name(model_name))
        if target is None or not isinstance(target.body, cst.IndentedBlock):
            raise SkipFile("the file has no test class")
        constructor = constructor_of(updated_node, target)
        if constructor is None:
            raise SkipFile("a base class from elsewhere may define the constructor")
        if constructor.test_case:
            names = _unexpected_keywords(updated_node, target, constructor)
            if not names:
                raise SkipFile("the file builds its TestCase with arguments it takes")
            if constructor.init is None:
                init = _test_case_init(names)
                return _with_member(updated_node, target, init)
            return _replacing(updated_node, constructor, self._fixed_init(constructor.init, names))
        if constructor.init is not None:
            fixed = self._fixed_init(constructor.init, CONTRACT_PARAMETERS)
            return _replacing(updated_node, constructor, fixed)
        skeleton = skeletons.filled_skeleton(
            model_name, catalog_in(self.context.scratch), class_name=target.name.value
        )
        init = skeletons.method(skeleton, "__init__")
        module = _with_member(updated_node, target, init)
        return insert_support(module, support_for(skeleton, [init], module))

    def _fixed_init(self, init: cst.FunctionDef, names: Sequence[str]) -> cst.FunctionDef:
        """`init` taking each of `names` (a `None` default) and storing the ones it lacked."""
        parameters = init.params
        present = {p.name.value for p in (*parameters.params, *parameters.kwonly_params)}
        receiver = parameters.params[0].name.value if parameters.params else "self"
        regular = [self._with_default(p, receiver, names) for p in parameters.params]
        kwonly = [self._with_default(p, receiver, names) for p in parameters.kwonly_params]
        missing = [name for name in names if name not in present]
        regular += [_none_default(cst.Param(cst.Name(name))) for name in missing]
        init = init.with_changes(
            params=parameters.with_changes(params=regular, kwonly_params=kwonly)
        )
        return _use_parameters(init, missing)

    def _with_default(self, parameter: cst.Param, receiver: str, names: Sequence[str]) -> cst.Param:
        name = parameter.name.value
        needs_default = name in names or (self.defaults_for_required and name != receiver)
        if parameter.default is None and needs_default and parameter.star == "":
            return _none_default(parameter)
        return parameter


def _unexpected_keywords(
    module: cst.Module, test_class: cst.ClassDef, constructor: Constructor
) -> list[str]:
    """The keywords the file's own calls pass the class that its constructor does not take."""
    names: list[str] = []
    for node in iter_nodes(module):
        if isinstance(node, cst.Call) and builds(node, test_class.name.value):
            problem = build_problem(constructor, node)
            if problem is not None:
                names += [name for name in problem.unexpected if name not in names]
    return names


def _test_case_init(names: Sequence[str]) -> cst.FunctionDef:
    """A TestCase's `__init__` that takes `names` after unittest's `methodName`."""
    parameters = ", ".join(f"{name}=None" for name in names)
    stored = "".join(f"    self.{name} = {name}\n" for name in names)
    code = (
        f'def __init__(self, {TEST_CASE_PARAMETER}="runTest", {parameters}):\n'
        f"    super().__init__({TEST_CASE_PARAMETER})\n{stored}"
    )
    init = cst.parse_statement(code)
    assert isinstance(init, cst.FunctionDef)
    return init


def _with_member(module: cst.Module, target: cst.ClassDef, member: cst.FunctionDef) -> cst.Module:
    """The module with `member` added to `target`'s body, after its docstring."""
    assert isinstance(target.body, cst.IndentedBlock)
    members = list(target.body.body)
    index = docstring_end(members)
    if index and not member.leading_lines:
        member = member.with_changes(leading_lines=[cst.EmptyLine(indent=False)])
    following = members[index] if index < len(members) else None
    if isinstance(following, cst.FunctionDef) and not following.leading_lines:
        members[index] = following.with_changes(leading_lines=[cst.EmptyLine(indent=False)])
    members.insert(index, member)
    fixed = target.with_changes(body=target.body.with_changes(body=members))
    return module.with_changes(body=[fixed if s is target else s for s in module.body])


def _replacing(module: cst.Module, constructor: Constructor, fixed: cst.FunctionDef) -> cst.Module:
    """The module with the constructor replaced by `fixed` in the class that defines it."""
    original = constructor.init

    def in_class(statement: cst.CSTNode) -> cst.CSTNode:
        if not (
            isinstance(statement, cst.ClassDef)
            and statement.name.value == constructor.owner
            and isinstance(statement.body, cst.IndentedBlock)
        ):
            return statement
        body = [fixed if item is original else item for item in statement.body.body]
        return statement.with_changes(body=statement.body.with_changes(body=body))

    return module.with_changes(body=[in_class(s) for s in module.body])


def _none_default(parameter: cst.Param) -> cst.Param:
    no_space = cst.SimpleWhitespace("")
    return parameter.with_changes(
        default=cst.Name("None"),
        equal=cst.AssignEqual(whitespace_before=no_space, whitespace_after=no_space),
    )


def _use_parameters(init: cst.FunctionDef, names: list[str]) -> cst.FunctionDef:
    body = init.body
    if not names or not isinstance(body, cst.IndentedBlock):
        return init
    statements = list(body.body)
    inserted = 0
    for name in names:
        assignment = m.SimpleStatementLine(
            body=[
                m.Assign(
                    targets=[m.AssignTarget(m.Attribute(value=m.Name("self"), attr=m.Name(name)))]
                )
            ]
        )
        index = next((i for i, s in enumerate(statements) if m.matches(s, assignment)), None)
        if index is None:
            statements.insert(
                docstring_end(statements) + inserted,
                cst.parse_statement(f"self.{name} = {name}"),
            )
            inserted += 1
            continue
        line = statements[index]
        assert isinstance(line, cst.SimpleStatementLine) and isinstance(line.body[0], cst.Assign)
        old_value = line.body[0].value
        new_value = cst.BooleanOperation(
            left=cst.Name(name), operator=cst.Or(), right=_parenthesised_if_needed(old_value)
        )
        statements[index] = line.with_changes(body=[line.body[0].with_changes(value=new_value)])
    return init.with_changes(body=body.with_changes(body=statements))


def _parenthesised_if_needed(value: cst.BaseExpression) -> cst.BaseExpression:
    # `a or b if c else d` would parse as `(a or b) if c else d`; lambdas bind looser still.
    if isinstance(value, (cst.IfExp, cst.Lambda, cst.BooleanOperation)) and not value.lpar:
        return value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return value
