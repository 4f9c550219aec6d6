"""`HAS_<X>` availability flags: which module a flag stands for (HF401 and its fix)."""

from __future__ import annotations

import re

# `HAS_<X>` availability flags whose module is not the lower-cased suffix.
FLAG_MODULES = {
    "PIL": "PIL",
    "PILLOW": "PIL",
    "CV2": "cv2",
    "OPENCV": "cv2",
    "SKLEARN": "sklearn",
    "SCIKIT_LEARN": "sklearn",
    "YAML": "yaml",
    "PYYAML": "yaml",
    "BS4": "bs4",
    "SOUNDFILE": "soundfile",
    "ONNXRUNTIME": "onnxruntime",
    "ORT": "onnxruntime",
}
# `HAS_<X>` flags that describe hardware, set by probes rather than imports: no fix.
HARDWARE_FLAGS = frozenset(
    {
        "CUDA",
        "MPS",
        "ROCM",
        "GPU",
        "XPU",
        "TPU",
        "NPU",
        "CPU",
        "QNN",
        "WEBGPU",
        "WEBNN",
        "MULTI_GPU",
    }
)
_FLAG = re.compile(r"^HAS_([A-Z][A-Z0-9_]*)$")


def flag_module(flag: str) -> str | None:
    """The module a `HAS_<X>` flag stands for (`HAS_PIL` -> `PIL`), or None for other names."""
    match = _FLAG.match(flag)
    if match is None or match.group(1) in HARDWARE_FLAGS:
        return None
    suffix = match.group(1)
    return FLAG_MODULES.get(suffix, suffix.lower())
