"""Tiny models for `hflint exec`, synthesised offline from transformers' own configs.

`build_tiny_model(model_type, task)` returns a directory that `transformers.pipeline(task,
model=directory)` loads and runs on the task's canonical input (`hflint.task_inputs`), or raises
`TinyModelUnavailable` with a one-line reason. Nothing is downloaded: the model hub is never needed.

How a directory is made, one module per step:

1. `shrink` and `relations`: the type's default config (`AutoConfig.for_model`) is turned into a
   dict, its size attributes are shrunk by name, nested sub-configs included, and the relations the
   modelling code relies on are restored (`sizes` holds the levels and what both read);
2. `tokenizer`, `processors`, `components`: a tokenizer is trained on a small built-in corpus from
   the type's own tokenizer class, image processors, feature extractors and processors are made
   from their defaults, and all of them are fitted to the shrunk config;
3. `model`: token ids in the config are pointed at tokens that exist, the model is made with the
   task's auto class in float32, and the pipeline is run on the saved directory;
4. `build` tries each shrink level until the pipeline runs and `cache` publishes the directory
   (or records the failure) under the cache root; `stages` names the step that failed.

Only `hflint exec` (and bench/tiny) import this package; torch and transformers are imported inside
functions so that importing it stays cheap and no lint path ever pays for them. The exec worker
imports it before forking, so every submodule is imported here.
"""

from hflint.exec.tiny.build import TinyModel, build_tiny_model
from hflint.exec.tiny.cache import BUILDER_VERSION, ENV_CACHE, MARKER, cache_root, model_dir
from hflint.exec.tiny.model import run_pipeline
from hflint.exec.tiny.shrink import shrink_config_dict
from hflint.exec.tiny.sizes import LEVELS, Level
from hflint.exec.tiny.stages import TinyModelUnavailable, transformers_version

__all__ = [
    "BUILDER_VERSION",
    "ENV_CACHE",
    "LEVELS",
    "MARKER",
    "Level",
    "TinyModel",
    "TinyModelUnavailable",
    "build_tiny_model",
    "cache_root",
    "model_dir",
    "run_pipeline",
    "shrink_config_dict",
    "transformers_version",
]
