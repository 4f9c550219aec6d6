"""The `self.<name>` attributes each top-level class assigns and reads (HF303, and the device fixes,
which ask whether the test class has a `self.device`).

`AttributeScan` is a class of `visit_<Node>`/`leave_<Node>` handlers: a rule inherits it and runs
in the linter's single batched visit; `class_attributes` drives it over one class hierarchy for
codemods and rarer questions. Lint-path code: isinstance checks, no matchers, no codemod imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from hflint.analysis.nodes import (
    drive,
    method_receiver,
    parameter_names,
    string_value,
    target_elements,
)
from hflint.analysis.testclass import in_file_bases


@dataclass
class ClassAttributes:
    """What one top-level class does with `self.<name>`."""

    node: cst.ClassDef
    defined: set[str] = field(default_factory=set)
    # The first read of each attribute, in source order.
    reads: dict[str, cst.Attribute] = field(default_factory=dict)
    # Attributes the class asks about (`hasattr(self, "x")`, `getattr(self, "x", default)`).
    guarded: set[str] = field(default_factory=set)
    # Attributes can appear by name at run time: setattr with a computed name, `__getattr__`,
    # `self.__dict__`, `vars(self)`.
    dynamic: bool = False


@dataclass
class _Frame:
    owner: ClassAttributes | None
    # The method's instance parameter (None in a class body, or where `self` means nothing).
    receiver: str | None = None
    is_class: bool = False


class AttributeScan:
    """`visit_`/`leave_` handlers that collect, for every top-level class, the attributes its
    methods assign (`self.x = ...`, `self.x: T = ...`, `self.x += ...`, tuple targets, `for self.x`,
    `with ... as self.x`, `setattr(self, "x", ...)`) and read, and its class-level names."""

    def begin_attribute_scan(self) -> None:
        self.attribute_classes: dict[cst.ClassDef, ClassAttributes] = {}
        self._attribute_frames: list[_Frame] = []
        self._attribute_stores: set[cst.CSTNode] = set()

    def _attribute_owner(self) -> tuple[_Frame, ClassAttributes] | None:
        """The innermost frame and its class, when the visit is inside a top-level class."""
        frames = self._attribute_frames
        if not frames or frames[-1].owner is None:
            return None
        return frames[-1], frames[-1].owner

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        frames = self._attribute_frames
        if not frames:
            info = ClassAttributes(node)
            self.attribute_classes[node] = info
            frames.append(_Frame(info, is_class=True))
            return
        if frames[-1].is_class and frames[-1].owner is not None:
            frames[-1].owner.defined.add(node.name.value)
        frames.append(_Frame(None, is_class=True))

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self._attribute_frames.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        found = self._attribute_owner()
        if found is None:
            self._attribute_frames.append(_Frame(None))
            return
        top, owner = found
        if top.is_class:
            owner.defined.add(node.name.value)
            if node.name.value in ("__getattr__", "__getattribute__"):
                owner.dynamic = True
            self._attribute_frames.append(_Frame(owner, method_receiver(node)))
        else:
            # A function nested in a method still sees the method's `self`, unless it rebinds it.
            receiver = top.receiver if top.receiver not in parameter_names(node) else None
            self._attribute_frames.append(_Frame(owner, receiver))

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._attribute_frames.pop()

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._attribute_store(target.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._attribute_store(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._attribute_store(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._attribute_store(node.target)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._attribute_store(node.asname.name)

    def visit_Del(self, node: cst.Del) -> None:
        for target in target_elements(node.target):
            self._attribute_stores.add(target)  # deleting is not reading

    def _attribute_store(self, target: cst.BaseExpression) -> None:
        found = self._attribute_owner()
        if found is None:
            return
        top, owner = found
        for element in target_elements(target):
            if top.is_class:
                if isinstance(element, cst.Name):
                    owner.defined.add(element.value)
            elif (
                isinstance(element, cst.Attribute)
                and isinstance(element.value, cst.Name)
                and element.value.value == top.receiver
            ):
                owner.defined.add(element.attr.value)
                self._attribute_stores.add(element)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        found = self._attribute_owner()
        if found is None:
            return
        top, owner = found
        if top.receiver is None or node in self._attribute_stores:
            return
        value = node.value
        if isinstance(value, cst.Name) and value.value == top.receiver:
            name = node.attr.value
            if name == "__dict__":
                owner.dynamic = True
            elif name not in owner.reads:
                owner.reads[name] = node

    def visit_Call(self, node: cst.Call) -> None:
        found = self._attribute_owner()
        if found is None:
            return
        top, owner = found
        if top.receiver is None or not isinstance(node.func, cst.Name):
            return
        function = node.func.value
        if function not in ("setattr", "hasattr", "getattr", "vars", "delattr") or not node.args:
            return
        first = node.args[0].value
        if not (isinstance(first, cst.Name) and first.value == top.receiver):
            return
        if function == "vars":
            owner.dynamic = True
            return
        name = string_value(node.args[1].value) if len(node.args) > 1 else None
        if function == "setattr":
            if name is None:
                owner.dynamic = True
            else:
                owner.defined.add(name)
        elif name is not None:
            owner.guarded.add(name)


def class_attributes(module: cst.Module, class_def: cst.ClassDef) -> tuple[set[str], bool]:
    """The attributes a class and its in-file bases define, and whether they can be known (no base
    from elsewhere, no dynamic attributes). A separate walk, for codemods and rare cases."""
    classes, unknown = in_file_bases(module, class_def)
    scan = AttributeScan()
    scan.begin_attribute_scan()
    defined: set[str] = set()
    for current in classes:
        drive(scan, current)
        info = scan.attribute_classes[current]
        defined |= info.defined
        unknown = unknown or info.dynamic
    return defined, not unknown
