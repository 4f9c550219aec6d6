"""Assign an attribute the test class reads but never sets (HF303), where its value is known.

`self.device` gets `self.device = device or select_device()` and `self.model_id` gets
`self.model_id = model_id`, at the start of `__init__` (after its docstring); `__init__` gains the
parameter, defaulting to None, when it lacks it, and the skeleton's `select_device()` is added when
the file has none. A class without `__init__` is skipped: HF106's fix gives it the skeleton's,
which sets both.
"""

from __future__ import annotations

import argparse

import libcst as cst
from hflint.codemods._device_support import DeviceCommand
from libcst.codemod import CodemodContext, SkipFile

from hflint.analysis.attributes import class_attributes
from hflint.analysis.devices import DEVICE
from hflint.analysis.nodes import method_receiver, parameter_names
from hflint.analysis.testclass import class_methods, find_test_class
from hflint.edits.module_statements import docstring_end

VALUES = {"device": "device or select_device()", "model_id": "model_id"}


class AssignAttributeCommand(DeviceCommand):
    DESCRIPTION = "Assign self.device or self.model_id in the test class's __init__."

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument(
            "--attribute", dest="attribute", required=True, choices=sorted(VALUES)
        )

    def __init__(
        self, context: CodemodContext, attribute: str, model_name: str | None = None
    ) -> None:
        super().__init__(context, model_name)
        if attribute not in VALUES:
            raise ValueError(f"no known value for self.{attribute}")
        self.attribute = attribute

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        target = find_test_class(updated_node, self.expected_class)
        if target is None or not isinstance(target.body, cst.IndentedBlock):
            raise SkipFile("the file has no test class")
        if self.attribute in class_attributes(updated_node, target)[0]:
            raise SkipFile(f"the test class assigns self.{self.attribute} already")
        members = list(target.body.body)
        init = class_methods(target).get("__init__")
        if init is None:
            raise SkipFile("the test class has no __init__: HF106's fix adds the skeleton's")
        members = [self._assigning(init) if item is init else item for item in members]
        fixed_class = target.with_changes(body=target.body.with_changes(body=members))
        module = updated_node.with_changes(
            body=[fixed_class if s is target else s for s in updated_node.body]
        )
        return self.with_select_device(module) if self.attribute == DEVICE else module

    def _assigning(self, init: cst.FunctionDef) -> cst.FunctionDef:
        body = init.body
        if not isinstance(body, cst.IndentedBlock):
            raise SkipFile("a one-line __init__")
        receiver = method_receiver(init) or "self"
        parameters = init.params
        if self.attribute not in parameter_names(init):
            parameter = cst.Param(
                cst.Name(self.attribute),
                default=cst.Name("None"),
                equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
            )
            if isinstance(parameters.star_arg, cst.Param | cst.ParamStar):
                parameters = parameters.with_changes(
                    kwonly_params=[*parameters.kwonly_params, parameter]
                )
            else:
                parameters = parameters.with_changes(params=[*parameters.params, parameter])
        statement = cst.parse_statement(f"{receiver}.{self.attribute} = {VALUES[self.attribute]}")
        statements = list(body.body)
        statements.insert(docstring_end(statements), statement)
        return init.with_changes(params=parameters, body=body.with_changes(body=statements))
