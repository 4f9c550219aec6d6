"""Let the test class be built as `Test<Model>Models(model_id=..., device=...)` (HF106).

Adds the missing keyword parameters with `None` defaults and makes the constructor use them: an
existing `self.model_id = X` becomes `self.model_id = model_id or X`, and a constructor that sets
nothing gets `self.model_id = model_id`. A class with no `__init__` gets the skeleton's. With
`defaults_for_required`, other required parameters get `None` defaults too (unsafe: the code may not
expect None).
"""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m
from hflint.codemods import skeletons
from libcst.codemod import CodemodContext, SkipFile, VisitorBasedCodemodCommand

from hflint.analysis.testclass import class_methods, find_test_class
from hflint.catalog import catalog_in
from hflint.edits.module_statements import docstring_end, insert_support, support_for
from hflint.naming import expected_class_name

CONTRACT_PARAMETERS = ("model_id", "device")


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
        skeleton = skeletons.filled_skeleton(
            model_name, catalog_in(self.context.scratch), class_name=target.name.value
        )
        init = class_methods(target).get("__init__")
        members = list(target.body.body)
        added: list[cst.CSTNode] = []
        if init is None:
            init = skeletons.method(skeleton, "__init__")
            members.insert(docstring_end(members), init)
            added.append(init)
        else:
            members = [self._fixed_init(init) if item is init else item for item in members]
        fixed_class = target.with_changes(body=target.body.with_changes(body=members))
        module = updated_node.with_changes(
            body=[fixed_class if s is target else s for s in updated_node.body]
        )
        return insert_support(module, support_for(skeleton, added, module))

    def _fixed_init(self, init: cst.FunctionDef) -> cst.FunctionDef:
        parameters = init.params
        names = {p.name.value for p in (*parameters.params, *parameters.kwonly_params)}
        receiver = parameters.params[0].name.value if parameters.params else "self"
        regular = [self._with_default(p, receiver) for p in parameters.params]
        kwonly = [self._with_default(p, receiver) for p in parameters.kwonly_params]
        missing = [name for name in CONTRACT_PARAMETERS if name not in names]
        regular += [_none_default(cst.Param(cst.Name(name))) for name in missing]
        init = init.with_changes(
            params=parameters.with_changes(params=regular, kwonly_params=kwonly)
        )
        return _use_parameters(init, missing)

    def _with_default(self, parameter: cst.Param, receiver: str) -> cst.Param:
        name = parameter.name.value
        needs_default = name in CONTRACT_PARAMETERS or (
            self.defaults_for_required and name != receiver
        )
        if parameter.default is None and needs_default and parameter.star == "":
            return _none_default(parameter)
        return parameter


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
