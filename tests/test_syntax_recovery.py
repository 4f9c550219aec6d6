"""Locating syntax errors and repairing them mechanically (rule HF001), with both real parsers."""

from __future__ import annotations

import ast

import libcst
import pytest
from hflint.codemods.syntax_repairs._lines import LineKind, classify_lines

from hflint.syntax import (
    Recovery,
    SyntaxProblem,
    find_syntax_problem,
    recover,
    split_lines,
    syntax_repairs,
)

FILE = "test_hf_bert.py"


def assert_parses(source: str) -> None:
    compile(source, FILE, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    libcst.parse_module(source)


def repaired(source: str) -> Recovery:
    recovery = recover(source, FILE)
    assert recovery is not None
    assert_parses(recovery.source)
    return recovery


def test_every_repair_is_registered_once_with_a_description() -> None:
    repairs = syntax_repairs()
    assert sorted(repair.name for repair in repairs) == [
        "align-clause",
        "align-decorators",
        "align-try-handler",
        "balance-brackets",
        "clean-line-continuation",
        "close-try-block",
        "fix-tab-indentation",
        "indent-block-body",
        "insert-pass",
        "join-hyphenated-name",
        "join-previous-statements",
        "raise-header",
        "reindent-block",
        "rejoin-try-body",
        "return-into-function",
        "split-header-line",
        "undo-repeated-braces",
        "undo-repeated-closers-everywhere",
        "undo-repeated-line-end-punctuation",
        "undo-repeated-punctuation",
    ]
    assert all(repair.description for repair in repairs)


# find_syntax_problem


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(
            "try:\n    import torch\nHAS_TORCH = True\n",
            SyntaxProblem("expected 'except' or 'finally' block", 3, 1),
            id="try-without-handler",
        ),
        pytest.param(
            "def f():\n    try:\n        x = 1\nz = 2\n",
            # CPython gives offset 0 here: clamped to the first column.
            SyntaxProblem("expected 'except' or 'finally' block", 4, 1),
            id="offset-zero",
        ),
        pytest.param(
            "result = compute(1, 2))\n",
            SyntaxProblem("unmatched ')'", 1, 23),
            id="unmatched",
        ),
        pytest.param(
            "x = 1 + \\  \n    2\n",
            SyntaxProblem("unexpected character after line continuation character", 1, 10),
            id="continuation",
        ),
        pytest.param(
            "if ready:\n        run()\n    report()\n",
            # CPython's offset is one past the end of the line: kept, it still names the line end.
            SyntaxProblem("unindent does not match any outer indentation level", 3, 13),
            id="unindent",
        ),
        pytest.param(
            "class TestBertModels:\n    def test_pipeline(self):\n    pass\n",
            SyntaxProblem("expected an indented block after function definition on line 2", 3, 5),
            id="expected-indented-block",
        ),
        pytest.param(
            "if ready:\n\trun()\n        report()\n",
            SyntaxProblem("inconsistent use of tabs and spaces in indentation", 3, 1),
            id="tab-error",
        ),
        pytest.param(
            "x = 'é' + f(1))\n",
            SyntaxProblem("unmatched ')'", 1, 15),
            id="columns-count-characters",
        ),
        pytest.param(
            "x = 1\r\ny = f(2))\r\n",
            SyntaxProblem("unmatched ')'", 2, 9),
            id="crlf",
        ),
        pytest.param(
            "x = 1\ry = f(2))\r",
            SyntaxProblem("unmatched ')'", 2, 9),
            id="lone-cr",
        ),
        pytest.param(
            # str.splitlines would break at the form feed and the line separator; CPython does not.
            "x = 1\x0c\n# \u2028 note\ny = f(2))\n",
            SyntaxProblem("unmatched ')'", 3, 9),
            id="form-feed-and-line-separator",
        ),
        pytest.param(
            "x = 1\ny = 2\x00\n",
            # CPython gives no position for a NUL byte: the first one is located.
            SyntaxProblem("source code string cannot contain null bytes", 2, 6),
            id="nul-byte",
        ),
    ],
)
def test_find_syntax_problem_locates_cpython_errors(source: str, expected: SyntaxProblem) -> None:
    assert find_syntax_problem(source, FILE) == expected


def test_find_syntax_problem_returns_none_when_both_parsers_accept() -> None:
    assert find_syntax_problem("import torch\r\n\r\nx = f(1)\r\n", FILE) is None


