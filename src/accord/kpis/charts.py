"""Server-side SVG charts of the KPI dashboard and report (pure: numbers in, markup out).

No JavaScript and no network: every chart is one ``<svg role="img" aria-label=…>`` with a
``<title>`` tooltip per bar or point, printable by WeasyPrint. Amounts come in as ``Decimal``
(exact) and become floats only to place pixels. The NRR/GRR trend uses the shared
``accord.web.charts.line_chart``; the waterfall and the Pareto curve are drawn here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from markupsafe import Markup, escape

from accord.web.charts import line_chart, money_text, nice_ticks, short_number

#: bridge step colours (also used by the legend in the templates)
COLOURS = {
    "total": "#5d6778",
    "expansion": "#1a9e6a",
    "contraction": "#e07b39",
    "churn": "#c2412d",
    "new": "#3b6fd9",
    "reactivated": "#a24cc2",
}

#: (label, portfolio field, sign, colour key, drill-down movement)
BRIDGE_STEPS: tuple[tuple[str, str, int, str, str | None], ...] = (
    ("Starting", "starting_revenue", 0, "total", None),
    ("Expansion", "expansion_revenue", 1, "expansion", "expanded"),
    ("Contraction", "contraction_revenue", -1, "contraction", "contracted"),
    ("Churn", "churned_revenue", -1, "churn", "churned"),
    ("New", "new_revenue", 1, "new", "new"),
    ("Reactivated", "reactivated_revenue", 1, "reactivated", "reactivated"),
    ("Ending", "ending_revenue", 0, "total", None),
)


def _svg_open(width: int, height: int, label: str, css: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}" '
        f'class="chart-svg {css}" font-family="sans-serif" font-size="12">'
        f"<title>{escape(label)}</title>"
    )


def bridge_spans(p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The waterfall as spans: label, amount, colour key, low/high running totals, movement."""
    running = Decimal(0)
    spans = []
    for label, field, sign, colour, movement in BRIDGE_STEPS:
        amount = Decimal(str(p[field]))
        if sign == 0:
            low, high, running = Decimal(0), amount, amount
        else:
            after = running + sign * amount
            low, high, running = min(running, after), max(running, after), after
        spans.append({"label": label, "field": field, "amount": amount, "sign": sign,
                      "colour": colour, "low": low, "high": high, "movement": movement})
    return spans


