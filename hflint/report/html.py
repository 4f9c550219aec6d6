"""`report.html`: the report as one self-contained page (inline CSS, SVG charts drawn here, a few
lines of inline script that sort and filter the tables; nothing is fetched from anywhere)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from hflint.exec.records import FAILING, STATUSES
from hflint.report import svg

_STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1100px; color: #222; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: 32px; }
.meta { color: #666; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 10px 16px; min-width: 120px; }
.card b { display: block; font-size: 22px; }
.charts { display: flex; flex-wrap: wrap; gap: 24px; }
figure { margin: 0; } figcaption { font-weight: 600; margin-bottom: 4px; }
svg.chart text { font: 12px system-ui, sans-serif; fill: #333; }
table.data { border-collapse: collapse; width: 100%; margin-top: 6px; }
table.data th, table.data td { border-bottom: 1px solid #eee; padding: 3px 8px; text-align: left;
  vertical-align: top; }
table.data th { cursor: pointer; background: #f6f6f6; user-select: none; }
th[aria-sort=ascending]::after { content: " ▲"; } th[aria-sort=descending]::after { content: " ▼"; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
input.filter { padding: 4px 8px; width: 320px; }
.legend span { display: inline-block; margin-right: 12px; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
"""

# Sorts a table by the clicked column (numbers as numbers), filters its rows by the words typed in
# its filter box, and marks the page ready (the Chromium test waits for that).
_SCRIPT = """
(function () {
  function value(row, column) {
    var cell = row.cells[column];
    var text = cell.getAttribute("data-value") || cell.textContent;
    var number = parseFloat(text);
    return isNaN(number) || String(number) !== text.trim() ? text.toLowerCase() : number;
  }
  document.querySelectorAll("table.data").forEach(function (table) {
    var body = table.tBodies[0];
    var filter = document.getElementById(table.id + "-filter");
    var shown = document.getElementById(table.id + "-shown");
    filter.addEventListener("input", function () {
      var words = filter.value.toLowerCase().trim();
      var count = 0;
      Array.prototype.forEach.call(body.rows, function (row) {
        row.hidden = words !== "" && row.textContent.toLowerCase().indexOf(words) < 0;
        count += row.hidden ? 0 : 1;
      });
      shown.textContent = count + " of " + body.rows.length;
    });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, column) {
      header.addEventListener("click", function () {
        var ascending = header.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(table.tHead.rows[0].cells, function (other) {
          other.removeAttribute("aria-sort");
        });
        header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = value(a, column), y = value(b, column);
          var order = typeof x === typeof y ? (x < y ? -1 : x > y ? 1 : 0)
            : (typeof x === "number" ? -1 : 1);
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
  document.body.setAttribute("data-ready", document.querySelectorAll("svg.chart").length);
})();
"""

# At most this many bars in one chart: a suite of a thousand model types would draw a wall.
_CHART_ROWS = 25


def render(report: Mapping[str, Any], trends: Mapping[str, Any] | None = None) -> str:
    """The page for `report`; with `trends` (`hflint.report.history.trends`), its trend charts."""
    totals = report["totals"]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>hflint report: {escape(report['suite'])}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>hflint report: {escape(report['suite'])}</h1>",
        f'<p class="meta">hflint {escape(report["tool"]["version"])}, catalog of transformers '
        f"{escape(report['transformers'])}, {escape(report['created'])}"
        + (f", shards {escape(', '.join(report['shards']))}" if report["shards"] else "")
        + "</p>",
        _cards(totals),
    ]
    if trends and len(trends.get("runs", ())) > 1:
        parts.append(_trends(trends))
    parts += _lint_charts(report)
    parts += _coverage(report["coverage"])
    if report["exec"] is not None:
        parts += _exec(report["exec"])
    parts += _tables(report)
    parts += [f"<script>{_SCRIPT}</script>", "</body></html>\n"]
    return "\n".join(parts)


def _cards(totals: Mapping[str, Any]) -> str:
    cards = [
        ("files", str(totals["files"])),
        ("diagnostics", str(totals["diagnostics"])),
        ("files with diagnostics", str(totals["files_with_diagnostics"])),
    ]
    cards += [(f"coverage {level}", f"{p:g}%") for level, p in totals["coverage"].items()]
    if totals["exec"] is not None:
        cards += [(status, str(n)) for status, n in totals["exec"].items() if n]
        rate = totals["pass_rate"]
        cards.append(("pass rate", "-" if rate is None else f"{rate:g}%"))
    body = "".join(f'<div class="card"><b>{escape(v)}</b>{escape(k)}</div>' for k, v in cards)
    return f'<div class="cards">{body}</div>'


def _figure(caption: str, chart: str) -> str:
    return f"<figure><figcaption>{escape(caption)}</figcaption>{chart}</figure>"


def _trends(trends: Mapping[str, Any]) -> str:
    runs = trends["runs"]
    points = [f"#{run['id']}" for run in runs]
    counts = svg.lines(
        points, {"diagnostics": [run["diagnostics"] for run in runs]}, "diagnostics over runs"
    )
    shares = svg.lines(
        points,
        {
            "coverage (all)": [run["coverage"] for run in runs],
            "pass rate": [run["pass_rate"] for run in runs],
        },
        "coverage and pass rate over runs",
        maximum=100,
    )
    return (
        f"<h2>Trends over the last {len(runs)} runs</h2>"
        '<div class="charts">'
        + _figure("Diagnostics", counts)
        + _figure("Coverage and pass rate (%)", shares)
        + "</div>"
    )


