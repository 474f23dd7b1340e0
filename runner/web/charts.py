"""A server-rendered SVG bar chart (no script): cases received per day."""

from __future__ import annotations

from datetime import date

from markupsafe import Markup, escape

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 720, 220, 40, 30, 10


def bar_chart(days: list[tuple[date, int]], *, title: str, label: str) -> Markup:
    """Bars per day with a y axis, a title for screen readers and a value on each bar."""
    peak = max((count for _, count in days), default=0) or 1
    plot_w, plot_h = WIDTH - LEFT - 10, HEIGHT - BOTTOM - TOP
    step = plot_w / max(len(days), 1)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="chart-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - 10}" y2="{TOP + plot_h}" '
        'stroke="#444" />',
        f'<text x="{LEFT - 6}" y="{TOP + 10}" text-anchor="end" font-size="12" '
        f'fill="#222">{peak}</text>',
        f'<text x="{LEFT - 6}" y="{TOP + plot_h}" text-anchor="end" font-size="12" '
        'fill="#222">0</text>',
    ]
    for index, (day, count) in enumerate(days):
        height = plot_h * count / peak
        x = LEFT + index * step + 2
        y = TOP + plot_h - height
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{step - 4:.1f}" height="{height:.1f}" '
            f'fill="#1f5fa8"><title>{day.strftime("%d.%m")}: {count} {escape(label)}</title>'
            "</rect>"
        )
        if index % 5 == 0 or index == len(days) - 1:
            parts.append(
                f'<text x="{x + (step - 4) / 2:.1f}" y="{HEIGHT - 10}" text-anchor="middle" '
                f'font-size="12" fill="#222">{day.strftime("%d.%m")}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))
