from __future__ import annotations

import libcst as cst
from hflint.rules._examples import PYTEST_FILE, UNITTEST_FILE

from hflint.analysis.styles import SCRIPT
from hflint.analysis.testclass import (
    exit_behaviour,
    is_bare_main_call,
    main_guards,
    top_level_function,
)
from hflint.diagnostics import Applicability
from hflint.rule import CodemodFix, Invalid, Rule, Valid


class MissingMainEntry(Rule):
    """The file has no `__main__` entry, or its exit status ignores the results.

    ## What it does
    Reports a test file with no `if __name__ == "__main__":` block, one that calls `main()` and drops
    its result (`main()` instead of `sys.exit(main())`), or a `main()` that returns nothing, so the
    script exits 0 whatever its tests did. Entries that do not involve `main()` are left alone, and
    so are files whose tests unittest or pytest run: their runner reports the status.

    ## Why it matters
    CI jobs and runners run the files as scripts and read the exit status. A file that always exits
    0 reports every failure as a pass.

    ## Example
    ```python
    def main():
        TestBertModels().run_tests()

    if __name__ == "__main__":
        main()
    ```
    Use instead:
    ```python
    def main():
        results = TestBertModels().run_tests()["results"]
        return 0 if all(r["success"] for r in results.values()) else 1

    if __name__ == "__main__":
        sys.exit(main())
    ```

    ## Fix safety
    Safe when only the entry is missing or drops a returned status: the fix adds the guard (and the
    skeleton's `main()` when the file has none) or wraps the call in `sys.exit(...)`. Unsafe when
    `main()` itself returns nothing: the fix replaces it with the skeleton's `main()`, which keeps
    `--model`, `--device` and `--json` but not other options or output of the old one.
    """

    code = "HF105"
    name = "missing-main-entry"
    MESSAGE = 'No `if __name__ == "__main__":` entry that exits with the test results'
    FIX_APPLICABILITY = Applicability.UNSAFE
    GATE = True

    VALID = (
        Valid(UNITTEST_FILE),
        Valid(PYTEST_FILE),
        Valid(
            'import sys\n\n\ndef main():\n    return 1\n\n\nif __name__ == "__main__":\n    sys.exit(main())\n'
        ),
        Valid("def main():\n    raise SystemExit(1)\n\n\nif __name__ == '__main__':\n    main()\n"),
        Valid("if __name__ == \"__main__\":\n    print('not a main() entry')\n"),
        Valid("import pytest\n\n\ndef test_forward():\n    assert True\n"),
        Valid(
            "import unittest\n\n\nclass TestBert(unittest.TestCase):\n"
            "    def test_forward(self):\n        pass\n"
        ),
    )
    INVALID = (
        Invalid(
            'def main():\n    return 1\n\n\nif __name__ == "__main__":\n    main()\n',
            fixed=(
                'import sys\ndef main():\n    return 1\n\n\nif __name__ == "__main__":\n'
                "    sys.exit(main())\n"
            ),
        ),
        Invalid("def main():\n    print('done')\n\n\nif __name__ == \"__main__\":\n    main()\n"),
        Invalid("class TestBertModels:\n    pass\n"),
    )

    def visit_Module(self, node: cst.Module) -> None:
        if self.facts.style != SCRIPT:
            return
        main = top_level_function(node, "main")
        guards = list(main_guards(node))
        if not guards:
            self._report(node, main, 'No `if __name__ == "__main__":` entry', replace_main=False)
            return
        bare_calls = [s for g in guards for s in _body(g) if is_bare_main_call(s)]
        if main is None:
            return
        returns, exits = exit_behaviour(main)
        if exits:
            return
        if not returns:
            anchor = bare_calls[0] if bare_calls else main.name
            self._report(
                anchor,
                main,
                "`main()` returns no exit status, so the script exits 0 whatever the results",
                replace_main=True,
            )
        elif bare_calls:
            self._report(
                bare_calls[0],
                main,
                "The entry calls `main()` but drops its exit status (use `sys.exit(main())`)",
                replace_main=False,
            )

    def _report(
        self, anchor: cst.CSTNode, main: cst.FunctionDef | None, message: str, *, replace_main: bool
    ) -> None:
        applicability = Applicability.UNSAFE if replace_main else Applicability.SAFE
        title = (
            "Replace `main()` with the skeleton's and exit with its status"
            if replace_main
            else "Exit with `main()`'s status"
        )
        if main is None:
            title = "Add the skeleton's `main()` and entry"
        fix = CodemodFix(
            title,
            applicability,
            "add_main_entry.AddMainEntryCommand",
            {"replace_main": replace_main},
        )
        if isinstance(anchor, cst.Module):
            self.report_at(self.context.last_line, 1, message, fix=fix)
        else:
            self.report(anchor, message, fix=fix)


def _body(guard: cst.If) -> list[cst.BaseStatement]:
    return list(guard.body.body) if isinstance(guard.body, cst.IndentedBlock) else []
