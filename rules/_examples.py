"""Text the rules' examples share: the skeleton's `select_device()`, as the device fixes add it
(HF301, HF303), followed by the two blank lines before the next definition."""

SELECT_DEVICE_DEFINITION = (
    "def select_device():\n"
    '    """The best device present: cuda (NVIDIA, or AMD through ROCm builds), mps, xpu, then cpu."""\n'
    '    try:\n        import torch\n    except ImportError:\n        return "cpu"\n'
    '    if torch.cuda.is_available():\n        return "cuda"\n'
    '    mps = getattr(torch.backends, "mps", None)\n'
    '    if mps is not None and mps.is_available():\n        return "mps"\n'
    '    xpu = getattr(torch, "xpu", None)\n'
    '    if xpu is not None and xpu.is_available():\n        return "xpu"\n'
    '    return "cpu"\n\n\n'
)

# A valid unittest file and a valid pytest file, as real suites write them: the structure and
# device rules (the lint gate of `hflint exec`) must pass both. The TestCase is named as a script
# class would be, sets its device and model in `setUp`/`setUpClass`, and guards its GPU test with a
# skip decorator; the pytest module marks its GPU class through a module-level alias.
UNITTEST_FILE = (
    "import unittest\n\nimport torch\nfrom transformers import AutoModel, pipeline\n\n"
    "HAS_CUDA = torch.cuda.is_available()\nMODEL_ID = 'bert-base-uncased'\n\n\n"
    "class TestBertModels(unittest.TestCase):\n"
    "    @classmethod\n    def setUpClass(cls):\n"
    "        cls.model = AutoModel.from_pretrained(MODEL_ID)\n\n"
    "    def setUp(self):\n        self.device = 'cpu'\n\n"
    "    def test_pipeline(self):\n"
    "        pipe = pipeline('fill-mask', model=MODEL_ID, device=self.device)\n"
    "        self.assertTrue(pipe('Paris is the [MASK] of France.'))\n\n"
    "    @unittest.skipUnless(HAS_CUDA, 'CUDA not available')\n"
    "    def test_cuda(self):\n        self.assertIsNotNone(self.model.to('cuda'))\n\n\n"
    "if __name__ == '__main__':\n    unittest.main()\n"
)
PYTEST_FILE = (
    "import pytest\nimport torch\nfrom transformers import AutoModel, AutoTokenizer\n\n"
    "MODEL_ID = 'bert-base-uncased'\n"
    "requires_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason='no CUDA')\n\n\n"
    "@pytest.fixture(scope='module')\ndef model_and_tokenizer():\n"
    "    return AutoModel.from_pretrained(MODEL_ID), AutoTokenizer.from_pretrained(MODEL_ID)\n\n\n"
    "class TestInference:\n    def test_forward(self, model_and_tokenizer):\n"
    "        model, tokenizer = model_and_tokenizer\n"
    "        assert model(**tokenizer('hello', return_tensors='pt')) is not None\n\n\n"
    "@requires_cuda\nclass TestCUDA:\n    def test_cuda_inference(self, model_and_tokenizer):\n"
    "        model, tokenizer = model_and_tokenizer\n"
    "        inputs = {k: v.to('cuda') for k, v in tokenizer('hi', return_tensors='pt').items()}\n"
    "        assert model.to('cuda')(**inputs) is not None\n"
)
