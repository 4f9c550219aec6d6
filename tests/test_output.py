"""Tests for the output formats in `hflint.output`, each checked on hand-built diagnostics."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema
import pytest

from hflint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location, RuleInfo
from hflint.output import RunReport, format_names, register_format, render
from hflint.output.statistics import render_statistics

SARIF_SCHEMA_PATH = Path(__file__).parent / "data" / "sarif-2.1.0.json"

# Awkward on purpose: GitHub property delimiters in the path, non-ASCII and a space (URI encoding).
ODD_PATH = "modèles/a:b,c/test_hf_bért 😀.py"
PLAIN_PATH = "tests/test_hf_bert.py"
CLEAN_PATH = "tests/test_hf_gpt2.py"

SAFE_FIX = Fix(
    message="Add `@slow`",
    applicability=Applicability.SAFE,
    edits=(Edit(Location(4, 1), Location(4, 1), "@slow\n"),),
)
# CR, CRLF, a tab and a NUL in inserted text: every output must carry them through unchanged.
UNSAFE_FIX = Fix(
    message="Replace the checkpoint",
    applicability=Applicability.UNSAFE,
    edits=(
        Edit(Location(2, 5), Location(2, 9), "a\r\nb\rc\td\x00"),
        Edit(Location(3, 1), Location(5, 1), ""),
    ),
)
# A fix whose edits were not materialised: its existence matters, its edits are unknown.
EDITLESS_FIX = Fix(message="Rename the test", applicability=Applicability.SAFE)

D_SAFE = Diagnostic(
    path=PLAIN_PATH,
    code="HF101",
    name="missing-slow",
    message="Test `test_big` loads a 7B model but is not marked slow",
    start=Location(5, 5),
    end=Location(5, 17),
    fix=SAFE_FIX,
)
D_UNSAFE = Diagnostic(
    path=PLAIN_PATH,
    code="HF202",
    name="hardcoded-checkpoint",
    message="Checkpoint is hard-coded",
    start=Location(2, 5),
    end=Location(2, 9),
    fix=UNSAFE_FIX,
)
D_ODD = Diagnostic(
    path=ODD_PATH,
    code="HF303",
    name="bad-tolerance",
    message="50% tolerance: atol=1e-1, rtol=1e-1\r\nexpected <= 1e-3 & \x1b[0m",
    start=Location(1, 1),
    end=Location(2, 3),
)
D_EDITLESS = Diagnostic(
    path=ODD_PATH,
    code="HF101",
    name="missing-slow",
    message="Test `test_ü` is not marked slow",
    start=Location(7, 2),
    end=Location(7, 8),
    fix=EDITLESS_FIX,
)
DIAGNOSTICS = tuple(sorted((D_SAFE, D_UNSAFE, D_ODD, D_EDITLESS), key=lambda d: d.sort_key))

RULES = {
    "HF101": RuleInfo(
        "HF101", "missing-slow", "Big models need @slow", "## Why\n\nCI time.", Applicability.SAFE
    ),
    "HF202": RuleInfo(
        "HF202", "hardcoded-checkpoint", "No literal checkpoints", "Use the config.", None
    ),
    "HF303": RuleInfo("HF303", "bad-tolerance", "Tolerances too loose", "", None),
    # Known but never fired: SARIF still describes it.
    "HF999": RuleInfo("HF999", "unused-rule", "Never fires here", "Docs.", Applicability.UNSAFE),
}


def make_report(
    diagnostics: tuple[Diagnostic, ...] = DIAGNOSTICS,
    *,
    show_fix_status: bool = True,
    unsafe_fixes: bool = False,
) -> RunReport:
    return RunReport(
        diagnostics=diagnostics,
        checked_files=(ODD_PATH, CLEAN_PATH, PLAIN_PATH),
        rules=RULES,
        show_fix_status=show_fix_status,
        unsafe_fixes=unsafe_fixes,
        tool_version="1.2.3",
    )


# --- registry ---------------------------------------------------------------------------------


def test_every_format_is_registered() -> None:
    assert format_names() == (
        "concise",
        "github",
        "gitlab",
        "json",
        "json-lines",
        "junit",
        "sarif",
        "text",
    )


def test_unknown_format_names_the_choices() -> None:
    with pytest.raises(ValueError, match=r"unknown output format 'xml' \(choose from concise, "):
        render("xml", make_report())


def test_registering_a_name_twice_is_an_error() -> None:
    format_names()  # make sure "text" is already registered
    with pytest.raises(ValueError, match="registered twice"):
        register_format("text")(lambda report: "")


@pytest.mark.parametrize(
    ("format_name", "expected"),
    [("text", ""), ("concise", ""), ("json", "[]\n"), ("json-lines", ""), ("github", "")],
)
def test_no_diagnostics(format_name: str, expected: str) -> None:
    assert render(format_name, make_report(())) == expected


# --- text and concise -------------------------------------------------------------------------

# The `\r\n` and ANSI escape are the message's own: human formats print messages verbatim.
ODD_LINE = (
    f"{ODD_PATH}:1:1: HF303 50% tolerance: atol=1e-1, rtol=1e-1\r\nexpected <= 1e-3 & \x1b[0m"
)


def test_text() -> None:
    assert render("text", make_report()) == (
        f"{ODD_LINE}\n"
        "\n"
        f"{ODD_PATH}:7:2: HF101 [*] Test `test_ü` is not marked slow\n"
        "  = help: Rename the test\n"
        "\n"
        f"{PLAIN_PATH}:2:5: HF202 Checkpoint is hard-coded\n"
        "  = help: Replace the checkpoint\n"
        "\n"
        f"{PLAIN_PATH}:5:5: HF101 [*] Test `test_big` loads a 7B model but is not marked slow\n"
        "  = help: Add `@slow`\n"
    )


def test_text_marks_unsafe_fixes_only_with_unsafe_fixes() -> None:
    report = make_report((D_UNSAFE,), unsafe_fixes=True)
    assert render("text", report) == (
        f"{PLAIN_PATH}:2:5: HF202 [*] Checkpoint is hard-coded\n  = help: Replace the checkpoint\n"
    )


def test_text_without_fix_status_keeps_the_help() -> None:
    report = make_report((D_SAFE,), show_fix_status=False)
    assert render("text", report) == (
        f"{PLAIN_PATH}:5:5: HF101 Test `test_big` loads a 7B model but is not marked slow\n"
        "  = help: Add `@slow`\n"
    )


def test_concise() -> None:
    assert render("concise", make_report(unsafe_fixes=True)) == (
        f"{ODD_LINE}\n"
        f"{ODD_PATH}:7:2: HF101 [*] Test `test_ü` is not marked slow\n"
        f"{PLAIN_PATH}:2:5: HF202 [*] Checkpoint is hard-coded\n"
        f"{PLAIN_PATH}:5:5: HF101 [*] Test `test_big` loads a 7B model but is not marked slow\n"
    )


# --- json and json-lines ----------------------------------------------------------------------


def test_json_exact_text() -> None:
    assert render("json", make_report((D_SAFE,))) == (
        "[\n"
        "  {\n"
        '    "code": "HF101",\n'
        '    "name": "missing-slow",\n'
        '    "message": "Test `test_big` loads a 7B model but is not marked slow",\n'
        f'    "filename": "{PLAIN_PATH}",\n'
        '    "location": {\n'
        '      "row": 5,\n'
        '      "column": 5\n'
        "    },\n"
        '    "end_location": {\n'
        '      "row": 5,\n'
        '      "column": 17\n'
        "    },\n"
        '    "fix": {\n'
        '      "applicability": "safe",\n'
        '      "message": "Add `@slow`",\n'
        '      "edits": [\n'
        "        {\n"
        '          "content": "@slow\\n",\n'
        '          "location": {\n'
        '            "row": 4,\n'
        '            "column": 1\n'
        "          },\n"
        '          "end_location": {\n'
        '            "row": 4,\n'
        '            "column": 1\n'
        "          }\n"
        "        }\n"
        "      ]\n"
        "    },\n"
        '    "noqa_row": 5,\n'
        '    "url": null\n'
        "  }\n"
        "]\n"
    )


EXPECTED_JSON_OBJECTS: list[dict[str, Any]] = [
    {
        "code": "HF303",
        "name": "bad-tolerance",
        "message": "50% tolerance: atol=1e-1, rtol=1e-1\r\nexpected <= 1e-3 & \x1b[0m",
        "filename": ODD_PATH,
        "location": {"row": 1, "column": 1},
        "end_location": {"row": 2, "column": 3},
        "fix": None,
        "noqa_row": 1,
        "url": None,
    },
    {
        "code": "HF101",
        "name": "missing-slow",
        "message": "Test `test_ü` is not marked slow",
        "filename": ODD_PATH,
        "location": {"row": 7, "column": 2},
        "end_location": {"row": 7, "column": 8},
        "fix": {"applicability": "safe", "message": "Rename the test", "edits": []},
        "noqa_row": 7,
        "url": None,
    },
    {
        "code": "HF202",
        "name": "hardcoded-checkpoint",
        "message": "Checkpoint is hard-coded",
        "filename": PLAIN_PATH,
        "location": {"row": 2, "column": 5},
        "end_location": {"row": 2, "column": 9},
        "fix": {
            "applicability": "unsafe",
            "message": "Replace the checkpoint",
            "edits": [
                {
                    "content": "a\r\nb\rc\td\x00",
                    "location": {"row": 2, "column": 5},
                    "end_location": {"row": 2, "column": 9},
                },
                {
                    "content": "",
                    "location": {"row": 3, "column": 1},
                    "end_location": {"row": 5, "column": 1},
                },
            ],
        },
        "noqa_row": 2,
        "url": None,
    },
    {
        "code": "HF101",
        "name": "missing-slow",
        "message": "Test `test_big` loads a 7B model but is not marked slow",
        "filename": PLAIN_PATH,
        "location": {"row": 5, "column": 5},
        "end_location": {"row": 5, "column": 17},
        "fix": {
            "applicability": "safe",
            "message": "Add `@slow`",
            "edits": [
                {
                    "content": "@slow\n",
                    "location": {"row": 4, "column": 1},
                    "end_location": {"row": 4, "column": 1},
                }
            ],
        },
        "noqa_row": 5,
        "url": None,
    },
]


def test_json_round_trips_awkward_content() -> None:
    output = render("json", make_report())
    assert json.loads(output) == EXPECTED_JSON_OBJECTS
    # Non-ASCII stays readable rather than \u-escaped; control characters must be escaped.
    assert ODD_PATH in output
    assert "\r" not in output
    assert "\x00" not in output


def test_json_lines_is_one_object_per_line() -> None:
    output = render("json-lines", make_report())
    assert output.endswith("\n")
    lines = output.splitlines()
    assert [json.loads(line) for line in lines] == EXPECTED_JSON_OBJECTS
    assert lines[0].startswith('{"code":"HF303","name":"bad-tolerance","message":"50% tolerance')


# --- github -----------------------------------------------------------------------------------


def test_github_exact() -> None:
    assert render("github", make_report((D_ODD, D_SAFE))) == (
        "::error title=hflint (HF303),"
        "file=modèles/a%3Ab%2Cc/test_hf_bért 😀.py,line=1,col=1,endLine=2,endColumn=3"
        "::HF303 50%25 tolerance: atol=1e-1, rtol=1e-1%0D%0Aexpected <= 1e-3 & \x1b[0m\n"
        f"::error title=hflint (HF101),file={PLAIN_PATH},line=5,col=5,endLine=5,endColumn=17"
        "::HF101 Test `test_big` loads a 7B model but is not marked slow\n"
    )


COMMAND = re.compile(r"::error (?P<properties>[^:]*)::(?P<data>.*)")


def _unescape(value: str) -> str:
    # The inverse of the toolkit's escaping: `%25` last, so `%253A` decodes to `%3A`, not `:`.
    for escaped, raw in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        value = value.replace(escaped, raw)
    return value


def test_github_escaping_round_trips() -> None:
    tricky = replace(D_ODD, path="%3A:,%25\n.py", message="100%3A done: a,b\n%0A")
    output = render("github", make_report((tricky, *DIAGNOSTICS)))
    lines = output.splitlines()
    assert len(lines) == len(DIAGNOSTICS) + 1  # no raw newline survives escaping
    for line, diagnostic in zip(lines, (tricky, *DIAGNOSTICS), strict=True):
        match = COMMAND.fullmatch(line)
        assert match is not None
        # Splitting on `,` and `=` is only sound because values escape `,` (and `:`).
        properties = dict(item.split("=", 1) for item in match["properties"].split(","))
        assert _unescape(properties["file"]) == diagnostic.path
        assert _unescape(properties["title"]) == f"hflint ({diagnostic.code})"
        assert (int(properties["line"]), int(properties["col"])) == (
            diagnostic.start.row,
            diagnostic.start.column,
        )
        assert (int(properties["endLine"]), int(properties["endColumn"])) == (
            diagnostic.end.row,
            diagnostic.end.column,
        )
        assert _unescape(match["data"]) == f"{diagnostic.code} {diagnostic.message}"


# --- sarif ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sarif_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SARIF_SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


# The OASIS copy of the schema declares an older draft and the SDK copy 2020-12; the keywords it
# uses mean the same in both, so validate with each.
VALIDATORS = [jsonschema.Draft7Validator, jsonschema.Draft202012Validator]


def _sarif(report: RunReport) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(render("sarif", report))
    return log


@pytest.mark.parametrize("validator", VALIDATORS)
@pytest.mark.parametrize("diagnostics", [DIAGNOSTICS, ()], ids=["diagnostics", "clean"])
def test_sarif_is_valid(
    validator: type[jsonschema.protocols.Validator],
    diagnostics: tuple[Diagnostic, ...],
    sarif_schema: dict[str, Any],
) -> None:
    validator.check_schema(sarif_schema)
    validator(sarif_schema).validate(_sarif(make_report(diagnostics)))


@pytest.mark.parametrize("validator", VALIDATORS)
def test_sarif_schema_rejects_an_invalid_log(
    validator: type[jsonschema.protocols.Validator], sarif_schema: dict[str, Any]
) -> None:
    # Guards against a schema (or validator) that accepts anything, which would make the
    # validity test above pass vacuously.
    log = _sarif(make_report())
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    with pytest.raises(jsonschema.ValidationError):
        validator(sarif_schema).validate(log)


def test_sarif_content() -> None:
    log = _sarif(make_report())
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    [run] = log["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("hflint", "1.2.3")
    assert run["columnKind"] == "unicodeCodePoints"

    rules = driver["rules"]
    assert [rule["id"] for rule in rules] == ["HF101", "HF202", "HF303", "HF999"]
    assert rules[0] == {
        "id": "HF101",
        "name": "missing-slow",
        "shortDescription": {"text": "Big models need @slow"},
        "fullDescription": {"text": "## Why\n\nCI time."},
        "help": {"text": "## Why\n\nCI time."},
        "properties": {"fixApplicability": "safe"},
    }
    # No documentation: the summary stands in rather than an empty description.
    assert rules[2]["fullDescription"] == {"text": "Tolerances too loose"}
    assert rules[1]["properties"] == {"fixApplicability": None}

    results = run["results"]
    assert len(results) == len(DIAGNOSTICS)
    for result, diagnostic in zip(results, DIAGNOSTICS, strict=True):
        assert result["ruleId"] == diagnostic.code
        assert rules[result["ruleIndex"]]["id"] == diagnostic.code
        assert result["level"] == "error"
        assert result["message"] == {"text": diagnostic.message}
        [location] = result["locations"]
        physical = location["physicalLocation"]
        assert unquote(physical["artifactLocation"]["uri"]) == diagnostic.path
        assert physical["region"] == {
            "startLine": diagnostic.start.row,
            "startColumn": diagnostic.start.column,
            "endLine": diagnostic.end.row,
            "endColumn": diagnostic.end.column,
        }


def test_sarif_uris_are_encoded() -> None:
    results = _sarif(make_report())["runs"][0]["results"]
    uri = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "mod%C3%A8les/a%3Ab%2Cc/test_hf_b%C3%A9rt%20%F0%9F%98%80.py"
    absolute = replace(D_SAFE, path="/home/ci/répo/test_hf_bert.py")
    [result] = _sarif(make_report((absolute,)))["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "file:///home/ci/r%C3%A9po/test_hf_bert.py"}


def test_sarif_fixes() -> None:
    by_message = {r["message"]["text"]: r for r in _sarif(make_report())["runs"][0]["results"]}
    # No fix, or a fix without edits (SARIF requires at least one replacement): no `fixes`.
    assert "fixes" not in by_message[D_ODD.message]
    assert "fixes" not in by_message[D_EDITLESS.message]
    assert by_message[D_UNSAFE.message]["fixes"] == [
        {
            "description": {"text": "Replace the checkpoint"},
            "artifactChanges": [
                {
                    "artifactLocation": {"uri": PLAIN_PATH},
                    "replacements": [
                        {
                            "deletedRegion": {
                                "startLine": 2,
                                "startColumn": 5,
                                "endLine": 2,
                                "endColumn": 9,
                            },
                            "insertedContent": {"text": "a\r\nb\rc\td\x00"},
                        },
                        {
                            "deletedRegion": {
                                "startLine": 3,
                                "startColumn": 1,
                                "endLine": 5,
                                "endColumn": 1,
                            },
                            "insertedContent": {"text": ""},
                        },
                    ],
                }
            ],
            "properties": {"applicability": "unsafe"},
        }
    ]


# --- junit ------------------------------------------------------------------------------------


def test_junit() -> None:
    output = render("junit", make_report())
    assert output.startswith("<?xml version='1.0' encoding='utf-8'?>\n<testsuites ")
    root = ET.fromstring(output.encode("utf-8"))
    assert root.tag == "testsuites"
    assert root.attrib == {"name": "hflint", "tests": "5", "failures": "4", "errors": "0"}

    suites = root.findall("testsuite")
    # Sorted by path, like the diagnostics, whatever order the files were checked in.
    assert [suite.get("name") for suite in suites] == [ODD_PATH, PLAIN_PATH, CLEAN_PATH]
    counts = [(suite.get("tests"), suite.get("failures"), suite.get("errors")) for suite in suites]
    assert counts == [("2", "2", "0"), ("2", "2", "0"), ("1", "0", "0")]
    assert sum(len(suite.findall("testcase")) for suite in suites) == 5
    assert len(root.findall("./testsuite/testcase/failure")) == 4

    [clean_case] = suites[2].findall("testcase")
    assert clean_case.attrib == {"classname": CLEAN_PATH, "name": "no diagnostics"}
    assert list(clean_case) == []

    cases = [case for suite in suites[:2] for case in suite.findall("testcase")]
    for case, diagnostic in zip(cases, DIAGNOSTICS, strict=True):
        start = diagnostic.start
        assert case.attrib == {
            "classname": diagnostic.path,
            "name": f"{diagnostic.code}:{start.row}:{start.column}",
        }
        [failure] = case
        assert failure.tag == "failure"
        assert failure.get("type") == diagnostic.code
        # Parsers normalise CRLF to LF in element text; attributes keep CR as a character reference.
        message = failure.get("message", "").replace("\r\n", "\n")
        assert failure.text == f"line {start.row}, col {start.column}, {message}"

    # Attribute values keep their newlines (written as character references) and lose only what
    # XML cannot hold at all: the ESC of the ANSI sequence becomes U+FFFD.
    assert cases[0][0].get("message") == (
        "50% tolerance: atol=1e-1, rtol=1e-1\r\nexpected <= 1e-3 & \ufffd[0m"
    )
    assert cases[1][0].get("message") == D_EDITLESS.message


def test_junit_without_diagnostics_passes_every_file() -> None:
    root = ET.fromstring(render("junit", make_report(())))
    assert root.attrib == {"name": "hflint", "tests": "3", "failures": "0", "errors": "0"}
    assert [case.get("name") for case in root.iter("testcase")] == ["no diagnostics"] * 3
    assert root.find(".//failure") is None


def test_junit_reports_a_diagnostic_for_an_unlisted_file() -> None:
    stray = replace(D_SAFE, path="elsewhere/test_hf_t5.py")
    root = ET.fromstring(render("junit", make_report((stray,))))
    assert root.attrib["tests"] == "4"
    assert root.attrib["failures"] == "1"
    assert [s.get("name") for s in root.iter("testsuite")] == [
        "elsewhere/test_hf_t5.py",
        ODD_PATH,
        PLAIN_PATH,
        CLEAN_PATH,
    ]


# --- statistics -------------------------------------------------------------------------------


def test_statistics_text() -> None:
    diagnostics = (*DIAGNOSTICS, *[replace(D_ODD, start=Location(9, i)) for i in range(1, 11)])
    # HF101 has an editless-but-safe and a safe fix, so it is fixable; HF202's fix is unsafe.
    assert render_statistics(diagnostics, "text") == (
        "11\tHF303\t[ ] bad-tolerance\n"
        " 2\tHF101\t[*] missing-slow\n"
        " 1\tHF202\t[ ] hardcoded-checkpoint\n"
    )


def test_statistics_ties_sort_by_code_and_fix_column_needs_a_fixable() -> None:
    assert render_statistics((D_UNSAFE, D_ODD), "concise") == (
        "1\tHF202\thardcoded-checkpoint\n1\tHF303\tbad-tolerance\n"
    )
    assert render_statistics((D_UNSAFE, D_ODD), "text", unsafe_fixes=True) == (
        "1\tHF202\t[*] hardcoded-checkpoint\n1\tHF303\t[ ] bad-tolerance\n"
    )


def test_statistics_code_is_fixable_only_if_every_diagnostic_is() -> None:
    unfixed = replace(D_SAFE, fix=None)
    output = render_statistics((D_SAFE, unfixed, D_ODD), "json")
    assert json.loads(output) == [
        {"code": "HF101", "name": "missing-slow", "count": 2, "fixable": False, "fixable_count": 1},
        {
            "code": "HF303",
            "name": "bad-tolerance",
            "count": 1,
            "fixable": False,
            "fixable_count": 0,
        },
    ]


def test_statistics_marks_a_code_whose_fix_applies_to_some_cases() -> None:
    unfixed = replace(D_SAFE, fix=None)
    assert render_statistics((D_SAFE, unfixed, D_SAFE, D_ODD), "text") == (
        "3\tHF101\t[-] missing-slow (2 of 3 fixable)\n1\tHF303\t[ ] bad-tolerance\n"
    )


def test_statistics_json_exact() -> None:
    assert render_statistics((D_SAFE,), "json") == (
        "[\n"
        "  {\n"
        '    "code": "HF101",\n'
        '    "name": "missing-slow",\n'
        '    "count": 1,\n'
        '    "fixable": true,\n'
        '    "fixable_count": 1\n'
        "  }\n"
        "]\n"
    )


def test_statistics_empty() -> None:
    assert render_statistics((), "text") == ""
    assert render_statistics((), "json") == "[]\n"


def test_statistics_rejects_other_formats() -> None:
    with pytest.raises(ValueError, match="'sarif'"):
        render_statistics(DIAGNOSTICS, "sarif")