def _lint_charts(report: Mapping[str, Any]) -> list[str]:
    by_rule = report["lint"]["by_rule"]
    if not by_rule:
        return ["<h2>Diagnostics</h2>", "<p>No diagnostics.</p>"]
    rows = [(f"{r['code']} {r['name']}", float(r["count"]), str(r["count"])) for r in by_rule]
    return [
        "<h2>Diagnostics</h2>",
        _figure("Diagnostics by rule", svg.bars(rows[:_CHART_ROWS], "by rule")),
    ]


def _tables(report: Mapping[str, Any]) -> list[str]:
    """The long tables, after every chart: each diagnostic, each missing type, each file."""
    return [
        "<h2>Every diagnostic</h2>",
        _table(
            "diagnostics",
            ["file", "line", "code", "rule", "message"],
            [
                [d["path"], d["line"], d["code"], d["name"], d["message"]]
                for d in report["lint"]["diagnostics"]
            ],
        ),
        "<h2>Missing model types</h2>",
        _table(
            "missing",
            ["missing model type", "priority", "family"],
            [[m["model_type"], m["priority"], m["family"]] for m in report["coverage"]["roadmap"]],
        ),
        "<h2>Files</h2>",
        _table(
            "files",
            ["file", "model type", "parses", "diagnostics"],
            [
                [
                    f["path"],
                    f["model_type"] or "-",
                    "yes" if f["parses"] else "no",
                    f["diagnostics"],
                ]
                for f in report["files"]
            ],
        ),
    ]


def _coverage(coverage: Mapping[str, Any]) -> list[str]:
    def rows(levels: Mapping[str, Any]) -> list[tuple[str, float, str]]:
        return [
            (name, float(c["percent"]), f"{c['covered']}/{c['total']} ({c['percent']:g}%)")
            for name, c in levels.items()
        ]

    return [
        "<h2>Coverage</h2>",
        '<div class="charts">',
        _figure("By priority", svg.bars(rows(coverage["levels"]), "by priority", maximum=100)),
        _figure(
            "By modality family", svg.bars(rows(coverage["families"]), "by family", maximum=100)
        ),
        "</div>",
    ]


def _exec(execution: Mapping[str, Any]) -> list[str]:
    def statuses(row: Mapping[str, Any]) -> dict[str, int]:
        return {status: int(row[status]) for status in STATUSES}

    def seconds(rows: Sequence[Mapping[str, Any]], name: str) -> list[tuple[str, float, str]]:
        ordered = sorted(rows, key=lambda r: -float(r["seconds"]))[:_CHART_ROWS]
        return [(str(r[name]), float(r["seconds"]), f"{r['seconds']:.1f} s") for r in ordered]

    devices = execution["by_device"]
    types = execution["by_model_type"]
    device_names = [(f"{r['device']} ({r['hardware']})", r) for r in devices]
    legend = "".join(
        f'<span><i style="background:{colour}"></i>{status}</span>'
        for status, colour in svg.STATUS_COLOURS.items()
    )
    failing = sorted(
        types,
        key=lambda r: (
            -sum(r[status] for status in FAILING),
            r["passed"] - r["files"],
            str(r["model_type"]),
        ),
    )
    return [
        "<h2>Execution</h2>",
        f'<p class="legend">{legend}</p>',
        '<div class="charts">',
        _figure(
            "Status per device", svg.stacked([(n, statuses(r)) for n, r in device_names], "device")
        ),
        _figure(
            "Time per device",
            svg.bars(
                [(n, float(r["seconds"]), f"{r['seconds']:.1f} s") for n, r in device_names],
                "time per device",
            ),
        ),
        _figure(
            "Status per model type (failing first)",
            svg.stacked(
                [(str(r["model_type"]), statuses(r)) for r in failing[:_CHART_ROWS]], "model type"
            ),
        ),
        _figure("Time per model type", svg.bars(seconds(types, "model_type"), "time per type")),
        "</div>",
        "<h3>Per device</h3>",
        _table(
            "devices",
            ["device", "hardware", "files", *STATUSES, "pass rate", "seconds"],
            [
                [r["device"], r["hardware"], r["files"], *statuses(r).values(), _rate(r), _s(r)]
                for r in devices
            ],
        ),
        "<h3>Failure causes</h3>",
        _table(
            "causes",
            ["cause", "files", "which"],
            [[c["cause"], c["count"], ", ".join(c["files"])] for c in execution["failure_causes"]],
        ),
        "<h3>Files run</h3>",
        _table(
            "records",
            ["file", "device", "status", "model type", "task", "seconds", "reason"],
            [
                [
                    r["file"],
                    r["device"],
                    r["status"],
                    r["model_type"] or "-",
                    r["task"] or "-",
                    "-" if r["seconds"] is None else f"{r['seconds']:.2f}",
                    r["reason"] or "",
                ]
                for r in execution["records"]
            ],
        ),
    ]


def _rate(row: Mapping[str, Any]) -> str:
    return "-" if row["pass_rate"] is None else f"{row['pass_rate']:g}"


def _s(row: Mapping[str, Any]) -> str:
    return f"{row['seconds']:.1f}"


def _table(name: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A table the page's script sorts (click a header) and filters (type in the box)."""
    if not rows:
        return f'<p id="{name}-empty">None.</p>'

    def cell(value: Any) -> str:
        if isinstance(value, (int, float)):
            return f'<td class="number">{value}</td>'
        return f"<td>{escape(str(value))}</td>"

    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(cell(v) for v in row) + "</tr>" for row in rows)
    return (
        f'<p><input class="filter" id="{name}-filter" type="search" placeholder="filter {name}"> '
        f'<span id="{name}-shown">{len(rows)} of {len(rows)}</span></p>'
        f'<table class="data" id="{name}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody>'
        "</table>"
    )
