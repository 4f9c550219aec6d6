from __future__ import annotations

import libcst as cst
from hflint.rules._examples import PYTEST_FILE, SELECT_DEVICE_DEFINITION, UNITTEST_FILE

from hflint.analysis.attributes import AttributeScan
from hflint.analysis.devices import select_device_usable
from hflint.analysis.testclass import class_methods, find_test_class, in_file_bases
from hflint.diagnostics import Applicability
from hflint.rule import CodemodFix, Invalid, Rule, Valid

# Attributes whose intended value is known: the constructor's parameters of the same name.
FIXABLE = ("device", "model_id")
# Methods every test class must have: HF103 and HF104 report (and add) a missing one.
REQUIRED_METHODS = ("test_pipeline", "run_tests")


class UndefinedAttribute(AttributeScan, Rule):
    """The test class reads `self.<name>` but nothing assigns it.

    ## What it does
    Reports each attribute the test class's methods read as `self.<name>` (once, at its first read)
    that neither the class nor a base class defined in the same file assigns anywhere: not in a
    method (`self.x = ...`, `self.x: T = ...`, `self.x += ...`, tuple targets, `for self.x in`,
    `with ... as self.x`, `setattr(self, "x", ...)`), not at class level, and not as a method or
    property. `self.test_pipeline` and `self.run_tests` are left to HF103 and HF104, which add the
    missing method. Classes with a base class from elsewhere (an import) are left alone, as are classes
    that create attributes by computed name (`setattr(self, name, ...)`, `__getattr__`,
    `self.__dict__`) and attributes the class asks about (`hasattr(self, "x")`).

    ## Why it matters
    The read raises `AttributeError` when the test runs, which the usual `try`/`except` around a
    test turns into a failure that looks like a model problem. In the field this came from fixer
    scripts that inserted `model.to(self.device)` into classes that keep their device elsewhere.

    ## Example
    ```python
    class TestBertModels:
        def __init__(self, model_id=None, device=None):
            self.model_id = model_id
            self.target_device = device

        def test_from_pretrained(self):
            model = AutoModel.from_pretrained(self.model_id).to(self.device)
    ```
    Use instead:
    ```python
    class TestBertModels:
        def __init__(self, model_id=None, device=None):
            self.device = device or select_device()
            self.model_id = model_id
            self.target_device = device
    ```

    ## Fix safety
    Safe, for the two attributes whose value is known: `self.device` gets
    `self.device = device or select_device()` and `self.model_id` gets `self.model_id = model_id` at
    the start of `__init__`, which gains the `device=None` / `model_id=None` parameter if it lacks it
    (`select_device()` comes from the skeleton when the file has none). A class without `__init__`
    gets no fix from this rule: HF106 reports it, and its fix adds the skeleton's constructor, which
    sets both. Other attributes have no fix: only the author knows what they should hold.
    """

    code = "HF303"
    name = "undefined-attribute"
    MESSAGE = "`self.{attribute}` is read but never assigned in `{cls}`"
    FIX_APPLICABILITY = Applicability.SAFE
    GATE = True

    VALID = (
        Valid(UNITTEST_FILE),
        Valid(PYTEST_FILE),
        Valid(
            "class TestBertModels:\n    task = 'fill-mask'\n\n"
            "    def __init__(self, model_id=None, device=None):\n"
            "        self.model_id, self.device = model_id, device\n\n"
            "    @property\n    def name(self):\n        return self.model_id\n\n"
            "    def run_tests(self):\n        self.count += 1\n"
            "        return self.task, self.name, self.device, self.count, self.run_tests\n"
        ),
        Valid(
            "class Base:\n    def setup(self):\n        setattr(self, 'device', 'cpu')\n\n\n"
            "class TestBertModels(Base):\n    def run_tests(self):\n"
            "        if hasattr(self, 'cache'):\n            return self.cache\n"
            "        return self.device\n"
        ),
        Valid(
            "import unittest\n\n\nclass TestBertModels(unittest.TestCase):\n"
            "    def test_device(self):\n        return self.device\n"
        ),
    )
    INVALID = (
        Invalid(
            "class TestBertModels:\n    def __init__(self, model_id=None):\n"
            "        self.model_id = model_id\n\n    def test_pipeline(self):\n"
            "        return pipeline('fill-mask', device=self.device)\n",
            fixed=SELECT_DEVICE_DEFINITION
            + (
                "class TestBertModels:\n    def __init__(self, model_id=None, device=None):\n"
                "        self.device = device or select_device()\n"
                "        self.model_id = model_id\n\n    def test_pipeline(self):\n"
                "        return pipeline('fill-mask', device=self.device)\n"
            ),
        ),
        Invalid(
            "class TestBertModels:\n    def __init__(self, model_id=None, device=None):\n"
            '        """Keep the device."""\n        self.device = device\n\n'
            "    def run_tests(self):\n        return self.model_id, self.model_id\n",
            fixed=(
                "class TestBertModels:\n    def __init__(self, model_id=None, device=None):\n"
                '        """Keep the device."""\n        self.model_id = model_id\n'
                "        self.device = device\n\n"
                "    def run_tests(self):\n        return self.model_id, self.model_id\n"
            ),
        ),
        Invalid(
            "class TestBertModels:\n    def __init__(self, model_id=None, device=None):\n"
            "        self.model_id, self.device = model_id, device\n\n"
            "    def test_pipeline(self):\n        return self.pipe(self.model_id)\n",
        ),
        Invalid("class TestBertModels:\n    def run_tests(self):\n        return self.device\n"),
    )

    def visit_Module(self, node: cst.Module) -> None:
        self.begin_attribute_scan()

    def leave_Module(self, original_node: cst.Module) -> None:
        test_class = find_test_class(original_node, self.context.expected_class)
        if test_class is None:
            return
        classes, unknown = in_file_bases(original_node, test_class)
        infos = [self.attribute_classes[c] for c in classes if c in self.attribute_classes]
        if unknown or any(info.dynamic for info in infos):
            return
        defined = set().union(*(info.defined | info.guarded for info in infos))
        own = self.attribute_classes[test_class]
        for attribute, read in own.reads.items():
            if (
                attribute in defined
                or attribute in REQUIRED_METHODS
                or (attribute.startswith("__") and attribute.endswith("__"))
            ):
                continue
            fix = None
            if self._fixable(original_node, test_class, attribute):
                fix = CodemodFix(
                    title=f"Assign `self.{attribute}` in `__init__`",
                    applicability=Applicability.SAFE,
                    command="assign_attribute.AssignAttributeCommand",
                    arguments={"attribute": attribute},
                )
            self.report(
                read,
                self.MESSAGE.format(attribute=attribute, cls=test_class.name.value),
                fix=fix,
            )

    @staticmethod
    def _fixable(module: cst.Module, test_class: cst.ClassDef, attribute: str) -> bool:
        if attribute not in FIXABLE:
            return False
        if attribute == "device" and not select_device_usable(module):
            return False
        # Without a constructor of its own, the class is HF106's to fix (or has its base's).
        return "__init__" in class_methods(test_class)
