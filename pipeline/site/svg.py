"""Small charts of the site as inline SVG, written directly (no network, no script).

A site has a page per key account and a sparkline per account on each manager's page: hundreds
of charts, where matplotlib (pipeline/render/charts.py, used for the bulletins) costs tens of
milliseconds each. These are a few lines of text each, in the bulletins' palette, the same
bytes for the same data. Every label is escaped; figures are formatted here, not taken as text.
"""

from __future__ import annotations

from html import escape

from markupsafe import Markup

from pipeline.core.money import format_yuan
from pipeline.render.charts import PALETTE

INK, MUTED, RULE = "#1b2631", "#5d6d7e", "#d5d8dc"


def _num(x: float) -> str:
    return f"{x:.1f}".removesuffix(".0")


def sparkline(values: list[int], label: str, width: int = 120, height: int = 28) -> Markup:
    """A line of `values` (oldest first), its last point marked; named by `label` for readers
    of the page without sight (the figures are in the page's tables)."""
    pad = 3
    top = max(values, default=0)
    low = min(min(values, default=0), 0)
    span = (top - low) or 1
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    points = [
        (pad + i * step, pad + (height - 2 * pad) * (1 - (v - low) / span)) for i, v in enumerate(values)
    ]
    line = " ".join(f"{_num(x)},{_num(y)}" for x, y in points)
    parts = [
        f'<svg class="spark" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">',
        f"<title>{escape(label)}</title>",
    ]
    if points:
        parts.append(
            f'<polyline points="{line}" fill="none" stroke="{PALETTE[0]}" stroke-width="1.5" '
            'stroke-linejoin="round"/>'
        )
        x, y = points[-1]
        parts.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="2.2" fill="{PALETTE[2]}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _titled(title: str, width: int, height: int, left: int) -> list[str]:
    """A bar chart's opening: the svg element, its accessible title and the title shown."""
    return [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="{left}" y="16" font-size="12" fill="{INK}">{escape(title)}</text>',
    ]


def _scale(left: int, top_pad: int, plot_h: int, top: int) -> list[str]:
    """The value axis: the largest value (元) at the top, 0 at the bottom."""
    return [
        f'<text x="{left - 4}" y="{top_pad + 4}" font-size="10" text-anchor="end" fill="{MUTED}">'
        f"{escape(format_yuan(top, separators=True))}</text>",
        f'<text x="{left - 4}" y="{top_pad + plot_h + 4}" font-size="10" text-anchor="end" '
        f'fill="{MUTED}">0</text>',
    ]


def revenue_chart(months: list[str], revenue_fen: list[int], title: str) -> Markup:
    """Monthly revenue as bars (元), with the month under each bar and the largest value on the
    axis; each bar's exact figure is its tooltip (the table below the chart has them all)."""
    width, height = 660, 220
    left, right, top_pad, bottom = 70, 10, 28, 34
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    top = max([*revenue_fen, 0]) or 1
    slot = plot_w / max(len(months), 1)
    bar = slot * 0.7
    parts = [
        *_titled(title, width, height, left),
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{width - right}" y2="{top_pad + plot_h}" '
        f'stroke="{RULE}"/>',
        f'<line x1="{left}" y1="{top_pad}" x2="{width - right}" y2="{top_pad}" stroke="{RULE}" '
        'stroke-dasharray="3,3"/>',
        *_scale(left, top_pad, plot_h, top),
    ]
    for i, (month, fen) in enumerate(zip(months, revenue_fen, strict=True)):
        h = plot_h * max(fen, 0) / top
        x = left + i * slot + (slot - bar) / 2
        parts.append(
            f'<rect x="{_num(x)}" y="{_num(top_pad + plot_h - h)}" width="{_num(bar)}" height="{_num(h)}" '
            f'fill="{PALETTE[0]}"><title>{escape(month)}:{escape(format_yuan(fen, separators=True))} 元'
            "</title></rect>"
        )
        parts.append(
            f'<text x="{_num(x + bar / 2)}" y="{top_pad + plot_h + 14}" font-size="10" text-anchor="middle" '
            f'fill="{MUTED}">{escape(month[2:4] + "/" + month[5:])}</text>'
        )
    parts.append(
        f'<text x="12" y="{top_pad + plot_h / 2}" font-size="10" fill="{MUTED}" '
        f'transform="rotate(-90 12 {top_pad + plot_h / 2})" text-anchor="middle">收入(元)</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))


def baseline_chart(
    months: list[str], revenue_fen: list[int | None], baseline_fen: list[int], title: str
) -> Markup:
    """A project's revenue per month of its cycle (bars; none for months still to come) beside the
    baseline, the same month of the period before the cycle (a lighter bar); the exact figures are
    each bar's tooltip and the table below the chart."""
    width, height = 660, 240
    left, right, top_pad, bottom = 70, 10, 44, 34
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    top = max([*(v or 0 for v in revenue_fen), *baseline_fen, 0]) or 1
    slot = plot_w / max(len(months), 1)
    bar = slot * 0.36
    parts = [
        *_titled(title, width, height, left),
        f'<rect x="{left}" y="24" width="10" height="10" fill="{PALETTE[0]}"/>',
        f'<text x="{left + 14}" y="33" font-size="10" fill="{MUTED}">周期内收入</text>',
        f'<rect x="{left + 84}" y="24" width="10" height="10" fill="{PALETTE[5]}"/>',
        f'<text x="{left + 98}" y="33" font-size="10" fill="{MUTED}">基线(周期前同序月份)</text>',
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{width - right}" y2="{top_pad + plot_h}" '
        f'stroke="{RULE}"/>',
        *_scale(left, top_pad, plot_h, top),
    ]
    series = zip(months, revenue_fen, baseline_fen, strict=True)
    for i, (month, fen, base) in enumerate(series):
        x = left + i * slot + (slot - 2 * bar) / 2
        for j, (value, colour, what) in enumerate(((base, PALETTE[5], "基线"), (fen, PALETTE[0], "收入"))):
            if value is None:
                continue
            h = plot_h * max(value, 0) / top
            parts.append(
                f'<rect x="{_num(x + j * bar)}" y="{_num(top_pad + plot_h - h)}" width="{_num(bar)}" '
                f'height="{_num(h)}" fill="{colour}"><title>{escape(month)} {what}:'
                f"{escape(format_yuan(value, separators=True))} 元</title></rect>"
            )
        parts.append(
            f'<text x="{_num(x + bar)}" y="{top_pad + plot_h + 14}" font-size="10" text-anchor="middle" '
            f'fill="{MUTED}">{escape(month[2:4] + "/" + month[5:])}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
