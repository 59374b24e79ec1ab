"""Inline SVG charts for the HTML control report: no script, no external asset, readable printed
in black and white (every bar carries its number and every status its word)."""

from __future__ import annotations

from html import escape

from .model import STATUS_LABELS, STATUSES, FrameworkResult

COLORS = {"failing": "#c62828", "passing": "#2e7d32", "not-assessed": "#8a8a8a", "suppressed": "#e0a100"}
ROW = 24
LABEL_WIDTH = 110
PILL_WIDTH = 104
BAR_X = LABEL_WIDTH + PILL_WIDTH + 16
WIDTH = 760
BAR_WIDTH = WIDTH - BAR_X - 150


def controls_chart(result: FrameworkResult) -> str:
    """One row per control: its id, its status, and a bar of its failing and suppressed findings."""
    most = max([len(c.failing) + len(c.suppressed) for c in result.controls] + [1])
    height = ROW * len(result.controls) + 28
    label = f"{result.framework.title}: {result.summary}"
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(label)}">',
        f"<title>{escape(label)}</title>",
        f'<text x="{BAR_X}" y="14" class="axis">findings per control (failing, suppressed)</text>',
    ]
    for index, control in enumerate(result.controls):
        y = 24 + index * ROW
        failing, suppressed = len(control.failing), len(control.suppressed)
        parts += [
            f'<text x="0" y="{y + 15}" class="id">{escape(control.control.id)}</text>',
            f'<rect x="{LABEL_WIDTH}" y="{y + 2}" width="{PILL_WIDTH}" height="{ROW - 6}" rx="9" fill="{COLORS[control.status]}"/>',
            f'<text x="{LABEL_WIDTH + PILL_WIDTH / 2:g}" y="{y + 15}" class="pill" text-anchor="middle">{STATUS_LABELS[control.status]}</text>',
        ]
        x: float = BAR_X
        for count, color in ((failing, COLORS["failing"]), (suppressed, COLORS["suppressed"])):
            width = BAR_WIDTH * count / most
            if count:
                parts.append(f'<rect x="{x:.1f}" y="{y + 4}" width="{width:.1f}" height="{ROW - 10}" fill="{color}"/>')
            x += width
        note = _note(failing, suppressed, control.status)
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 15}" class="count">{escape(note)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _note(failing: int, suppressed: int, status: str) -> str:
    if not failing and not suppressed:
        return "no findings" if status == "passing" else ""
    return ", ".join(
        text for count, text in ((failing, f"{failing} failing"), (suppressed, f"{suppressed} suppressed")) if count
    )


def summary_bar(result: FrameworkResult, width: int = 260) -> str:
    """A stacked bar of the framework's controls by status, with the counts written beside it."""
    total = len(result.controls) or 1
    parts = [
        f'<svg class="summary-bar" xmlns="http://www.w3.org/2000/svg" width="{width + 280}" height="20" '
        f'viewBox="0 0 {width + 280} 20" role="img" aria-label="{escape(result.summary)}">',
        f"<title>{escape(result.summary)}</title>",
    ]
    x = 0.0
    for status in STATUSES:
        share = width * result.count(status) / total
        if share:
            parts.append(f'<rect x="{x:.1f}" y="2" width="{share:.1f}" height="16" fill="{COLORS[status]}"/>')
        x += share
    counts = " · ".join(f"{result.count(s)} {STATUS_LABELS[s].lower()}" for s in STATUSES)
    parts += [f'<text x="{width + 8}" y="15" class="count">{escape(counts)}</text>', "</svg>"]
    return "".join(parts)
