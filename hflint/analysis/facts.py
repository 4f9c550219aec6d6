"""The facts about one file that rules share, computed once per file by the engine and handed to
every rule as `self.facts` (as pyupgrade's plugins share one `State`); no module globals.

A fact collected from the engine's batched visit (the pipeline tasks) is fed during that visit when
a rule declares it in `Rule.FACTS`; read without being declared, it is computed by a walk of its own.
"""

from __future__ import annotations

import libcst as cst

from hflint.analysis.styles import TestStyle, detect_style
from hflint.analysis.task_collect import Collector
from hflint.analysis.tasks import TaskAnalysis, analyze

TASKS = "tasks"


class FileFacts:
    """The shared facts of one parsed file."""

    def __init__(self, module: cst.Module, expected_class: str | None = None) -> None:
        self.module = module
        self.expected_class = expected_class  # the rule context's, for the facts that need it
        self._task_collector: Collector | None = None
        self._tasks: TaskAnalysis | None = None
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
    def style(self) -> TestStyle:
        """How the file's tests are run: script, unittest or pytest (`hflint.analysis.styles`)."""
        if self._style is None:
            self._style = detect_style(self.module, self.expected_class)
        return self._style
