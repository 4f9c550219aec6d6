"""`hflint.exec.results`: every result shape real suites return from `run_tests()`, read as
per-test outcomes; what is not a test never counts; what cannot be read is an error that shows it.

Pure Python (test_exec_run.py runs one file of each shape in the real child)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from hflint.rules.unreadable_results import UnreadableResults

from hflint.exec.protocol import CaseOutcome
from hflint.exec.results import describe, error_line, evaluate, verdict
from hflint.linter import lint_text

pytestmark = pytest.mark.exec


def statuses(returned: object) -> dict[str, str]:
    return {name: case.status for name, case in evaluate(returned).tests.items()}


def test_the_contract() -> None:
    passed = evaluate({"results": {"a": {"success": True, "load_time": 1.0}}, "metadata": {}})
    assert passed.status == "passed" and passed.load_seconds == 1.0 and passed.reason is None
    failed = evaluate({"results": {"a": {"success": True}, "b": {"success": False, "error": "x"}}})
    assert failed.status == "failed" and failed.reason == "1 of 2 failed (b): x"
    assert failed.tests["b"] == CaseOutcome("failed", "x")
    assert failed.error == "b: x"
    timed = evaluate({"results": {"a": {"success": True, "seconds": 2, "inference_time": 0.5}}})
    assert timed.tests["a"].seconds == 2.0 and timed.inference_seconds == 0.5


def test_per_test_dicts_beside_metadata() -> None:
    """metadata's own `success` (an OR of two tests) is not a test."""
    returned = {
        "pipeline": {"success": True, "load_time": 0.25},
        "from_pretrained": {"success": False, "error": "size mismatch"},
        "openvino": {"success": False, "error": "Not implemented"},
        "metadata": {"success": True, "model_id": "x", "performance": {"avg": 1.0}},
    }
    found = evaluate(returned)
    assert statuses(returned) == {
        "pipeline": "passed",
        "from_pretrained": "failed",
        "openvino": "failed",
    }
    assert found.status == "failed" and found.load_seconds == 0.25
    assert found.reason == "2 of 3 failed (from_pretrained, openvino): size mismatch"


def test_flat_success_keys() -> None:
    returned = {
        "pipeline_success": False,
        "pipeline_error_type": "missing_dependency",
        "pipeline_missing_deps": ["tokenizers>=0.11.0"],
        "from_pretrained_success": True,
        "from_pretrained_error_type": "none",
        "from_pretrained_load_time": 0.5,
        "model_id": "bert-base-uncased",
    }
    found = evaluate(returned)
    assert found.tests == {
        "pipeline": CaseOutcome("failed", "missing_dependency"),
        "from_pretrained": CaseOutcome("passed"),
    }
    assert found.load_seconds == 0.5
    # The error wins over its type; without either, the bool says it.
    assert evaluate({"a_success": False, "a_error": "boom", "a_error_type": "other"}).tests[
        "a"
    ] == CaseOutcome("failed", "boom")
    assert evaluate({"a_success": False}).tests["a"] == CaseOutcome("failed", "a_success is False")


def test_nested_results_beside_examples_performance_and_hardware() -> None:
    returned = {
        "results": {
            "pipeline_cpu": {
                "pipeline_success": False,
                "pipeline_error": "CUDA error",
                "pipeline_error_type": "cuda_error",
                "pipeline_traceback": "Traceback ...",
            },
            "from_pretrained_cpu": {
                "from_pretrained_success": True,
                "from_pretrained_avg_time": 0.1,
                "model_load_time": 0.3,
                "from_pretrained_error_type": "none",
            },
        },
        "examples": [{"method": "pipeline", "output": "Success"}],
        "performance": {"pipeline_cpu": {"avg_time": 0.1, "success": True}},
        "hardware": {"cuda": False, "openvino": False},
        "metadata": {"model": "x", "test_type": "REAL INFERENCE"},
    }
    found = evaluate(returned)
    assert found.tests == {
        "pipeline_cpu": CaseOutcome("failed", "CUDA error"),
        "from_pretrained_cpu": CaseOutcome("passed"),
    }
    both = {"cpu": {"pipeline_success": True, "from_pretrained_success": False}}
    assert statuses({"results": both}) == {
        "cpu.pipeline": "passed",
        "cpu.from_pretrained": "failed",
    }


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("Success", "passed"),
        ("Success (REAL)", "passed"),
        ("Success ()))))REAL)", "passed"),  # as a regex fixer left it
        ("success but unexpected format", "passed"),
        ("passed", "passed"),
        ("OK", "passed"),
        ("Success (MOCK)", "skipped"),  # the model did not run
        ("skipped", "skipped"),
        ("Not run", "skipped"),
        ("Failed CPU initialization", "failed"),
        ("Failed (MOCK)", "failed"),
        ("Error: CUDA out of memory", "failed"),
        ("failed", "failed"),
    ],
)
def test_status_strings(value: str, status: str) -> None:
    assert statuses({"status": {"cpu_handler": value}, "examples": []}) == {"cpu_handler": status}
    assert statuses({"results": {"t": {"status": value}}}) == {"t": status}
    assert statuses({"results": {"t": {"success": value}}}) == {"t": status}


