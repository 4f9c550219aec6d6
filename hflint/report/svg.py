"""Charts drawn as inline SVG (no charting library, no script): horizontal bars, stacked bars and
lines. Each chart is an `<svg class="chart">` with a `<title>` per mark, which browsers show as a
tooltip, and sizes itself to its rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

WIDTH = 520
LABEL_WIDTH = 180
ROW_HEIGHT = 22
BAR_HEIGHT = 16
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1")
# The statuses' colours, shared by every chart and the legend.
STATUS_COLOURS = {
    "passed": "#59a14f",
    "failed": "#e15759",
    "error": "#f28e2b",
    "crashed": "#b07aa1",
    "timeout": "#edc948",
    "skipped": "#bab0ac",
}


def _svg(height: int, body: list[str], label: str) -> str:
    return (
        f'<svg class="chart" role="img" aria-label="{escape(label)}" width="{WIDTH}" '
        f'height="{height}" viewBox="0 0 {WIDTH} {height}" xmlns="http://www.w3.org/2000/svg">'
        + "".join(body)
        + "</svg>"
    )


def _label(y: float, text: str) -> str:
    shown = text if len(text) <= 24 else text[:23] + "…"
    return (
        f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR_HEIGHT - 4}" text-anchor="end">'
        f"{escape(shown)}<title>{escape(text)}</title></text>"
    )


def bars(
    rows: Sequence[tuple[str, float, str]], label: str, *, maximum: float | None = None
) -> str:
    """One horizontal bar per (name, value, value as shown) row, scaled to `maximum` (else the
    largest value)."""
    top = maximum if maximum is not None else max((value for _, value, _ in rows), default=0.0)
    span = WIDTH - LABEL_WIDTH - 70
    body = []
    for index, (name, value, shown) in enumerate(rows):
        y = 4 + index * ROW_HEIGHT
        width = 0.0 if top <= 0 else span * value / top
        body.append(_label(y, name))
        body.append(
            f'<rect class="mark" x="{LABEL_WIDTH}" y="{y}" width="{max(width, 1.0):.1f}" '
            f'height="{BAR_HEIGHT}" fill="{PALETTE[0]}"><title>{escape(name)}: {escape(shown)}'
            "</title></rect>"
        )
        body.append(
            f'<text x="{LABEL_WIDTH + max(width, 1.0) + 4:.1f}" y="{y + BAR_HEIGHT - 4}">'
            f"{escape(shown)}</text>"
        )
    return _svg(8 + len(rows) * ROW_HEIGHT, body, label)


def stacked(rows: Sequence[tuple[str, Mapping[str, int]]], label: str) -> str:
    """One bar per (name, {part: count}) row, its parts side by side in the statuses' colours,
    scaled to the largest row."""
    top = max((sum(parts.values()) for _, parts in rows), default=0)
    span = WIDTH - LABEL_WIDTH - 70
    body = []
    for index, (name, parts) in enumerate(rows):
        y = 4 + index * ROW_HEIGHT
        x = float(LABEL_WIDTH)
        body.append(_label(y, name))
        for part, count in parts.items():
            if not count:
                continue
            width = span * count / top
            colour = STATUS_COLOURS.get(part, PALETTE[0])
            body.append(
                f'<rect class="mark" x="{x:.1f}" y="{y}" width="{width:.1f}" '
                f'height="{BAR_HEIGHT}" fill="{colour}"><title>{escape(name)}: {count} {part}'
                "</title></rect>"
            )
            x += width
        body.append(f'<text x="{x + 4:.1f}" y="{y + BAR_HEIGHT - 4}">{sum(parts.values())}</text>')
    return _svg(8 + len(rows) * ROW_HEIGHT, body, label)


def lines(
    points: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    label: str,
    *,
    maximum: float | None = None,
) -> str:
    """A line per series over the x positions `points` (runs, oldest first); a None is a gap. The
    series share one scale, from 0 to `maximum` (else their largest value), marked on the left."""
    height, left, right, top_pad, bottom = 180, 44, 130, 10, 30
    span_x = WIDTH - left - right
    span_y = height - top_pad - bottom
    values = [v for vs in series.values() for v in vs if v is not None]
    top = maximum if maximum is not None else max(values, default=0.0)
    top = top or 1.0
    body = [
        f'<line x1="{left}" y1="{height - bottom}" x2="{WIDTH - right}" y2="{height - bottom}" '
        'stroke="#888"/>',
        f'<line x1="{left}" y1="{top_pad}" x2="{left}" y2="{height - bottom}" stroke="#888"/>',
        f'<text x="{left - 4}" y="{top_pad + 8}" text-anchor="end">{top:g}</text>',
        f'<text x="{left - 4}" y="{height - bottom}" text-anchor="end">0</text>',
    ]
    step = span_x / max(len(points) - 1, 1)
    for index, name in enumerate(points):
        if len(points) <= 12 or index % (len(points) // 12 + 1) == 0:
            body.append(
                f'<text x="{left + index * step:.1f}" y="{height - bottom + 16}" '
                f'text-anchor="middle">{escape(name)}</text>'
            )
    for number, (name, numbers) in enumerate(series.items()):
        colour = PALETTE[number % len(PALETTE)]
        placed = [
            (left + index * step, top_pad + span_y * (1 - value / top), value)
            for index, value in enumerate(numbers)
            if value is not None
        ]
        if len(placed) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in placed)
            body.append(
                f'<polyline class="mark" points="{path}" fill="none" stroke="{colour}" '
                'stroke-width="2"/>'
            )
        for x, y, value in placed:
            body.append(
                f'<circle class="mark" cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                f"<title>{escape(name)}: {value:g}</title></circle>"
            )
        legend_y = top_pad + 14 + number * 18
        body.append(
            f'<rect x="{WIDTH - right + 10}" y="{legend_y - 9}" width="10" height="10" '
            f'fill="{colour}"/><text x="{WIDTH - right + 24}" y="{legend_y}">{escape(name)}</text>'
        )
    return _svg(height, body, label)