def test_libcst_only_problem_is_reported_at_libcst_position() -> None:
    # CPython accepts a parenthesized annotated target; LibCST's grammar does not. LibCST 1.9's
    # `raw_line` would say line 3 here: the position comes from its message.
    source = "import torch\n(model): object = None\nrun()\n"
    compile(source, FILE, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    problem = find_syntax_problem(source, FILE)
    assert problem is not None
    assert problem.message.startswith("LibCST parser error: expected one of")
    assert "error at" not in problem.message
    assert problem.position == (2, 10)


def test_libcst_only_problem_after_backslash_line() -> None:
    source = "if ready:\n    \\\n    run()\n"
    compile(source, FILE, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    problem = find_syntax_problem(source, FILE)
    assert problem is not None
    assert problem.message == "LibCST parser error: expected INDENT"
    assert problem.line == 3


# close-try-block


def test_close_try_block() -> None:
    source = "try:\n    import torch\nHAS_TORCH = True\n"
    recovery = repaired(source)
    assert recovery.source == "try:\n    import torch\nfinally:\n    pass\nHAS_TORCH = True\n"
    assert recovery.applied == ("close-try-block",)


def test_close_try_block_nested_crlf_closes_inner_then_outer() -> None:
    source = (
        "def setup():\r\n"
        "    try:\r\n"
        "        try:\r\n"
        "            import torch\r\n"
        "        HAS_TORCH = True\r\n"
        "    x = 1\r\n"
    )
    recovery = repaired(source)
    assert recovery.source == (
        "def setup():\r\n"
        "    try:\r\n"
        "        try:\r\n"
        "            import torch\r\n"
        "        finally:\r\n"
        "            pass\r\n"
        "        HAS_TORCH = True\r\n"
        "    finally:\r\n"
        "        pass\r\n"
        "    x = 1\r\n"
    )
    assert recovery.applied == ("close-try-block", "close-try-block")


def test_close_try_block_goes_before_trailing_comments_and_keeps_tabs() -> None:
    source = "if ready:\n\ttry:\n\t\trun()\n\n\t# next step\n\treport()\n"
    assert repaired(source).source == (
        "if ready:\n\ttry:\n\t\trun()\n\tfinally:\n\t\tpass\n\n\t# next step\n\treport()\n"
    )


def test_close_try_block_at_end_of_file_without_newline() -> None:
    assert repaired("try:\n    run()").source == "try:\n    run()\nfinally:\n    pass\n"


def test_close_try_block_body_on_the_header_line() -> None:
    assert repaired("try: run()\nreport()\n").source == (
        "try: run()\nfinally:\n    pass\nreport()\n"
    )


def test_close_try_block_leaves_try_else_without_handler() -> None:
    assert recover("try:\n    run()\nelse:\n    report()\n", FILE) is None


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(
            "try:\n    import torch\nHAS_TORCH = True\nexcept ImportError:\n    HAS_TORCH = False\n",
            "try:\n    import torch\n    HAS_TORCH = True\nexcept ImportError:\n    HAS_TORCH = False\n",
            id="handler-follows",
        ),
        pytest.param(
            "def load():\r\n"
            "    try:\r\n"
            "        model = build()\r\n"
            "    start = now()\r\n"
            "        model.eval()\r\n"
            "    except Exception:\r\n"
            "        model = None\r\n",
            "def load():\r\n"
            "    try:\r\n"
            "        model = build()\r\n"
            "        start = now()\r\n"
            "        model.eval()\r\n"
            "    except Exception:\r\n"
            "        model = None\r\n",
            id="body-goes-on",
        ),
    ],
)
def test_statements_that_fell_out_of_a_try_body_rejoin_it(source: str, expected: str) -> None:
    recovery = repaired(source)
    assert recovery.source == expected
    assert recovery.applied == ("rejoin-try-body",)


def test_handler_at_the_wrong_column_moves_to_its_try() -> None:
    source = "if ready:\r\n    try:\r\n        import torch\r\nexcept ImportError:\r\n        torch = None\r\n"
    recovery = repaired(source)
    assert recovery.source == source.replace("\nexcept", "\n    except")
    assert recovery.applied == ("align-try-handler",)


def test_try_body_is_not_rejoined_across_a_new_block() -> None:
    # The deeper line after `HAS_TORCH = True` is the body of `def run()`, not the try's.
    source = "try:\n    import torch\nHAS_TORCH = True\ndef run():\n    pass\n"
    recovery = repaired(source)
    assert recovery.applied == ("close-try-block",)


# clean-line-continuation


def test_blanks_after_backslash_are_removed() -> None:
    recovery = repaired("value = first + \\  \t\r\n    second\r\n")
    assert recovery.source == "value = first + \\\r\n    second\r\n"
    assert recovery.applied == ("clean-line-continuation",)


