"""HF001's file-wide repairs: damage a regex fixer made on every line alike is undone in one edit
before the per-problem search (hflint.syntax.recover), and kept only when it helps."""

from __future__ import annotations

import ast
import re

import libcst

from hflint.syntax import first_problem, recover

FILE = "test_hf_bert.py"

# A small test file as it was written; the tests below damage it the way repeated regex fixers do.
CLEAN = """\
import logging
import os
from unittest.mock import MagicMock

try:
    from hardware import (
        HAS_CUDA,
    )
except ImportError:
    HAS_CUDA = False

logging.basicConfig(format='%(asctime)s %(message)s')
REGISTRY = {
    "bert-base": {"task": "fill-mask", "sizes": [1, 2]},
}


def check(device=None):
    # Check the device (cuda or cpu)
    torch = MagicMock()
    found = {}
    if device is None:
        device = os.environ.get("DEVICE", "cpu")
    else:
        found["device"] = device
    print(f"using {device} of {len(REGISTRY)} models: {REGISTRY.get('bert-base')['task']}")
    return found, torch
"""


def substituted(text: str, closers: int) -> str:
    """Every opening bracket followed by `closers` of its closers, in code, strings and comments."""
    for opener, closer in (("(", ")"), ("[", "]"), ("{", "}")):
        text = text.replace(opener, opener + closer * closers)
    return text


def assert_parses(source: str) -> None:
    compile(source, FILE, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    libcst.parse_module(source)


def test_closers_added_after_every_opener_are_undone_everywhere() -> None:
    damaged = substituted(CLEAN, 4)
    assert damaged.count("\n") == CLEAN.count("\n")
    recovery = recover(damaged, FILE)
    assert recovery is not None
    assert recovery.source == CLEAN
    assert recovery.applied == ("undo-repeated-closers-everywhere",)


def test_repeated_colons_and_commas_at_line_ends_are_undone_with_the_closers() -> None:
    damaged = re.sub(r"(?m)^(try|except ImportError|    else):$", r"\1::", CLEAN)
    damaged = damaged.replace('"cpu")\n', '"cpu"),,,\n').replace("= {}\n", "= {},,\n    ,\n")
    damaged = substituted(damaged.replace('"sizes": [1, 2]},', '"sizes": [1, 2]},,,'), 3)
    recovery = recover(damaged, FILE)
    assert recovery is not None
    assert_parses(recovery.source)
    assert recovery.applied[:2] == (
        "undo-repeated-closers-everywhere",
        "undo-repeated-line-end-punctuation",
    )
    # The lone comma's line is left blank: no other line moves.
    assert recovery.source == CLEAN.replace("= {}\n", "= {}\n    \n")


def test_closers_are_left_alone_where_no_substitution_ran() -> None:
    # Nested calls end in runs of closers, but most openers are not followed by any.
    source = "x = f(g(h()))\ny = len(str(x))\nz = (1 + 2))\n"
    recovery = recover(source, FILE)
    assert recovery is not None
    assert recovery.source == "x = f(g(h()))\ny = len(str(x))\nz = (1 + 2)\n"
    assert "undo-repeated-closers-everywhere" not in recovery.applied


def test_line_end_punctuation_inside_brackets_keeps_one_comma() -> None:
    source = 'items = [\n    "a",,,\n    "b",\n]\nif items::\n    print(items)\n'
    recovery = recover(source, FILE)
    assert recovery is not None
    assert recovery.source == 'items = [\n    "a",\n    "b",\n]\nif items:\n    print(items)\n'


def test_strings_comments_and_slices_keep_their_colons() -> None:
    source = 'x = data[::2]  # note::\ntext = """a::\n"""\nelse::\n'
    recovery = recover(source, FILE)
    # The `else` has no `if`: the file-wide edit is not kept alone, but the colons it would
    # not touch stay as they are in whatever the search returns.
    if recovery is not None:
        assert recovery.source.startswith('x = data[::2]  # note::\ntext = """a::\n"""\n')
    assert first_problem(source, FILE) is not None


def test_elif_dedented_below_its_if_moves_to_the_if() -> None:
    source = (
        "def pick(x, w):\n"
        "    if x:\n"
        "        d = 1\n"
        "    else:\n"
        "        d = 2\n"
        "    # fixer indented from here\n"
        "        if w:\n"
        '            d = "cuda"\n'
        "    elif w:\n"
        '        d = "mps"\n'
        "    return d\n"
    )
    recovery = recover(source, FILE)
    assert recovery is not None
    assert recovery.source == source.replace(
        '    elif w:\n        d = "mps"\n', '        elif w:\n            d = "mps"\n'
    )


def test_opener_substituted_with_a_closer_and_a_comma() -> None:
    damaged = CLEAN.replace("[", "[],")
    recovery = recover(damaged, FILE)
    assert recovery is not None
    assert recovery.source == CLEAN


def test_decorator_deeper_than_its_def_moves_to_it() -> None:
    source = "class Mock:\n        @staticmethod\n    def load(path):\n        return path\n"
    recovery = recover(source, FILE)
    assert recovery is not None
    assert (
        recovery.source
        == "class Mock:\n    @staticmethod\n    def load(path):\n        return path\n"
    )
    assert recovery.applied == ("align-decorators",)


def test_hyphenated_name_is_joined_everywhere_in_code_but_not_in_strings() -> None:
    source = (
        'DEBERTA-V2_REGISTRY = {"deberta-v2": 1}\n'
        'print(DEBERTA-V2_REGISTRY["deberta-v2"])  # DEBERTA-V2_REGISTRY\n'
        "print(DEBERTA-V2 - 1)\n"
    )
    recovery = recover(source, FILE)
    assert recovery is not None
    assert recovery.source == (
        'DEBERTA_V2_REGISTRY = {"deberta-v2": 1}\n'
        'print(DEBERTA_V2_REGISTRY["deberta-v2"])  # DEBERTA-V2_REGISTRY\n'
        "print(DEBERTA-V2 - 1)\n"
    )
    assert recovery.applied == ("join-hyphenated-name",)


def test_return_left_in_a_nested_class_moves_back_to_its_function() -> None:
    source = (
        "def open(file):\n"
        "    class Image:\n"
        "        def convert(self):\n"
        "            return self\n"
        "        return Image()\n"
    )
    recovery = recover(source, FILE)
    assert recovery is not None
    assert recovery.source == source.replace("        return Image()", "    return Image()")
    assert recovery.applied == ("return-into-function",)


def test_compile_error_after_the_last_parse_error_is_progress() -> None:
    # The bracket is the parser's error; once it is gone the compiler finds the `return`, which
    # lies earlier in the file: the search must still count that as getting further.
    source = (
        "def f():\n"
        "    class Image:\n"
        "        def convert(self):\n"
        "            return self\n"
        "        return 1\n"
        "x = (1))\n"
    )
    recovery = recover(source, FILE)
    assert recovery is not None
    assert recovery.applied == ("undo-repeated-punctuation", "return-into-function")
    assert recovery.source == source.replace("        return 1", "    return 1").replace("))", ")")


def test_one_closer_after_every_opener_of_a_file_with_many() -> None:
    assert CLEAN.count("(") >= 8
    damaged = CLEAN.replace("(", "()")
    recovery = recover(damaged, FILE)
    assert recovery is not None
    assert recovery.source == CLEAN
    assert recovery.applied == ("undo-repeated-closers-everywhere",)
