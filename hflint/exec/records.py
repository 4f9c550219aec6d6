"""One record per file of an `hflint exec` run, and the run's output formats.

Statuses: `passed` (no test failed and one passed), `failed` (a test failed: an entry of what
`run_tests()` returned, a unittest or a pytest test), `error` (an exception, `sys.exit` or
`os._exit` during import, construction or the run, a memory cap hit, results hflint cannot read, a
pytest collection error), `crashed` (killed by a signal: segfault, `os.abort`), `timeout`, and
`skipped` (not run: not lint-clean, no tiny model for the type, ...; or every test skipped; with the
reason).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from hflint.exec.protocol import CRASHED, ERROR, FAILED, PASSED, SKIPPED, TIMEOUT, CaseOutcome

STATUSES = (PASSED, FAILED, ERROR, CRASHED, TIMEOUT, SKIPPED)
FAILING = frozenset({FAILED, ERROR, CRASHED, TIMEOUT})
FORMATS = ("text", "json", "json-lines", "junit")


@dataclass
class Record:
    file: str
    status: str
    model_type: str | None = None
    task: str | None = None
    device: str | None = None
    style: str | None = None  # how its tests ran: script, unittest, pytest
    model_source: str | None = None  # synth, hub
    model_id: str | None = None  # what the test class got (None: its own default)
    # How the model type was decided: "the file name", "its default checkpoint `x`"...
    model_type_from: str | None = None
    # The hub ids the file loads by itself -> the tiny model each ran on (model_type, task, origin,
    # path), or why it got none (reason).
    standins: dict[str, dict[str, Any]] = field(default_factory=dict)
    reason: str | None = None  # one line: why skipped, or what went wrong
    error: str | None = None  # the long form: traceback, failing entries
    seconds: float | None = None  # wall time of the child
    build_seconds: float | None = None  # building (or finding) the tiny model
    import_seconds: float | None = None  # importing the file and constructing its class
    load_seconds: float | None = None  # sum of the results' `load_time`, as the file reports it
    inference_seconds: float | None = None  # sum of the results' `inference_time`
    peak_memory_mb: float | None = None  # ru_maxrss of the child (includes the warm worker's pages)
    exit_code: int | None = None
    signal: str | None = None
    tests: dict[str, CaseOutcome] = field(default_factory=dict)  # each test's status, message
    output: str = ""  # stdout and stderr, interleaved; head and tail when truncated
    output_bytes: int = 0
    output_truncated: bool = False
    versions: dict[str, str | None] = field(default_factory=dict)
    node: str | None = None  # the Ray node that ran it (--backend ray)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def counts(records: Iterable[Record]) -> dict[str, int]:
    found = Counter(record.status for record in records)
    return {status: found[status] for status in STATUSES}


def exit_status(records: Iterable[Record]) -> int:
    return 1 if any(record.status in FAILING for record in records) else 0


def render(
    format_name: str, records: Sequence[Record], meta: dict[str, Any], *, verbose: bool = False
) -> str:
    if format_name == "json":
        document = {**meta, "summary": counts(records), "records": [r.to_dict() for r in records]}
        return json.dumps(document, indent=2) + "\n"
    if format_name == "json-lines":
        return "".join(json.dumps(record.to_dict()) + "\n" for record in records)
    if format_name == "junit":
        return render_junit(records, meta)
    return render_text(records, meta, verbose=verbose)


# --- text ------------------------------------------------------------------------------------

_LABELS = {
    "passed": "PASS",
    "failed": "FAIL",
    "error": "ERROR",
    "crashed": "CRASH",
    "timeout": "TIMEOUT",
    "skipped": "SKIP",
}
_OUTPUT_LINES = 15


def render_text(records: Sequence[Record], meta: dict[str, Any], *, verbose: bool = False) -> str:
    lines = []
    for record in records:
        what = " ".join(p for p in (record.model_type, record.task) if p)
        timing = f"{record.seconds:.1f}s" if record.seconds is not None else ""
        memory = f"{record.peak_memory_mb:.0f} MB" if record.peak_memory_mb is not None else ""
        details = ", ".join(p for p in (what, record.device, timing, memory) if p)
        line = f"{_LABELS[record.status]:<8}{record.file}"
        if details and record.status != "skipped":
            line += f"  ({details})"
        if record.reason and record.status != "passed":
            line += f"\n        {record.reason}"
        if record.standins:
            line += f"\n        stand-ins: {standins_text(record.standins)}"
        lines.append(line)
        if record.status in FAILING or verbose:
            if record.error and record.error != record.reason:
                lines.extend(_indented(_tail(record.error, _OUTPUT_LINES)))
            if record.output.strip():
                lines.append(f"        output ({_size(record)}), last lines:")
                lines.extend(_indented(_tail(record.output, _OUTPUT_LINES), "          | "))
    found = counts(records)
    summary = ", ".join(f"{found[s]} {s}" for s in STATUSES if found[s]) or "nothing run"
    where = f" on {meta['device']}" if meta.get("device") else ""
    elapsed = f" in {meta['seconds']:.1f}s" if meta.get("seconds") is not None else ""
    lines.append(
        f"\n{len(records)} file{'s' if len(records) != 1 else ''}: {summary}{where}{elapsed}"
    )
    causes = Counter(skip_cause(r.reason or "") for r in records if r.status == "skipped")
    if causes:
        lines.append("skipped: " + ", ".join(f"{n} {cause}" for cause, n in causes.most_common()))
    gated = meta.get("selection", {}).get("left_out_by_lint_gate")
    if gated:
        lines.append(
            f"not sampled: {gated} file{'s' if gated != 1 else ''} the lint gate left out "
            "(`hflint exec` without --sample lists why)"
        )
    return "\n".join(lines) + "\n"


def standins_text(standins: dict[str, dict[str, Any]]) -> str:
    """`bert-base-uncased -> bert (fill-mask); foo-base: no stand-in (why)`."""
    return "; ".join(
        f"{hub_id} -> {found['model_type']} ({found['task']})"
        if found.get("path")
        else f"{hub_id}: no stand-in ({found.get('reason') or 'not built'})"
        for hub_id, found in standins.items()
    )


# What a skip's reason says stopped it: the packages a tiny model needs name themselves in
# transformers' messages ("requires the timm library", "... needs torchvision", "Package
# `num2words` is required", "requires `diffusers`").
_MISSING_PACKAGE = re.compile(
    r"requires the (\w+) librar|\b(torchvision)\b|No module named '?(\w+)"
    r"|Package `([\w-]+)` is required|requires `([\w-]+)`",
    re.IGNORECASE,
)


def skip_cause(reason: str) -> str:
    """A short cause for the run's summary: `not lint-clean`, `needs timm`, `no tiny model`..."""
    if reason.startswith("not lint-clean"):
        return "not lint-clean"
    found = _MISSING_PACKAGE.search(reason)
    if found:
        return f"needs {next(name for name in found.groups() if name).lower()}"
    if "was removed in transformers" in reason:
        return "removed model type"
    if reason.startswith("no tiny"):
        return "no tiny model"
    return "other"


