"""Small server-rendered SVG bar charts: no script, no CDN, readable without colour."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

_BAR_HEIGHT = 22
_GAP = 6
_LABEL_WIDTH = 180
_BAR_WIDTH = 320


@dataclass(frozen=True)
class Bar:
    label: str
    value: int


def bar_chart(title: str, bars: list[Bar]) -> str:
    """A horizontal bar chart as an accessible inline SVG (role=img, title, values as text)."""
    top = max((b.value for b in bars), default=0) or 1
    height = max(1, len(bars)) * (_BAR_HEIGHT + _GAP)
    rows = []
    for index, bar in enumerate(bars):
        y = index * (_BAR_HEIGHT + _GAP)
        width = max(2, round(_BAR_WIDTH * bar.value / top))
        label_x, text_y = _LABEL_WIDTH - 8, y + 16
        rows.append(
            f'<text x="{label_x}" y="{text_y}" text-anchor="end">{escape(bar.label)}</text>'
            f'<rect x="{_LABEL_WIDTH}" y="{y}" width="{width}" height="{_BAR_HEIGHT}"></rect>'
            f'<text x="{_LABEL_WIDTH + width + 6}" y="{text_y}">{bar.value}</text>'
        )
    total = _LABEL_WIDTH + _BAR_WIDTH + 60
    label = escape(title)
    return (
        f'<svg class="chart" role="img" aria-label="{label}" viewBox="0 0 {total} {height}" '
        f'width="100%" height="{height}"><title>{label}</title>{"".join(rows)}</svg>'
    )
