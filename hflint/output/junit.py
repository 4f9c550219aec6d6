"""`junit`: JUnit XML, for CI systems that show test reports.

One test suite per checked file; each diagnostic is a failed test case, and a clean file gets one
passing test case so it still shows up (and counts) in the report.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from hflint.diagnostics import Diagnostic
from hflint.output import RunReport, register_format

# Characters XML 1.0 cannot represent at all, not even as character references. ElementTree
# writes them anyway, producing a file no parser accepts, so they are replaced beforehand.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_safe(text: str) -> str:
    return _NOT_XML_CHAR.sub("\ufffd", text)


def _add_failure(suite: ET.Element, diagnostic: Diagnostic) -> None:
    start = diagnostic.start
    case = ET.SubElement(
        suite,
        "testcase",
        classname=_xml_safe(diagnostic.path),
        name=f"{diagnostic.code}:{start.row}:{start.column}",
    )
    failure = ET.SubElement(
        case, "failure", message=_xml_safe(diagnostic.message), type=diagnostic.code
    )
    failure.text = _xml_safe(f"line {start.row}, col {start.column}, {diagnostic.message}")


def _test_count(diagnostics: list[Diagnostic]) -> int:
    # One failing case per diagnostic, or the single passing case of a clean file.
    return max(len(diagnostics), 1)


def _suite(path: str, diagnostics: list[Diagnostic]) -> ET.Element:
    suite = ET.Element(
        "testsuite",
        name=_xml_safe(path),
        tests=str(_test_count(diagnostics)),
        failures=str(len(diagnostics)),
        errors="0",
    )
    for diagnostic in diagnostics:
        _add_failure(suite, diagnostic)
    if not diagnostics:
        ET.SubElement(suite, "testcase", classname=_xml_safe(path), name="no diagnostics")
    return suite


@register_format("junit")
def render(report: RunReport) -> str:
    by_path: dict[str, list[Diagnostic]] = {path: [] for path in report.checked_files}
    # A diagnostic for a file missing from `checked_files` still gets its suite, so none is lost.
    for diagnostic in report.diagnostics:
        by_path.setdefault(diagnostic.path, []).append(diagnostic)

    root = ET.Element(
        "testsuites",
        name="hflint",
        tests=str(sum(_test_count(diagnostics) for diagnostics in by_path.values())),
        failures=str(len(report.diagnostics)),
        errors="0",
    )
    root.extend(_suite(path, by_path[path]) for path in sorted(by_path))
    ET.indent(root)
    # Encode to UTF-8 bytes and decode back: with `encoding="unicode"` ElementTree would declare
    # the locale's encoding, which depends on the machine; UTF-8 is what XML readers assume.
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document.decode("utf-8") + "\n"
