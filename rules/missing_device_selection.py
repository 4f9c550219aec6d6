from __future__ import annotations

import libcst as cst
from hflint.rules._examples import PYTEST_FILE, SELECT_DEVICE_DEFINITION, UNITTEST_FILE

from hflint.analysis.device_selection import SelectionScan
from hflint.analysis.styles import SCRIPT
from hflint.diagnostics import Applicability
from hflint.edits.devices import with_selection
from hflint.rule import CodemodFix, Invalid, Rule, Valid


class MissingDeviceSelection(SelectionScan, Rule):
    """The file probes the hardware, but nothing selects the device the test class runs on.

    ## What it does
    Reports each `self.device = ...` assignment in the test class (or a base class in the same file)
    that selects nothing, when the class uses its device (reads `self.device`), the file probes the
    hardware (`torch.cuda.is_available()`, `torch.backends.mps.is_available()`, a flag such as
    `HAS_CUDA` set from one), and nothing in the file selects a device: no `select_device()`-style
    function (defined, or imported and called) and no probe used to choose one
    (`"cuda" if HAS_CUDA else "cpu"`). A file with a selection function is assumed to use it (in
    `main()`, for example). A file that probes nothing leaves the device to its caller, as runners
    pass one, and is not reported. A hard-coded accelerator (`self.device = "cuda"`) is HF302's.
    Script-style files only: unittest and pytest pass a test no device, so its own choice stands.

    ## Why it matters
    The script's `--device` defaults to None, so run on its own the tests go wherever the library
    puts them (the CPU, for pipelines) even on a GPU machine, and GPU results are never collected,
    although the file detects the GPU. In the generated suites this comes from a template that lost
    its `select_device()`.

    ## Example
    ```python
    HAS_CUDA = HAS_TORCH and torch.cuda.is_available()

    class TestBertModels:
        def __init__(self, model_id=None, device=None):
            self.device = device

        def test_pipeline(self):
            return pipeline("fill-mask", device=self.device)
    ```
    Use instead:
    ```python
    def select_device():
        ...  # cuda (ROCm builds too), then mps, then xpu, else cpu

    class TestBertModels:
        def __init__(self, model_id=None, device=None):
            self.device = device or select_device()
    ```

    ## Fix safety
    The fix adds the canonical `select_device()` from the skeleton (an explicit `device` argument
    still wins) and falls back on it: `self.device = device` becomes
    `self.device = device or select_device()`. Safe when the old value was a parameter or `None`,
    since the selection only applies where no device was given. Unsafe when it replaces a fixed
    choice (`self.device = "cpu"`, `device or "cpu"`) or wraps another expression.
    """

    code = "HF301"
    name = "missing-device-selection"
    MESSAGE = (
        "`self.device = {value}` selects no device, and nothing in the file selects one "
        "(no `select_device()` or availability check)"
    )
    FIX_APPLICABILITY = Applicability.UNSAFE
    GATE = True

    VALID = (
        Valid(UNITTEST_FILE),
        Valid(PYTEST_FILE),
        Valid(
            "import torch\n\n\ndef select_device():\n    return 'cuda' if torch.cuda.is_available() else 'cpu'\n\n\n"
            "class TestBertModels:\n    def __init__(self, model_id=None, device=None):\n"
            "        self.device = device\n\n    def run_tests(self):\n        return self.device\n"
        ),
        Valid(
            "import torch\n\n\nclass TestBertModels:\n    def __init__(self, device=None):\n"
            "        self.device = device or ('cuda' if torch.cuda.is_available() else 'cpu')\n\n"
            "    def run_tests(self):\n        return self.device\n"
        ),
        Valid(
            "class TestBertModels:\n    def __init__(self, model_id=None, device=None):\n"
            "        self.device = device\n\n    def run_tests(self):\n        return self.device\n"
        ),
        Valid(
            "HAS_CUDA = torch.cuda.is_available()\n\n\nclass TestBertModels:\n"
            "    def __init__(self, model_id=None, device=None):\n        self.device = device\n"
        ),
        # unittest and pytest pass no device: the test's own choice is the choice.
        Valid(
            "import unittest\n\nimport torch\n\nHAS_CUDA = torch.cuda.is_available()\n\n\n"
            "class TestBertModels(unittest.TestCase):\n    def setUp(self):\n"
            "        self.device = 'cpu'\n\n    def test_pipeline(self):\n"
            "        pipeline('fill-mask', device=self.device)\n"
        ),
    )
    INVALID = (
        Invalid(
            "HAS_CUDA = torch.cuda.is_available()\n\n\nclass TestBertModels:\n"
            "    def __init__(self, model_id=None, device=None):\n        self.device = device\n\n"
            "    def run_tests(self):\n        return self.device\n",
            fixed=(
                "HAS_CUDA = torch.cuda.is_available()\n\n\n"
                + SELECT_DEVICE_DEFINITION
                + "class TestBertModels:\n    def __init__(self, model_id=None, device=None):\n"
                "        self.device = device or select_device()\n\n"
                "    def run_tests(self):\n        return self.device\n"
            ),
        ),
        Invalid(
            "import torch\n\nHAS_CUDA = torch.cuda.is_available()\n\n\nclass TestBertModels:\n"
            "    def __init__(self):\n        self.device = 'cpu'\n\n"
            "    def test_pipeline(self):\n        return pipeline('fill-mask', device=self.device)\n",
        ),
    )

    def visit_Module(self, node: cst.Module) -> None:
        self.begin_selection_scan(self.facts, self.context.expected_class)

    def leave_Module(self, original_node: cst.Module) -> None:
        if self.facts.style != SCRIPT:
            return  # unittest and pytest pass no device: the test's own choice is the choice
        for assignment in self.unselected_assignments():
            _, safe = with_selection(assignment)
            value = cst.Module([]).code_for_node(assignment.value)
            if len(value) > 40 or "\n" in value:
                value = "..."
            self.report(
                assignment.node,
                self.MESSAGE.format(value=value),
                fix=CodemodFix(
                    title="Select the device with `select_device()` when none is given",
                    applicability=Applicability.SAFE if safe else Applicability.UNSAFE,
                    command="add_device_selection.AddDeviceSelectionCommand",
                    arguments={"unsafe": not safe},
                ),
            )
