"""The facts about one file that rules share, computed once per file by the engine and handed to
every rule as `self.facts` (as pyupgrade's plugins share one `State`); no module globals. A codemod
that reuses a rule's analysis makes its own `FileFacts` of the module it transforms.

A fact collected from the engine's batched visit (the pipeline tasks) is fed during that visit when
a rule declares it in `Rule.FACTS`; read without being declared, it is computed by a walk of its own.
The others are computed when first read.
"""

from __future__ import annotations

import libcst as cst

from hflint.analysis.devices import probe_flags
from hflint.analysis.scopes import Analysis, analyse
from hflint.analysis.styles import TestStyle, detect_style
from hflint.analysis.task_collect import Collector
from hflint.analysis.tasks import TaskAnalysis, analyze

TASKS = "tasks"


class FileFacts:
    """The shared facts of one parsed file (and of its text, when the engine has it)."""

    def __init__(
        self, module: cst.Module, source: str = "", expected_class: str | None = None
    ) -> None:
        self.module = module
        self.source = source
        self.expected_class = expected_class  # the rule context's, for the facts that need it
        self._task_collector: Collector | None = None
        self._tasks: TaskAnalysis | None = None
        self._device_flags: frozenset[str] | None = None
        self._scopes: tuple[Analysis | None] | None = None
        self._style: TestStyle | None = None

    def task_collector(self) -> Collector:
        """The collector behind `tasks`, for the engine's visit to feed (before `tasks` is read)."""
        if self._task_collector is None:
            self._task_collector = Collector(self.module)
        return self._task_collector

    @property
    def tasks(self) -> TaskAnalysis:
        """The pipeline calls of the module, their tasks and uses (`hflint.analysis.tasks`)."""
        if self._tasks is None:
            collector = self._task_collector
            self._tasks = analyze(self.module) if collector is None else TaskAnalysis(collector)
        return self._tasks

    @property
    def device_flags(self) -> frozenset[str]:
        """Module-level names set from a device probe (`HAS_CUDA`), for the device rules."""
        if self._device_flags is None:
            self._device_flags = probe_flags(self.module)
        return self._device_flags

    @property
    def scopes(self) -> Analysis | None:
        """The file's scopes (`hflint.analysis.scopes`), None when CPython does not accept its
        text (LibCST may) or there is no text to read."""
        if self._scopes is None:
            usable = self.source or not self.module.body
            self._scopes = (analyse(self.source) if usable else None,)
        return self._scopes[0]

    @property
    def style(self) -> TestStyle:
        """How the file's tests are run: script, unittest or pytest (`hflint.analysis.styles`)."""
        if self._style is None:
            self._style = detect_style(self.module, self.expected_class)
        return self._style
