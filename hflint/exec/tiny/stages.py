"""The build's stages and their failures, and the transformers-side helpers every stage uses.

A failing step raises `StageFailed` naming its stage; `stage_rank` orders failures by how far the
build got, so the reason reported is that of the attempt that got furthest. transformers is
imported inside functions: importing this package stays cheap.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.metadata
import warnings
from collections.abc import Iterator
from typing import Any


class TinyModelUnavailable(Exception):
    """A tiny model cannot be made for this type and task; `reason` says which part failed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def transformers_version() -> str:
    """The installed transformers version, read without importing it (a cache hit stays cheap)."""
    return importlib.metadata.version("transformers")


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence progress bars, warnings and logging while building and checking a model."""
    from transformers.utils import logging as hf_logging

    level = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        hf_logging.set_verbosity(level)
        hf_logging.enable_progress_bar()


def one_line(error: BaseException, limit: int = 240) -> str:
    text = " ".join(f"{type(error).__name__}: {error}".split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class StageFailed(Exception):
    """A build step failed; `stage` names the component (tokenizer, model, pipeline...)."""

    def __init__(self, stage: str, error: BaseException | str) -> None:
        detail = error if isinstance(error, str) else one_line(error)
        super().__init__(f"{stage}: {detail}")
        self.stage = stage


# Build stages in order: a failure later in the list got further.
STAGES = (
    "config",
    "tokenizer",
    "processor",
    "model",
    "save",
    "model load",
    "pipeline load",
    "pipeline run",
)


def stage_rank(failure: StageFailed) -> int:
    return STAGES.index(failure.stage) if failure.stage in STAGES else 0


@contextlib.contextmanager
def stage(name: str) -> Iterator[None]:
    try:
        yield
    except StageFailed:
        raise
    except Exception as error:
        raise StageFailed(name, error) from error


def transformers_class(name: str | None) -> Any:
    import transformers

    return getattr(transformers, name, None) if name else None