def test_strings_that_are_no_status() -> None:
    """In a `status` or `success` field an unknown word fails; as a loose value it is no test."""
    found = evaluate({"results": {"t": {"status": "Invalid platform"}}})
    assert found.tests["t"] == CaseOutcome("failed", "status 'Invalid platform' is not a success")
    assert statuses({"init": "Success", "device": "cpu", "model": "bert", "note": "fine"}) == {
        "init": "passed"
    }
    assert evaluate({"results": {"t": {"success": None}}}).tests["t"] == CaseOutcome(
        "failed", "success is None, not a bool"
    )


def test_every_test_skipped_is_skipped_with_the_reasons() -> None:
    found = evaluate({"status": {"openvino_init": "Success (MOCK)", "cuda": "skipped"}})
    assert found.status == "skipped"
    assert found.reason == (
        "every test skipped (openvino_init: ran on mock objects, not the model: "
        "'Success (MOCK)'; cuda: skipped)"
    )
    some = evaluate({"results": {"cpu": {"success": True}, "cuda": {"status": "skipped"}}})
    assert (some.status, some.reason) == ("passed", "1 of 2 skipped (cuda)")


def test_a_run_all_tests_style_dict_of_tests() -> None:
    returned = {
        "model_info": {"model_id": "x"},
        "device": "cpu",
        "tests": {
            "model_loading": {"status": "passed", "components": "loaded"},
            "text_generation": {"status": "failed", "error": "shape"},
        },
        "performance": {},
    }
    assert statuses(returned) == {"model_loading": "passed", "text_generation": "failed"}
    assert evaluate(returned).tests["text_generation"].message == "shape"


def test_a_dict_that_only_says_what_went_wrong_is_a_failure() -> None:
    assert statuses({"results": {"a": {"success": True}, "b": {"error": "boom"}}}) == {
        "a": "passed",
        "b": "failed",
    }
    # One test's own dict returned as it is.
    assert statuses({"success": True, "load_time": 1.0}) == {"run_tests": "passed"}


@pytest.mark.parametrize(
    ("returned", "shown"),
    [
        (None, "NoneType"),
        ({"results": {}}, "dict {results: dict (empty)}"),
        (
            {"results": {"count": 3}, "metadata": {"success": True}},
            "dict {results: dict {count: int}, metadata: dict {success: bool}}",
        ),
        ([{"success": True}], "list of 1"),
        ({"results": [1, 2]}, "dict {results: list of 2}"),
        ({"metadata": {"success": True}, "examples": []}, "dict {metadata: dict {success: bool}, "),
    ],
)
def test_what_cannot_be_read_is_an_error_that_shows_it(returned: Any, shown: str) -> None:
    found = evaluate(returned)
    assert found.status == "error" and not found.tests
    assert found.reason is not None
    assert found.reason.startswith("run_tests() returned no test results hflint can read: ")
    assert shown in found.reason


def test_describe_is_truncated() -> None:
    huge = {f"key{n}": {"inner": list(range(n))} for n in range(40)}
    assert len(describe(huge)) <= 300 and describe(huge).endswith(" ...")
    assert "... 28 more" in describe(huge, limit=10_000)
    assert describe({"a": "x" * 100}) == "dict {a: str " + repr("x" * 40) + "}"


def test_verdict_of_tests() -> None:
    assert verdict({}).status == "error"
    many = {f"t{n}": CaseOutcome("failed", f"e{n}") for n in range(8)}
    found = verdict(many)
    assert found.reason == "8 of 8 failed (t0, t1, t2, t3, t4, t5, and 2 more): e0"
    assert found.error is not None and found.error.splitlines()[-1] == "t7: e7"


def readme_shapes() -> list[tuple[str, str, str]]:
    """(shape, example, tests read) of each row of README's "The result shapes exec reads"."""
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("### The result shapes exec reads", 1)[1].split("\n#", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "`" in line]
    found = []
    for row in rows:
        shape, example, tests = (cell.strip() for cell in row.strip("|").split(" | "))
        found.append((shape, example.strip("`"), tests))
    return found