def bridge(
    p: Mapping[str, Any], *, links: Mapping[str, str] | None = None, width: int = 560,
    height: int = 260,
) -> Markup:
    """Waterfall from starting to ending revenue; ``links`` maps a movement to a drill-down URL."""
    spans = bridge_spans(p)
    top = max(float(s["high"]) for s in spans)
    ticks = nice_ticks(0.0, top if top > 0 else 1.0)
    left, right, top_pad, bottom = 60, 12, 22, 40
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    hi = ticks[-1] or 1.0

    def y(v: float) -> float:
        return top_pad + (hi - v) / hi * plot_h

    parts = [_svg_open(width, height, "Revenue bridge from starting to ending revenue", "bridge")]
    for t in ticks:
        parts.append(f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y(t):.1f}" '
                     f'y2="{y(t):.1f}" stroke="#e3e7ee"/>'
                     f'<text x="{left - 6}" y="{y(t) + 4:.1f}" text-anchor="end" '
                     f'fill="#5d6778">{escape(short_number(t))}</text>')
    parts.append(f'<line class="axis" x1="{left}" x2="{width - right}" y1="{y(0):.1f}" '
                 f'y2="{y(0):.1f}" stroke="#8a93a3"/>')
    slot = plot_w / len(spans)
    bar_w = slot * 0.62
    for i, s in enumerate(spans):
        x = left + i * slot + (slot - bar_w) / 2
        y_top, y_low = y(float(s["high"])), y(float(s["low"]))
        h = max(y_low - y_top, 1.0 if s["amount"] else 0.0)
        sign = {0: "", 1: "+", -1: "−"}[s["sign"]]
        tip = f"{s['label']}: {sign}{money_text(s['amount'])}"
        rect = (f'<rect class="step step-{s["colour"]}" x="{x:.1f}" y="{y_top:.1f}" '
                f'width="{bar_w:.1f}" height="{h:.1f}" fill="{COLOURS[s["colour"]]}" '
                f'data-step="{escape(s["label"].lower())}" data-amount="{s["amount"]}">'
                f"<title>{escape(tip)}</title></rect>")
        href = (links or {}).get(s["movement"] or "")
        parts.append(f'<a href="{escape(href)}">{rect}</a>' if href else rect)
        parts.append(f'<text class="value-label" x="{x + bar_w / 2:.1f}" y="{y_top - 5:.1f}" '
                     f'text-anchor="middle" fill="#1c2330">'
                     f"{escape(sign + short_number(float(s['amount'])))}</text>")
        parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{height - bottom + 18:.1f}" '
                     f'text-anchor="middle" fill="#5d6778">{escape(s["label"])}</text>')
        if i + 1 < len(spans):  # connector at the running total after this step
            level = s["high"] if s["sign"] >= 0 else s["low"]
            parts.append(f'<line x1="{x + bar_w:.1f}" x2="{x + slot:.1f}" '
                         f'y1="{y(float(level)):.1f}" y2="{y(float(level)):.1f}" '
                         f'stroke="#8a93a3" stroke-dasharray="3 2"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def trend(series: Sequence[Mapping[str, Any]], width: int = 560, height: int = 260) -> Markup:
    """NRR and GRR per as-of month (gaps where a ratio is undefined)."""
    labels = [r["as_of"] for r in series]
    svg = line_chart(
        labels,
        {"NRR": [r["nrr"] for r in series], "GRR": [r["grr"] for r in series]},
        title="Net and gross revenue retention by as-of month",
        width=width, height=height, percent=True,
        colors={"NRR": COLOURS["new"], "GRR": COLOURS["churn"]},
    )
    # room on the right for the last month label, which the shared chart centres on its point
    return Markup(str(svg).replace(f'viewBox="0 0 {width} {height}"',
                                   f'viewBox="0 0 {width + 24} {height}"', 1))


def pareto(curve: Mapping[str, Any], width: int = 760, height: int = 300) -> Markup:
    """Cumulative revenue share against the share of accounts ranked by revenue, with ABC zones.

    ``curve`` is the document of ``accord.kpis.pareto.pareto_curve``: ``points`` as
    (account share, revenue share) pairs in 0..1, ``cutoffs`` {"A": 0.8, "B": 0.95} and
    ``boundaries`` {"A": accounts in A, "B": accounts in A or B}, ``accounts`` n.
    """
    label = "Pareto curve: cumulative share of revenue by share of accounts"
    points = curve.get("points") or []
    n = int(curve.get("accounts") or 0)
    if not points or n == 0:
        return Markup(_svg_open(width, height, label + ": no data", "pareto")
                      + f'<text x="{width / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle" '
                        f'fill="#5d6778">No revenue in the current window</text></svg>')
    left, right, top_pad, bottom = 56, 16, 16, 40
    plot_w, plot_h = width - left - right, height - top_pad - bottom

    def x(share: float) -> float:
        return left + share * plot_w

    def y(share: float) -> float:
        return top_pad + (1 - share) * plot_h

    parts = [_svg_open(width, height, label, "pareto")]
    a_end = int(curve["boundaries"]["A"]) / n
    b_end = int(curve["boundaries"]["B"]) / n
    zones = (("A", 0.0, a_end, "#1a9e6a"), ("B", a_end, b_end, "#d4a017"),
             ("C", b_end, 1.0, "#8a93a3"))
    for name, lo, hi, colour in zones:
        if hi > lo:
            parts.append(f'<rect class="zone zone-{name}" x="{x(lo):.1f}" y="{top_pad}" '
                         f'width="{x(hi) - x(lo):.1f}" height="{plot_h}" fill="{colour}" '
                         f'fill-opacity="0.08"><title>Class {name}</title></rect>'
                         f'<text x="{(x(lo) + x(hi)) / 2:.1f}" y="{top_pad + plot_h - 8}" '
                         f'text-anchor="middle" fill="{colour}" font-weight="bold">{name}</text>')
    for t in (0, 0.2, 0.4, 0.6, 0.8, 1.0):
        parts.append(f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y(t):.1f}" '
                     f'y2="{y(t):.1f}" stroke="#e3e7ee"/>'
                     f'<text x="{left - 6}" y="{y(t) + 4:.1f}" text-anchor="end" '
                     f'fill="#5d6778">{t * 100:.0f} %</text>'
                     f'<text x="{x(t):.1f}" y="{height - bottom + 16}" text-anchor="middle" '
                     f'fill="#5d6778">{t * 100:.0f} %</text>')
    parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle" '
                 f'fill="#5d6778">share of paying accounts, largest first ({n})</text>')
    parts.append(f'<line x1="{x(0):.1f}" y1="{y(0):.1f}" x2="{x(1):.1f}" y2="{y(1):.1f}" '
                 f'stroke="#c3c9d2" stroke-dasharray="4 3"><title>Equal shares</title></line>')
    for name, cut in curve["cutoffs"].items():
        c = float(cut)
        parts.append(f'<line class="cutoff cutoff-{name}" x1="{left}" x2="{width - right}" '
                     f'y1="{y(c):.1f}" y2="{y(c):.1f}" stroke="#5d6778" stroke-dasharray="6 3">'
                     f"<title>Cut-off {name}: {c * 100:g} % of revenue</title></line>"
                     f'<text x="{width - right - 4}" y="{y(c) - 4:.1f}" text-anchor="end" '
                     f'fill="#1c2330">{escape(name)} cut-off {c * 100:g} %</text>')
    coords = [(0.0, 0.0)] + [(float(px), float(py)) for px, py in points]
    path = " ".join(f"{x(px):.1f},{y(py):.1f}" for px, py in coords)
    parts.append(f'<polyline class="curve" fill="none" stroke="#2454c5" stroke-width="2.5" '
                 f'stroke-linejoin="round" points="{path}"/>')
    for name, count in (("A", curve["boundaries"]["A"]), ("B", curve["boundaries"]["B"])):
        share = int(count) / n
        parts.append(f'<line class="boundary boundary-{name}" x1="{x(share):.1f}" '
                     f'x2="{x(share):.1f}" y1="{top_pad}" y2="{top_pad + plot_h}" '
                     f'stroke="#8a93a3"><title>Last class-{name} account: rank {count} of {n} '
                     f"({share * 100:.1f} % of accounts)</title></line>")
    parts.append("</svg>")
    return Markup("".join(parts))