def test_comment_after_backslash_outside_brackets_is_dropped() -> None:
    source = "value = first + \\   # sum\n    second\n"
    assert repaired(source).source == "value = first + \\\n    second\n"


def test_comment_after_backslash_inside_brackets_keeps_the_comment() -> None:
    source = "value = compute(first, \\   # sum\n    second)\n"
    assert repaired(source).source == "value = compute(first,  # sum\n    second)\n"


def test_code_after_backslash_is_not_repaired() -> None:
    assert recover("value = first + \\ second\n", FILE) is None


# balance-brackets, undo-repeated-punctuation


@pytest.mark.parametrize(
    ("source", "expected", "applied"),
    [
        ("result = compute(1, 2))\n", "result = compute(1, 2)\n", "undo-repeated-punctuation"),
        ("items = [1, 2]]\r\n", "items = [1, 2]\r\n", "undo-repeated-punctuation"),
        ("config = {'a': 1}}\n", "config = {'a': 1}\n", "undo-repeated-punctuation"),
        ("rows = [compute(1))]\n", "rows = [compute(1)]\n", "balance-brackets"),
        ("rows = [\n    compute(1)),\n]\n", "rows = [\n    compute(1),\n]\n", "balance-brackets"),
    ],
)
def test_unmatched_closing_bracket_is_deleted(source: str, expected: str, applied: str) -> None:
    recovery = repaired(source)
    assert recovery.source == expected
    assert recovery.applied == (applied,)
    assert recovery.changed == (1,) or recovery.changed == (2,)


def test_candidate_that_does_not_get_further_is_never_kept() -> None:
    # Deleting the `)` of `[1, 2)` leaves `[` unclosed: the parser stops no later than before.
    source = "items = [1, 2)\n"
    repair = next(r for r in syntax_repairs() if r.name == "balance-brackets")
    problem = find_syntax_problem(source, FILE)
    assert problem is not None and repair.handles(problem)
    candidates = list(repair.function(source, problem))
    assert "items = [1, 2\n" in candidates
    assert find_syntax_problem("items = [1, 2\n", FILE) is not None
    assert repaired(source).source == "items = [1, 2]\n"


def test_an_empty_pair_reopens_only_over_contents_up_to_its_closer() -> None:
    source = 'caps = {}\n    "cuda": HAS_CUDA,\n}\nprint(caps)\n'
    recovery = repaired(source)
    assert recovery.source == 'caps = {\n    "cuda": HAS_CUDA,\n}\nprint(caps)\n'
    assert recovery.applied == ("balance-brackets",)
    # `run()` is no empty pair to reopen over `z = f(3))`: that would make `z=` its argument.
    source = "try:\n    run()\nz = f(3))\n"
    assert repaired(source).source == "try:\n    run()\nfinally:\n    pass\nz = f(3)\n"


# indentation repairs


def test_unindent_moves_the_line_and_its_siblings_to_the_enclosing_level() -> None:
    source = (
        "class TestBertModels:\n"
        "    def run_tests(self):\n"
        "        if ready:\n"
        "            go()\n"
        "      report(\n"
        "          1)\n"
        "      if done:\n"
        "          stop()\n"
        "    def other(self):\n"
        "        pass\n"
    )
    recovery = repaired(source)
    # Bracket continuations and nested lines keep their place: they stay deeper.
    assert recovery.source == (
        "class TestBertModels:\n"
        "    def run_tests(self):\n"
        "        if ready:\n"
        "            go()\n"
        "    report(\n"
        "          1)\n"
        "    if done:\n"
        "          stop()\n"
        "    def other(self):\n"
        "        pass\n"
    )
    assert recovery.applied == ("reindent-block",)


def test_unindent_joins_the_inner_block_when_the_code_after_it_goes_on_there() -> None:
    source = (
        "class TestT5Models:\r\n"
        "    def run_tests(self):\r\n"
        "        results = {}\r\n"
        "      for name in names:\r\n"
        "            try:\r\n"
        "                results[name] = run(name)\r\n"
        "            except Exception as error:\r\n"
        "                results[name] = str(error)\r\n"
        "        return results\r\n"
    )
    recovery = repaired(source)
    assert recovery.source == source.replace("      for", "        for")
    assert recovery.applied == ("reindent-block",)


def test_unindent_moves_a_body_that_went_too_deep_when_that_changes_fewer_lines() -> None:
    source = (
        "def run_tests(self):\n"
        "      results = {}\n"
        "    for name in names:\n"
        "        go(name)\n"
        "    return results\n"
    )
    recovery = repaired(source)
    assert recovery.source == source.replace("      results", "    results")
    assert recovery.applied == ("join-previous-statements",)