@pytest.mark.parametrize(("shape", "example", "tests"), readme_shapes())
def test_readme_table_of_shapes(shape: str, example: str, tests: str) -> None:
    found = evaluate(ast.literal_eval(example))
    if tests.startswith("none:"):
        assert found.status == "error" and found.reason is not None
        assert tests.split("`")[-2] in found.reason
    else:
        read = ", ".join(f"{name}: {case.status}" for name, case in found.tests.items())
        assert read == tests, shape


def test_the_readme_table_has_every_shape() -> None:
    assert len(readme_shapes()) == 7


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            'Traceback (most recent call last):\n  File "t.py", line 3, in test\n    assert n == 3, '
            '"wrong shape"\nAssertionError: wrong shape\nassert 14 == 3\n +  where 14 = len(x)\n',
            "AssertionError: wrong shape",
        ),
        (
            "Traceback (most recent call last):\n  File \"a.py\", line 1, in f\nKeyError: 'a'\n\n"
            "During handling of the above exception, another exception occurred:\n\n"
            'Traceback (most recent call last):\n  File "a.py", line 3, in f\n'
            "OSError: offline\n",
            "OSError: offline",
        ),
        (
            "self = <T>\n\n>   assert x\nE   AssertionError: no\nE   assert False\n",
            "AssertionError: no",
        ),
        ("size mismatch\nmore", "size mismatch"),
    ],
)
def test_the_error_line_of_a_failure(text: str, line: str) -> None:
    assert error_line(text) == line


def test_long_messages_keep_their_first_line_and_their_end() -> None:
    frame = '  File "conftest.py", line 3, in model\n    return load()\n'
    message = (
        "error in setup:\nTraceback (most recent call last):\n"
        + frame * 200
        + "RuntimeError: fixture broke"
    )
    found = verdict({"t": CaseOutcome("failed", message)})
    kept = found.tests["t"].message
    assert kept is not None and len(kept) <= 2000
    assert kept.startswith("error in setup:\n...\n") and kept.endswith(
        "RuntimeError: fixture broke"
    )
    assert found.reason == "1 of 1 failed (t): RuntimeError: fixture broke"


def _lint_reports_unreadable(returned: str) -> bool:
    """Whether HF107 reports a `run_tests()` that returns `returned` (Python source)."""
    code = f"class TestBertModels:\n    def run_tests(self):\n        return {returned}\n"
    findings = lint_text("test_hf_bert.py", code, [UnreadableResults]).findings
    return [d.code for d in findings] == ["HF107"]


@pytest.mark.parametrize(("shape", "example", "tests"), readme_shapes())
def test_lint_reads_the_readme_shapes_as_exec_does(shape: str, example: str, tests: str) -> None:
    """HF107 reports the row exec finds no test in, and none of the shapes exec reads."""
    assert _lint_reports_unreadable(example) == tests.startswith("none:"), shape


@pytest.mark.parametrize(
    "returned",
    [
        "None",
        "True",
        "[{'success': True}]",
        "{}",
        "{'success': True}",
        "{'success': False, 'metadata': {}}",
        "{'metadata': {'success': True}, 'examples': [], 'performance': {}}",
        "{'results': {}, 'pipeline': {'success': True}}",
        "{'results': [], 'pipeline': {'success': True}}",
        "{'results': None, 'tests': {'a': {'status': 'passed'}}}",
        "{'tests': {'a': {'status': ''}}}",
        "{'tests': {'a': {'error': ''}}}",
        "{'tests': {'a': {'error': 'boom'}}}",
        "{'status': 'completed', 'model': 'bert'}",
        "{'status': 'Success', 'model': 'bert'}",
        "{'status': {'init': 'Not available'}}",
        "{'results': {'pipeline_cpu': {'pipeline_success': True, 'pipeline_error': None}}}",
        "{'results': {'cpu': {'pipeline_success': True, 'load_success': False}}}",
        "{'results': {'cpu': {'count': 3, 'device': 'cpu'}}}",
        "{'load_success': True, 'device': 'cpu'}",
        "{'pipeline': 'Success (MOCK)', 'device': 'cpu', 'model': 'bert'}",
        "{'pipeline': 3, 'timings': {'success': True}}",
    ],
)
def test_lint_and_exec_agree_on_literal_results(returned: str) -> None:
    """On a literal, where the code settles everything, HF107 reports exactly what exec cannot
    read."""
    unreadable = evaluate(ast.literal_eval(returned)).status == "error"
    assert _lint_reports_unreadable(returned) == unreadable
