from __future__ import annotations

import libcst as cst
from hflint.rules._examples import PYTEST_FILE, SELECT_DEVICE_DEFINITION, UNITTEST_FILE

from hflint.analysis.device_sites import DeviceSite, HardcodedDeviceScan
from hflint.diagnostics import Applicability
from hflint.edits.devices import site_replacements
from hflint.rule import CodemodFix, Invalid, Rule, Valid


class HardcodedDevice(HardcodedDeviceScan, Rule):
    """A device is hard-coded (`device="cuda"`, `.cuda()`...) where nothing checked it exists.

    ## What it does
    Reports `device="cuda"` (or `"cuda:0"`, `"mps"`, `"xpu"`) passed to any call, an integer
    device (`device=0`) passed to `pipeline()`, `from_pretrained()` or `.to()`, `.to("cuda")`,
    `.to(0)`, `.cuda()`, `torch.device("cuda")`, and `device = "cuda"` / `self.device = "cuda"`,
    unless they sit in code that checked availability first: an enclosing `if` or conditional
    expression about the device (`if torch.cuda.is_available():`, `if HAS_CUDA:`,
    `if device == "cuda":`, `if HAS_GPU:`), an earlier guard in the same function
    (`if not torch.cuda.is_available(): return ...`, an `assert`, `pytest.skip(...)`,
    `self.skipTest(...)`), a `select_device()`-style function itself, or a test that skips where
    the device is missing: `@pytest.mark.skipif(not torch.cuda.is_available(), ...)` on it or on its
    class (also through a module-level alias such as `requires_cuda = pytest.mark.skipif(...)`, or
    a decorator named for it such as `@require_torch_gpu`), `pytestmark = ...` in its module or
    class, `@unittest.skipUnless(torch.cuda.is_available(), ...)`, `@unittest.skipIf(not HAS_CUDA,
    ...)`, a skip guard in its class's `setUp`, and module code after a module-level skip
    (`pytest.skip(..., allow_module_level=True)`).

    ## Why it matters
    The test crashes on every machine without that accelerator (CPU-only CI, Apple silicon, Intel
    GPUs) and ignores the device the runner asked for, so its results are reported for the wrong
    hardware. ROCm builds of torch do say "cuda", but a Mac or a CPU runner does not.

    ## Example
    ```python
    def test_pipeline(self):
        pipe = pipeline("fill-mask", model=self.model_id, device="cuda")
        model = AutoModel.from_pretrained(self.model_id).cuda()
    ```
    Use instead:
    ```python
    def test_pipeline(self):
        pipe = pipeline("fill-mask", model=self.model_id, device=self.device)
        model = AutoModel.from_pretrained(self.model_id).to(self.device)
    ```

    ## Fix safety
    The fix uses the selected device: the function's own `device` when it already settled one
    (these files' methods start with `device = device or self.device`, so a caller's choice is
    kept), else `self.device` in the test class's methods, else `select_device()` (added from the
    skeleton when missing); a `device` parameter not yet settled comes first (`device or
    self.device`). `.cuda()` becomes `.to(<device>)`. Safe when the hard-coded device is the first
    GPU (`"cuda"`, `"cuda:0"`, `0`); unsafe when it names another (`"cuda:1"`, `.cuda(1)`) or a
    variable index, since the fix drops that choice. No fix at module level or in a class body,
    where the replacement would run at import time.
    """

    code = "HF302"
    name = "hardcoded-device"
    MESSAGE = "`{what}` hard-codes the device; use the selected device"
    FIX_APPLICABILITY = Applicability.UNSAFE
    GATE = True

    VALID = (
        Valid(UNITTEST_FILE),
        Valid(PYTEST_FILE),
        Valid(
            "import torch\n\n\ndef load(model):\n    if torch.cuda.is_available():\n"
            "        model = model.cuda()\n    return model\n"
        ),
        Valid(
            "class TestBertModels:\n    def test_pipeline(self):\n"
            "        device = 'cuda' if HAS_CUDA else 'cpu'\n"
            "        return pipeline('fill-mask', device=device)\n"
        ),
        Valid(
            "def run(model, device):\n    if device != 'cuda':\n        return None\n"
            "    return model.to('cuda:0'), pipeline('fill-mask', device=-1)\n"
        ),
        Valid("def get_device():\n    return torch.device('cuda')\n"),
        # Tests that skip where the device is missing: pytest marks on the test, its class
        # (directly or through a module-level alias) or its module, unittest's decorators, a
        # skip at the top of the test or in `setUp`, a module-level skip.
        Valid(
            "import pytest\nimport torch\n\n\n"
            "@pytest.mark.skipif(not torch.cuda.is_available(), reason='CUDA not available')\n"
            "class TestCUDA:\n    def test_inference(self, model, inputs):\n"
            "        model = model.to('cuda')\n"
            "        return model(**{k: v.to('cuda') for k, v in inputs.items()})\n"
        ),
        Valid(
            "import pytest\nimport torch\n\n"
            "requires_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason='no GPU')\n\n\n"
            "@requires_cuda\nclass TestCUDA:\n    def test_fp16(self, model):\n"
            "        return model.to('cuda').half()\n\n\n"
            "@requires_cuda\ndef test_memory(model):\n    return measure(model, device='cuda')\n"
        ),
        Valid(
            "import pytest\nimport torch\n\n"
            "pytestmark = [pytest.mark.gpu, pytest.mark.skipif(not torch.cuda.is_available(), "
            "reason='no GPU')]\n\n\ndef test_inference(model):\n    return model.cuda()\n"
        ),
        Valid(
            "import unittest\n\nimport torch\nfrom helpers import HAS_CUDA\n\n\n"
            "@unittest.skipIf(not HAS_CUDA, 'CUDA not available')\n"
            "class TestOnGpu(unittest.TestCase):\n    def test_inference(self):\n"
            "        return torch.zeros(1).to('cuda')\n\n\n"
            "class TestOnMps(unittest.TestCase):\n"
            "    @unittest.skipUnless(torch.backends.mps.is_available(), 'no MPS')\n"
            "    def test_inference(self):\n        return torch.zeros(1).to('mps')\n"
        ),
        Valid(
            "import pytest\nimport torch\n\n\ndef test_inference(model):\n"
            "    if not torch.cuda.is_available():\n        pytest.skip('CUDA not available')\n"
            "    return model.to('cuda')\n"
        ),
        Valid(
            "import unittest\n\nimport torch\n\n\nclass TestOnGpu(unittest.TestCase):\n"
            "    def setUp(self):\n        if not torch.cuda.is_available():\n"
            "            self.skipTest('CUDA not available')\n\n"
            "    def test_inference(self):\n        return torch.zeros(1).cuda()\n"
        ),
        Valid(
            "import pytest\nimport torch\n\nif not torch.cuda.is_available():\n"
            "    pytest.skip('CUDA not available', allow_module_level=True)\n\n"
            "DEVICE = torch.device('cuda')\n"
        ),
    )
    INVALID = (
        Invalid(
            "class TestBertModels:\n    def __init__(self, device=None):\n"
            "        self.device = device\n\n    def test_pipeline(self):\n"
            "        return pipeline('fill-mask', device='cuda')\n",
            fixed=(
                "class TestBertModels:\n    def __init__(self, device=None):\n"
                "        self.device = device\n\n    def test_pipeline(self):\n"
                "        return pipeline('fill-mask', device=self.device)\n"
            ),
        ),
        Invalid(
            "class TestBertModels:\n    def __init__(self, device=None):\n"
            "        self.device = device\n\n    def test_model(self, device=None):\n"
            "        device = device or self.device\n        return load().cuda()\n",
            fixed=(
                "class TestBertModels:\n    def __init__(self, device=None):\n"
                "        self.device = device\n\n    def test_model(self, device=None):\n"
                "        device = device or self.device\n        return load().to(device)\n"
            ),
        ),
        Invalid(
            "import torch\n\n\ndef to_gpu(tensor):\n    return tensor.to(torch.device('cuda', 1))\n",
        ),
        Invalid("import torch\n\nDEVICE = torch.device('cuda')\n"),
        # A mark that only labels the test skips nothing; a class-wide mark runs no code at import.
        Invalid(
            "import pytest\n\n\n@pytest.mark.cuda\ndef test_inference(model):\n"
            "    return model.to('cuda')\n",
            fixed=(
                "import pytest\n\n\n"
                + SELECT_DEVICE_DEFINITION
                + "@pytest.mark.cuda\ndef test_inference(model):\n"
                "    return model.to(select_device())\n"
            ),
        ),
        Invalid(
            "import pytest\nimport torch\n\npytestmark = pytest.mark.skipif("
            "not torch.cuda.is_available(), reason='no GPU')\n\nWEIGHTS = torch.ones(1).cuda()\n"
        ),
    )

    def visit_Module(self, node: cst.Module) -> None:
        self.begin_device_scan(self.facts, self.context.expected_class)

    def leave_Module(self, original_node: cst.Module) -> None:
        if not self.device_sites:
            return
        for site, replacement in site_replacements(original_node, self):
            fix = None
            if replacement is not None:
                fix = CodemodFix(
                    title=f"Use the selected device (`{replacement}`)",
                    applicability=Applicability.SAFE if site.safe else Applicability.UNSAFE,
                    command="use_selected_device.UseSelectedDeviceCommand",
                    arguments={"unsafe": not site.safe},
                )
            self.report(site.anchor, self.MESSAGE.format(what=_describe(site)), fix=fix)


def _describe(site: DeviceSite) -> str:
    code = cst.Module([]).code_for_node
    node = site.node
    if site.kind == "cuda" and isinstance(node, cst.Call):
        return ".cuda()" if not node.args else f".cuda({_args(node)})"
    if site.kind == "torch-device" and isinstance(node, cst.Call):
        return f"torch.device({_args(node)})"
    if isinstance(node, cst.Assign):
        return f"{code(node.targets[0].target)} = {code(node.value)}"
    arg = node.args[site.position]
    if arg.keyword is None:
        return f".to({code(arg.value)})"
    return f"{arg.keyword.value}={code(arg.value)}"


def _args(call: cst.Call) -> str:
    code = cst.Module([]).code_for_node
    return ", ".join(code(a.with_changes(comma=cst.MaybeSentinel.DEFAULT)) for a in call.args)