def test_unexpected_indent_moves_the_statement_that_left_the_block() -> None:
    source = (
        "class TestBertModels:\n"
        "    def load(self):\n"
        "        model = build()\n"
        "    model.eval()\n"
        "        model.train()\n"
        "        return model\n"
        "\n"
        "    def other(self):\n"
        "        pass\n"
    )
    recovery = repaired(source)
    assert recovery.source == source.replace("    model.eval", "        model.eval")
    assert recovery.applied == ("join-previous-statements",)


def test_unexpected_indent_moves_the_first_statement_of_a_body_in() -> None:
    source = "def load(self):\n  model = build()\n    model.eval()\n    return model\n"
    # Moving `model = build()` in changes one line, dedenting its two siblings would change two.
    recovery = repaired(source)
    assert recovery.source == (
        "def load(self):\n    model = build()\n    model.eval()\n    return model\n"
    )
    assert recovery.applied == ("join-previous-statements",)


def test_unexpected_indent_dedents_siblings_but_not_string_contents() -> None:
    source = 'setup()\n    text = """\n  keep\n"""\n    run()\nreport()\n'
    recovery = repaired(source)
    assert recovery.source == 'setup()\ntext = """\n  keep\n"""\nrun()\nreport()\n'
    assert recovery.applied == ("reindent-block",)


def test_empty_block_gets_pass_after_a_multiline_header() -> None:
    source = "def test_pipeline(\r\n    self,\r\n):\r\n# TODO\r\nrun()\r\n"
    recovery = repaired(source)
    # `run()` may be the body that lost its indentation: indenting it changes as few lines as
    # adding `pass`, and never leaves a body empty that had one.
    assert recovery.source == "def test_pipeline(\r\n    self,\r\n):\r\n# TODO\r\n    run()\r\n"
    assert recovery.applied == ("indent-block-body",)
    recovery = repaired("def test_pipeline(\r\n    self,\r\n):\r\n# TODO\r\n")
    assert recovery.source == "def test_pipeline(\r\n    self,\r\n):\r\n    pass\r\n# TODO\r\n"
    assert recovery.applied == ("insert-pass",)


def test_body_whose_first_statement_lost_its_indentation_is_indented() -> None:
    source = (
        "def select_device():\n"
        "if HAS_TORCH and torch.cuda.is_available():\n"
        "        return 'cuda'\n"
        "    return 'cpu'\n"
        "\n"
        "class TestVitModels:\n"
        "    pass\n"
    )
    recovery = repaired(source)
    assert recovery.source == (
        "def select_device():\n"
        "    if HAS_TORCH and torch.cuda.is_available():\n"
        "        return 'cuda'\n"
        "    return 'cpu'\n"
        "\n"
        "class TestVitModels:\n"
        "    pass\n"
    )
    assert recovery.applied == ("indent-block-body",)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(
            "if ready:\nrun()\nelse:\n    wait()\n",
            "if ready:\n    run()\nelse:\n    wait()\n",
            id="clause-follows",
        ),
        pytest.param(
            "def select_device():\n    if HAS_MPS:\nreturn 'mps'\n    return 'cpu'\n",
            "def select_device():\n    if HAS_MPS:\n        return 'mps'\n    return 'cpu'\n",
            id="code-goes-on-at-the-header-column",
        ),
    ],
)
def test_one_statement_body_that_lost_its_indentation(source: str, expected: str) -> None:
    recovery = repaired(source)
    assert recovery.source == expected
    assert recovery.applied == ("indent-block-body",)


def test_repair_that_parses_but_does_not_compile_is_not_returned() -> None:
    # Indenting `return` makes the file parse, but it is still outside a function.
    source = "if ready:\nreturn 'cpu'\n"
    assert find_syntax_problem("if ready:\n    return 'cpu'\n", FILE) is None
    assert recover(source, FILE) is None


def test_empty_block_at_end_of_file_in_tab_indented_code() -> None:
    assert repaired("class A:\n\tdef run(self):\n").source == (
        "class A:\n\tdef run(self):\n\t\tpass\n"
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(
            "if ready:\n\trun()\n        report()\n        done()\n",
            "if ready:\n\trun()\n\treport()\n\tdone()\n",
            id="spaces-in-a-tab-block",
        ),
        pytest.param(
            "if ready:\n        run()\n\treport()\n",
            "if ready:\n        run()\n        report()\n",
            id="tab-in-a-space-block",
        ),
        pytest.param(
            "if ready:\n        if go:\n\t  run()\n",
            "if ready:\n        if go:\n          run()\n",
            id="deeper-than-every-block",
        ),
    ],
)
def test_tab_indentation(source: str, expected: str) -> None:
    recovery = repaired(source)
    assert recovery.source == expected
    assert recovery.applied == ("fix-tab-indentation",)


