"""The matrix as server-side SVG: x relative strength, y attractiveness, bubble = revenue.

Cut lines split the four quadrants; an arrow runs from each account's previous scoring to its
latest; every bubble links to the account and carries a ``<title>`` tooltip.
"""

from __future__ import annotations

import math
from decimal import Decimal

from markupsafe import Markup, escape

from accord.selection.schemas import MatrixPoint

W, H = 760, 520
LEFT, RIGHT, TOP, BOTTOM = 56, 20, 20, 48
COLOURS = {
    "Strategic": "#1a9e6a",
    "Star": "#3b6fd9",
    "Status": "#d4a017",
    "Streamline": "#5d6778",
    "not key": "#b0b7c3",
}


def _x(value: Decimal, x_max: Decimal) -> float:
    v = min(float(value), float(x_max))
    return LEFT + v / float(x_max) * (W - LEFT - RIGHT)


def _y(value: Decimal) -> float:
    return TOP + (1 - float(value) / 10) * (H - TOP - BOTTOM)


def matrix_svg(
    points: list[MatrixPoint], attractiveness_cut: Decimal, strength_cut: Decimal, x_max: Decimal
) -> Markup:
    top_revenue = max([float(p.revenue) for p in points] + [1.0])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" role="img" '
        f'class="matrix-chart" aria-label="Selection matrix: {len(points)} scored accounts">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
        'fill="#5d6778"/></marker></defs>',
    ]
    cx, cy = _x(strength_cut, x_max), _y(attractiveness_cut)
    plot_r, plot_b = W - RIGHT, H - BOTTOM
    x: float
    y: float
    for label, x, y, anchor in (
        ("Star", LEFT + 8, TOP + 16, "start"),
        ("Strategic", plot_r - 8, TOP + 16, "end"),
        ("Streamline", LEFT + 8, plot_b - 8, "start"),
        ("Status", plot_r - 8, plot_b - 8, "end"),
    ):
        parts.append(
            f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="14" '
            f'fill="{COLOURS[label]}" font-weight="600">{label}</text>'
        )
    # axes and ticks
    parts.append(
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_r - LEFT}" height="{plot_b - TOP}" '
        'fill="none" stroke="#c9ced8"/>'
    )
    for a in range(0, 11, 2):
        y = _y(Decimal(a))
        parts.append(
            f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#5d6778">{a}</text>'
        )
    steps = int(x_max * 2)
    for i in range(steps + 1):
        v = Decimal(i) / 2
        x = _x(v, x_max)
        parts.append(
            f'<text x="{x:.1f}" y="{plot_b + 16}" text-anchor="middle" font-size="11" '
            f'fill="#5d6778">{v:g}</text>'
        )
    parts.append(
        f'<text x="{(LEFT + plot_r) / 2:.1f}" y="{H - 8}" text-anchor="middle" '
        'font-size="12" fill="#333">Relative strength (our score ÷ best competitor)'
        "</text>"
    )
    parts.append(
        f'<text x="14" y="{(TOP + plot_b) / 2:.1f}" text-anchor="middle" font-size="12" '
        f'fill="#333" transform="rotate(-90 14 {(TOP + plot_b) / 2:.1f})">'
        "Attractiveness (0–10)</text>"
    )
    parts.append(
        f'<line class="cut-line" x1="{cx:.1f}" y1="{TOP}" x2="{cx:.1f}" y2="{plot_b}" '
        f'stroke="#c2412d" stroke-dasharray="6 4"><title>strength cut {strength_cut}'
        "</title></line>"
    )
    parts.append(
        f'<line class="cut-line" x1="{LEFT}" y1="{cy:.1f}" x2="{plot_r}" y2="{cy:.1f}" '
        f'stroke="#c2412d" stroke-dasharray="6 4"><title>attractiveness cut '
        f"{attractiveness_cut}</title></line>"
    )
    # movement arrows first, so the bubbles sit on top
    for p in points:
        if p.previous_attractiveness is None or p.previous_strength is None or p.strength is None:
            continue
        x0, y0 = _x(p.previous_strength, x_max), _y(p.previous_attractiveness)
        x1, y1 = _x(p.strength, x_max), _y(p.attractiveness)
        if abs(x1 - x0) + abs(y1 - y0) < 1:
            continue
        parts.append(
            f'<line class="movement" data-account-id="{p.account_id}" x1="{x0:.1f}" '
            f'y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}" stroke="#5d6778" '
            'stroke-width="1.2" marker-end="url(#arrow)"/>'
        )
    for p in sorted(points, key=lambda q: -q.revenue):
        if p.strength is None:
            continue
        r = 4 + 18 * math.sqrt(max(float(p.revenue), 0) / top_revenue)
        x, y = _x(p.strength, x_max), _y(p.attractiveness)
        tip = (
            f"{p.name}: {p.quadrant}, attractiveness {p.attractiveness}, strength "
            f"{p.strength}, revenue {p.revenue:,.2f}, potential {p.potential}"
        )
        parts.append(
            f'<a href="/accounts/{p.account_id}/kam" class="matrix-point" '
            f'data-account-id="{p.account_id}" data-quadrant="{escape(p.quadrant)}" '
            f'data-tier="{escape(p.tier)}">'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{COLOURS.get(p.tier, "#999")}" '
            f'fill-opacity="0.55" stroke="{COLOURS.get(p.tier, "#999")}">'
            f"<title>{escape(tip)}</title></circle></a>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
