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