# the recovery loop


def test_crlf_file_stays_crlf_byte_for_byte_except_the_inserted_lines() -> None:
    lines = [
        "import unittest\r\n",
        "\r\n",
        "try:\r\n",
        "    import torch\r\n",
        "HAS_TORCH = True\r\n",
        "MODELS = {'bert-base-uncased': {'task': 'fill-mask'}}\r\n",
    ]
    recovery = repaired("".join(lines))
    expected = [*lines[:4], "finally:\r\n", "    pass\r\n", *lines[4:]]
    assert recovery.source.encode() == "".join(expected).encode()


def test_mixed_line_endings_are_kept_line_by_line() -> None:
    source = "x = 1\n\ny = 2\r\ntry:\r\n    run()\nz = f(3))\r\n"
    recovery = repaired(source)
    assert recovery.source == (
        "x = 1\n\ny = 2\r\ntry:\r\n    run()\nfinally:\n    pass\nz = f(3)\r\n"
    )


def test_two_problems_are_repaired_in_the_order_cpython_reports_them() -> None:
    # CPython reports an unmatched bracket found anywhere before a parser error found above it;
    # the search finds the parser's error in the text before the bracket and repairs it first.
    source = (
        "try:\r\n"
        "    import torch\r\n"
        "HAS_TORCH = True\r\n"
        "\r\n"
        "def run():\r\n"
        "    return compute(1, 2))\r\n"
    )
    assert find_syntax_problem(source, FILE) == SyntaxProblem("unmatched ')'", 6, 25)
    recovery = repaired(source)
    assert recovery.applied == ("close-try-block", "undo-repeated-punctuation")
    assert recovery.source == (
        "try:\r\n"
        "    import torch\r\n"
        "finally:\r\n"
        "    pass\r\n"
        "HAS_TORCH = True\r\n"
        "\r\n"
        "def run():\r\n"
        "    return compute(1, 2)\r\n"
    )


def test_four_problems_of_different_kinds() -> None:
    # The backslash stops CPython where it is; then the problems come in file order.
    source = (
        "x = 1 + \\ \n"
        "    2\n"
        "try:\n"
        "    import torch\n"
        "HAS_TORCH = True\n"
        "\n"
        "def run():\n"
        "    return g(1))\n"
        "run()\n"
        "    y = 2\n"
    )
    recovery = repaired(source)
    assert recovery.applied == (
        "clean-line-continuation",
        "close-try-block",
        "undo-repeated-punctuation",
        "reindent-block",
    )
    assert recovery.source == (
        "x = 1 + \\\n"
        "    2\n"
        "try:\n"
        "    import torch\n"
        "finally:\n"
        "    pass\n"
        "HAS_TORCH = True\n"
        "\n"
        "def run():\n"
        "    return g(1)\n"
        "run()\n"
        "y = 2\n"
    )


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("def (:\n    pass\n", id="garbage"),
        pytest.param("x = f(1))\ny = 2 +* 3\n", id="second-problem-unrepairable"),
        pytest.param("import torch\n(model): object = None\n", id="libcst-only"),
    ],
)
def test_unrecoverable_file_returns_none(source: str) -> None:
    assert recover(source, FILE) is None


def test_file_that_parses_needs_no_repair() -> None:
    assert recover("x = 1\r\n", FILE) == Recovery("x = 1\r\n", ())


# helpers for repairs


def test_split_lines_breaks_only_where_cpython_does() -> None:
    source = "a\r\nb\rc\x0cd\u2028e\nf"
    assert split_lines(source) == ["a\r\n", "b\r", "c\x0cd\u2028e\n", "f"]
    assert "".join(split_lines(source)) == source
    assert split_lines("") == []


def test_classify_lines() -> None:
    source = 'x = (\n  1)\n\n  # note\ns = """\n  text\n"""\ny = 1 + \\\n  2\n'
    assert classify_lines(split_lines(source)) == [
        LineKind.STATEMENT,
        LineKind.CONTINUATION,
        LineKind.BLANK,
        LineKind.BLANK,
        LineKind.STATEMENT,
        LineKind.STRING,
        LineKind.STRING,
        LineKind.STATEMENT,
        LineKind.CONTINUATION,
    ]
