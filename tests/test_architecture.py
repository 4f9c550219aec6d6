"""The layout's rules, read from the source (parsed with `ast`, nothing imported): no import cycle,
`rules/` and `codemods/` never import each other, the config code never reaches `hflint.exec`, and
no module grows past 600 lines; and what linting loads, in a fresh interpreter.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).parent.parent
# Where each installed package's source lies (pyproject.toml's package-dir).
PACKAGES = {
    "hflint": REPO / "hflint",
    "hflint.rules": REPO / "rules",
    "hflint.codemods": REPO / "codemods",
}
MAX_LINES = 600


@dataclass(frozen=True)
class Import:
    target: str
    line: int
    # Run when the module is imported (not inside a function, not under `if TYPE_CHECKING:`).
    at_load: bool


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package, root in PACKAGES.items():
        for path in sorted(root.rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join((package, *parts))] = path
    return found


MODULES = _modules()


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(module: str) -> Iterator[Import]:
    """Every import of a module, resolved to module names: `from a import b` imports `a.b` when that
    is a module, else `a`."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]

    def visit(node: ast.AST, at_load: bool) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                yield from visit(child, False)
            elif isinstance(child, ast.If) and _is_type_checking(child.test):
                yield from visit(ast.Module(body=child.body, type_ignores=[]), False)
                yield from visit(ast.Module(body=child.orelse, type_ignores=[]), at_load)
            elif isinstance(child, ast.Import):
                for alias in child.names:
                    yield Import(alias.name, child.lineno, at_load)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - child.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in child.names:
                    submodule = f"{base}.{alias.name}"
                    yield Import(submodule if submodule in MODULES else base, child.lineno, at_load)
            else:
                yield from visit(child, at_load)

    yield from visit(ast.parse(path.read_text(encoding="utf-8")), True)


def _load_graph() -> dict[str, set[str]]:
    """Module -> the project's modules it imports when it is loaded.

    Only imports that run at load time count: an import inside a function runs when the function is
    called, once every module has loaded, which is how the engine defers what lint must not pay for
    (codemods, torch); it cannot leave a module half-initialised, so it makes no cycle. Likewise
    imports under `if TYPE_CHECKING:`, which never run.
    """
    return {
        module: {i.target for i in _imports(module) if i.at_load and i.target in MODULES}
        for module in MODULES
    }


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the modules along it (the first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state:
                found = visit(target)
                if found is not None:
                    return found
        path.pop()
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state:
            found = visit(module)
            if found is not None:
                return found
    return None


def test_the_module_map_covers_the_three_packages() -> None:
    assert {"hflint.linter", "hflint.rules.hardcoded_device", "hflint.codemods.skeletons"} <= set(
        MODULES
    )


def test_no_import_cycle() -> None:
    cycle = _cycle(_load_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or ())


def test_the_cycle_check_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycle(graph) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [("hflint.rules", "hflint.codemods"), ("hflint.codemods", "hflint.rules")],
)
def test_rules_and_codemods_never_import_each_other(package: str, forbidden: str) -> None:
    """Shared facts live in hflint.analysis, shared edits in hflint.edits; a rule names its fix's
    codemod by a string (`CodemodFix.command`), imported only when the fix is applied."""
    found = [
        f"{MODULES[module].relative_to(REPO)}:{i.line} imports {i.target}"
        for module in MODULES
        if module == package or module.startswith(f"{package}.")
        for i in _imports(module)
        if i.target == forbidden or i.target.startswith(f"{forbidden}.")
    ]
    assert not found, "\n".join(found)


def test_the_config_code_never_reaches_hflint_exec() -> None:
    """Reading the configuration must not load the worker's side of the program (torch comes with
    it): `exec` registers its `[tool.hflint.exec]` table through `hflint.config_tables` instead."""
    config = sorted(
        m
        for m in MODULES
        if m in ("hflint.config", "hflint.settings") or m.startswith("hflint.config_")
    )
    assert "hflint.config_tables" in config
    graph = _load_graph()
    for start in config:
        direct = [i for i in _imports(start) if i.target.startswith("hflint.exec")]
        assert not direct, f"{start} imports {direct[0].target} (line {direct[0].line})"
        reached, pending = {start}, [start]
        while pending:
            for target in graph[pending.pop()] - reached:
                assert not target.startswith("hflint.exec"), f"{start} reaches {target} at load"
                reached.add(target)
                pending.append(target)


def test_no_module_is_over_600_lines() -> None:
    long = {
        str(path.relative_to(REPO)): lines
        for path in MODULES.values()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines (split them by job): {long}"


def test_lint_loads_no_codemod_machinery() -> None:
    """Lint never pays for LibCST's codemod machinery and matchers (together a third of start-up):
    rules use hflint.analysis and hflint.edits, which import them only where a fix runs."""
    sample = REPO / "fixtures" / "sample_suite" / "test_hf_bert.py"
    script = (
        "import sys\n"
        "from hflint.linter import lint_text\n"
        "from hflint.rule import all_rules\n"
        "path = sys.argv[1]\n"
        "linted = lint_text(path, open(path, encoding='utf-8').read(), list(all_rules().values()))\n"
        "assert linted.module is not None\n"
        "print(sorted(m for m in sys.modules if m.startswith(('libcst.codemod', 'libcst.matchers', "
        "'hflint.codemods'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(sample)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert result.stdout.strip() == "[]", result.stdout
