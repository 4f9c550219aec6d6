"""Hand-written test files that misbehave in every way `hflint exec` must contain, shared by the
local and the Ray backend's tests."""

from __future__ import annotations

from pathlib import Path

TEMPLATE = """\
import os
import subprocess
import sys
import time
{prelude}

class Test{stem}Models:
    def __init__(self, model_id=None, device=None):
        self.model_id = model_id
        self.device = device

    def test_pipeline(self):
{body}
        return {{"success": True, "device": self.device, "load_time": 0.25, "inference_time": 0.5}}

    def run_tests(self):
        return {{"results": {{"pipeline": self.test_pipeline()}}, "metadata": {{"device": self.device}}}}
"""

# file name -> (class stem, module-level prelude, test_pipeline body)
CASES: dict[str, tuple[str, str, str]] = {
    "test_hf_bert.py": ("Bert", "", "        print('fine')"),
    "test_hf_gpt-j.py": ("GptJ", "", "        print('imported by path')"),
    "test_hf_gpt2.py": ("Gpt2", "", "        while True:\n            time.sleep(0.05)"),
    "test_hf_t5.py": ("T5", "", "        os.abort()"),
    "test_hf_vit.py": ("Vit", "", "        os._exit(3)"),
    "test_hf_llama.py": ("Llama", "sys.exit(4)", "        pass"),
    "test_hf_roberta.py": ("Roberta", "", "        raise ValueError('boom')"),
    "test_hf_albert.py": (
        "Albert",
        "",
        "        for _ in range(10240):\n            sys.stdout.write('x' * 1023 + '\\n')",
    ),
    "test_hf_electra.py": (
        "Electra",
        "",
        "        hog = [bytearray(16 * 2**20) for _ in range(200)]",
    ),
    "test_hf_opt.py": (
        "Opt",
        "",
        "        return {'success': False, 'error': 'wrong output'}",
    ),
    # A grandchild that outlives the file must neither keep the run waiting nor survive it.
    "test_hf_distilbert.py": (
        "Distilbert",
        "",
        "        subprocess.Popen(['sleep', '60'])",
    ),
}


def write_cases(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, (stem, prelude, body) in CASES.items():
        source = TEMPLATE.format(stem=stem, prelude=prelude, body=body)
        (directory / name).write_text(source)