def _size(record: Record) -> str:
    size = (
        f"{record.output_bytes / 1024:.0f} KiB"
        if record.output_bytes >= 1024
        else (f"{record.output_bytes} bytes")
    )
    return f"{size}, truncated" if record.output_truncated else size


def _tail(text: str, count: int) -> list[str]:
    return text.rstrip("\n").splitlines()[-count:]


def _indented(lines: list[str], prefix: str = "        ") -> list[str]:
    return [prefix + line for line in lines]


# --- junit -----------------------------------------------------------------------------------

# Characters XML 1.0 cannot represent, not even as references (ElementTree writes them anyway).
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str | None) -> str:
    return _NOT_XML_CHAR.sub("\ufffd", text or "")


def render_junit(records: Sequence[Record], meta: dict[str, Any]) -> str:
    """One test case per file in one suite: failed -> <failure>, error/crashed/timeout -> <error>
    (with the status as its type), skipped -> <skipped>; captured output in <system-out>."""
    import xml.etree.ElementTree as ET  # only for this format: keeps `hflint` start-up light

    found = counts(records)
    errors = found["error"] + found["crashed"] + found["timeout"]
    suite = ET.Element(
        "testsuite",
        name="hflint exec",
        tests=str(len(records)),
        failures=str(found["failed"]),
        errors=str(errors),
        skipped=str(found["skipped"]),
        time=f"{sum(r.seconds or 0.0 for r in records):.3f}",
    )
    properties = ET.SubElement(suite, "properties")
    for key in ("device", "torch", "transformers", "python"):
        if meta.get(key) is not None:
            ET.SubElement(properties, "property", name=key, value=_xml(str(meta[key])))
    for record in records:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=_xml(record.model_type or "unknown"),
            name=_xml(record.file),
            time=f"{record.seconds or 0.0:.3f}",
        )
        message = _xml(record.reason or record.status)
        if record.status == "failed":
            ET.SubElement(case, "failure", message=message, type="failed").text = _xml(record.error)
        elif record.status in FAILING:
            ET.SubElement(case, "error", message=message, type=record.status).text = _xml(
                record.error
            )
        elif record.status == "skipped":
            ET.SubElement(case, "skipped", message=message)
        if record.output:
            ET.SubElement(case, "system-out").text = _xml(record.output)
    root = ET.Element("testsuites", name="hflint exec")
    root.append(suite)
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document.decode("utf-8") + "\n"
