from __future__ import annotations

from collections import Counter
from collections.abc import Set as AbstractSet

import libcst as cst
from hflint.rules._scopes import Frame, ScopedRule

from hflint.analysis.facts import FileFacts
from hflint.analysis.scopes import BIND, SKIP, WALRUS, Scope
from hflint.diagnostics import Applicability
from hflint.edits.assignment_move import move_assignment, start_clock
from hflint.rule import CodemodFix, Invalid, RuleContext, Valid


class _Function:
    """What the visit knows about one function while it is inside it."""

    __slots__ = ("first_reads", "loops", "node", "occurrence", "qualname", "watched")

    def __init__(self, node: cst.FunctionDef, qualname: str, occurrence: int, watched: set[str]):
        self.node = node
        self.qualname = qualname
        self.occurrence = occurrence
        # The frame's watched names: local variables not settled yet. A name assigned before any
        # read is settled at once and no longer watched, so most names cost one lookup each.
        self.watched = watched
        # Names met first as a read: name -> (statement number, the Name node, the loops around it,
        # outermost first). They stay watched until their first assignment.
        self.first_reads: dict[str, tuple[int, cst.Name, tuple[int, ...]]] = {}
        self.loops: list[int] = []  # ids of the `for`/`while` statements the visit is inside


class UseBeforeAssignment(ScopedRule):
    """A local variable is read before it is assigned.

    ## What it does
    Reports a function's local variable read at a point that comes, in source order, before every
    assignment to it in the function: the read can only raise `UnboundLocalError`. It is
    deliberately conservative and reports only what it can prove from the text:
    - the read comes in an earlier statement than the first assignment (within one statement,
      such as `x = x + 1`, the order is not checked);
    - the read is not inside a loop that assigns the name further on (the second iteration would
      see the value);
    - the name is a local of the function (assigned in it), not a global, not declared `global` or
      `nonlocal`, not rebound by a nested function through `nonlocal`; reads inside nested
      functions, lambdas and comprehensions are not counted.
    Each name is reported once per function, at its first read.

    ## Why it matters
    Fixer scripts that inject blocks into test methods leave reads above the assignment they rely
    on: `load_time = time.time() - start_time` inserted after the pipeline is built, above the
    `start_time = time.time()` that times each run further down (often in a loop). The method then
    always fails, usually inside a `try` that reports the `UnboundLocalError` as a failed test of
    the model.

    ## Example
    ```python
    def test_pipeline(self):
        pipe = transformers.pipeline("fill-mask", model=self.model_id)
        load_time = time.time() - start_time
        for _ in range(3):
            start_time = time.time()
            outputs = pipe(self.test_text)
    ```
    Use instead:
    ```python
    def test_pipeline(self):
        start_time = time.time()
        pipe = transformers.pipeline("fill-mask", model=self.model_id)
        load_time = time.time() - start_time
    ```

    ## Fix safety
    A timer (the first assignment is `name = <clock>()`, a clock of the standard library such as
    `time.time()`, `time.perf_counter()` or `datetime.now()`, through the file's imports and not
    shadowed by a local) gets a safe fix, wherever that assignment is: the same assignment is added
    as the function's first statement (after its docstring), and the later one stays. The early
    read then counts from the start of the function, later ones are what they were; the read could
    only raise, and a clock has no side effect.

    Any other variable gets an unsafe fix when it can be shown that nothing else changes meaning:
    the first assignment moves up to just before the statement holding the first read. The
    assignment must be a simple statement (`name = ...`) of a block that also holds the first read
    (directly, or nested in one of its statements), its right-hand side must read only names
    already bound there and hold no lambda, comprehension, walrus or `yield`, and nothing in
    between may read or write what it assigns or rebind what it reads. The right-hand side then
    runs earlier (a call happens before the statements it used to follow), which the fix cannot
    judge; later reads see the moved value. No fix is offered otherwise.
    """

    code = "HF402"
    name = "use-before-assignment"
    MESSAGE = "`{name}` is read before it is assigned in `{function}()`: an UnboundLocalError"
    FIX_APPLICABILITY = Applicability.UNSAFE
    GATE = True

    VALID = (
        Valid(
            "import time\n\n\ndef measure(run):\n    start_time = time.time()\n    run()\n"
            "    return time.time() - start_time\n"
        ),
        Valid(
            "def last(items):\n    for item in items:\n        if item > 0:\n"
            "            print(previous)\n        previous = item\n"
        ),
        Valid(
            "counter = 0\n\n\ndef bump():\n    global counter\n    print(counter)\n    counter = 1\n"
        ),
        Valid(
            "def outer():\n    def inner():\n        return value\n    value = 1\n    return inner\n"
        ),
        Valid("def step(x):\n    x = x + 1\n    total = total + x\n    return total\n"),
        Valid(
            "def load():\n    try:\n        import torch\n    except ImportError:\n"
            "        torch = None\n    return torch\n"
        ),
    )
    INVALID = (
        Invalid(
            "import time\n\n\nclass TestBertModels:\n    def test_from_pretrained(self):\n"
            "        model = self.load()\n        load_time = time.time() - start_time\n"
            "        model.eval()\n\n        start_time = time.time()\n"
            "        outputs = model()\n        return outputs, load_time\n",
            fixed=(
                "import time\n\n\nclass TestBertModels:\n    def test_from_pretrained(self):\n"
                "        start_time = time.time()\n"
                "        model = self.load()\n        load_time = time.time() - start_time\n"
                "        model.eval()\n\n        start_time = time.time()\n"
                "        outputs = model()\n        return outputs, load_time\n"
            ),
        ),
        Invalid(
            # The timer's assignment is in a loop, the early read in an `except` path.
            "from time import perf_counter\n\n\nclass TestBertModels:\n"
            "    def test_pipeline(self):\n"
            '        """Build the pipeline, then time three runs."""\n'
            "        try:\n            pipe = self.build()\n"
            "        except Exception:\n"
            '            return {"success": False, "seconds": perf_counter() - started}\n'
            "        for _ in range(3):\n            started = perf_counter()\n"
            "            pipe(self.text)\n"
            '        return {"success": True, "seconds": perf_counter() - started}\n',
            fixed=(
                "from time import perf_counter\n\n\nclass TestBertModels:\n"
                "    def test_pipeline(self):\n"
                '        """Build the pipeline, then time three runs."""\n'
                "        started = perf_counter()\n"
                "        try:\n            pipe = self.build()\n"
                "        except Exception:\n"
                '            return {"success": False, "seconds": perf_counter() - started}\n'
                "        for _ in range(3):\n            started = perf_counter()\n"
                "            pipe(self.text)\n"
                '        return {"success": True, "seconds": perf_counter() - started}\n'
            ),
        ),
        Invalid(
            "def report(results):\n    if not results:\n        print(summary)\n"
            "    summary = len(results)\n    return summary\n",
            fixed=(
                "def report(results):\n    summary = len(results)\n    if not results:\n"
                "        print(summary)\n    return summary\n"
            ),
        ),
        Invalid(
            "def run(flag):\n    print(device)\n    if flag:\n        device = 'cuda'\n"
            "    return device\n",
        ),
        Invalid(
            # `time` is the function's parameter, not the module: no clock, and no move (the
            # assignment is in a loop).
            "def wait(time):\n    print(time.time() - begin)\n    for _ in range(2):\n"
            "        begin = time.time()\n",
        ),
    )

    def __init__(self, context: RuleContext, facts: FileFacts) -> None:
        super().__init__(context, facts)
        self._functions: list[_Function | None] = []
        self._names: list[str] = []
        self._occurrences: Counter[str] = Counter()
        self._statement = 0

    def watched_names(self, scope: Scope) -> AbstractSet[str]:
        if scope.kind == "function" and scope.name != "lambda":
            return set(scope.locals)  # a fresh set: names leave it as they are settled
        return frozenset()

    @property
    def _function(self) -> _Function | None:
        return self._functions[-1] if self._functions else None

    def scope_entered(self, frame: Frame) -> None:
        node = frame.node
        state = None
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            self._names.append(node.name.value)
        if isinstance(node, cst.FunctionDef) and isinstance(frame.watched, set) and frame.watched:
            qualname = ".".join(self._names)
            state = _Function(node, qualname, self._occurrences[qualname], frame.watched)
        if isinstance(node, cst.FunctionDef):
            self._occurrences[".".join(self._names)] += 1
        self._functions.append(state)

    def scope_left(self, frame: Frame) -> None:
        self._functions.pop()
        if isinstance(frame.node, (cst.FunctionDef, cst.ClassDef)):
            self._names.pop()

    # Statements are numbered in source order; reads and writes in one statement share a number.

    def _next_statement(self) -> None:
        self._statement += 1

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self._next_statement()

    def visit_SimpleStatementSuite(self, node: cst.SimpleStatementSuite) -> None:
        self._next_statement()
        super().visit_SimpleStatementSuite(node)

    def visit_If(self, node: cst.If) -> None:
        self._next_statement()

    def visit_With(self, node: cst.With) -> None:
        self._next_statement()

    def visit_Try(self, node: cst.Try) -> None:
        self._next_statement()

    def visit_Match(self, node: cst.Match) -> None:
        self._next_statement()

    def visit_MatchCase(self, node: cst.MatchCase) -> None:
        self._next_statement()

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        self._next_statement()
        super().visit_ExceptHandler(node)

    def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> None:
        self._next_statement()
        super().visit_ExceptStarHandler(node)

    def visit_TryStar(self, node: cst.TryStar) -> None:
        self._next_statement()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._next_statement()
        super().visit_FunctionDef(node)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._next_statement()
        super().visit_ClassDef(node)

    def _enter_loop(self, node: cst.For | cst.While) -> None:
        self._next_statement()
        function = self._function
        if function is not None:
            function.loops.append(id(node))

    def _leave_loop(self, node: cst.For | cst.While) -> None:
        function = self._function
        if function is not None and function.loops and function.loops[-1] == id(node):
            function.loops.pop()

    def visit_For(self, node: cst.For) -> None:
        self._enter_loop(node)
        super().visit_For(node)

    def leave_For(self, original_node: cst.For) -> None:
        self._leave_loop(original_node)

    def visit_While(self, node: cst.While) -> None:
        self._enter_loop(node)

    def leave_While(self, original_node: cst.While) -> None:
        self._leave_loop(original_node)

    def name_seen(self, node: cst.Name, role: int | None) -> None:
        function = self._function
        if function is None or role == SKIP:
            return
        in_comprehension = bool(self.frame.comprehension_targets)
        name = node.value
        if role == WALRUS or (role == BIND and not in_comprehension):
            function.watched.discard(name)  # settled: assigned before any read, or now after one
            first_read = function.first_reads.pop(name, None)
            if first_read is not None:
                self._assigned_after_read(function, name, first_read)
        elif role is None and not in_comprehension and name not in function.first_reads:
            function.first_reads[name] = (self._statement, node, tuple(function.loops))

    def _assigned_after_read(
        self, function: _Function, name: str, first_read: tuple[int, cst.Name, tuple[int, ...]]
    ) -> None:
        statement, read, loops = first_read
        if statement == self._statement:
            return  # one statement: which part Python runs first is not checked
        if loops and loops[0] in function.loops:
            return  # a later iteration of a loop around the read sees the assignment
        short_name = function.qualname.rsplit(".", 1)[-1]
        arguments = {"function": function.qualname, "name": name, "occurrence": function.occurrence}
        fix = None
        if start_clock(self.facts.module, function.node, name) is not None:
            fix = CodemodFix(
                f"Start `{name}` from the same clock when `{short_name}()` starts (its later "
                "assignment stays)",
                Applicability.SAFE,
                "start_clock.StartClockCommand",
                arguments,
            )
        elif move_assignment(function.node, name) is not None:
            fix = CodemodFix(
                f"Move the first assignment to `{name}` up to just before its first read",
                Applicability.UNSAFE,
                "move_assignment_up.MoveAssignmentUpCommand",
                arguments,
            )
        self.report(read, self.MESSAGE.format(name=name, function=short_name), fix=fix)
