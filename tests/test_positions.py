"""hflint's lazy positions agree with LibCST's own PositionProvider, node for node."""

from __future__ import annotations

import random
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from hflint.analysis.nodes import iter_nodes
from hflint.positions import module_code, node_ranges
from hflint.source import read_source

SUITE = Path(__file__).parent.parent / "fixtures" / "sample_suite"


def _parses(file: Path) -> bool:
    try:
        cst.parse_module(read_source(file).text)
    except cst.ParserSyntaxError:
        return False
    return True


# A spread of LF, CRLF and BOM files (the planted syntax errors have no tree to locate nodes in).
FILES = [file for file in sorted(SUITE.glob("test_hf_*.py")) if _parses(file)][::3]


@pytest.mark.parametrize("file", FILES, ids=lambda f: f.name)
def test_ranges_match_libcst(file: Path) -> None:
    module = cst.parse_module(read_source(file).text)
    nodes = [n for n in iter_nodes(module, with_trivia=True) if not isinstance(n, cst.Module)]
    picked = random.Random(file.name).sample(nodes, 40)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    ranges = node_ranges(module, picked)
    for node in picked:
        if node not in expected:
            continue  # LibCST gives no syntactic range to some trivia
        start, end = ranges[node]
        want = expected[node]
        assert (start.row, start.column - 1, end.row, end.column - 1) == (
            want.start.line,
            want.start.column,
            want.end.line,
            want.end.column,
        ), type(node).__name__


@pytest.mark.parametrize("file", FILES, ids=lambda f: f.name)
def test_module_code_is_libcsts_code(file: Path) -> None:
    text = read_source(file).text
    module = cst.parse_module(text)
    assert module_code(module) == module.code == text
    edited = module.with_changes(body=module.body[1:], has_trailing_newline=False)
    assert module_code(edited) == edited.code
