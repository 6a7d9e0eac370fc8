"""The Clients page's charts (issue 16), pure: the P(alive) distribution, and a validation's
predicted against actual repeat purchases, cumulative by week and by number of calibration
purchases. Built on ``accord.web.charts`` (scales, bar and line charts); the grouped bars
that module lacks are drawn here. A validation's rows are read defensively from the stored
JSON (``validation_view``): anything unexpected is left out rather than failing the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

from accord.web.charts import PALETTE, bar_chart, line_chart, nice_ticks, short_number

SERIES_COLOURS = {"Actual": PALETTE[0], "Predicted": PALETTE[1]}
#: a validation's errors (``clients.fitting``): label, and whether a percentage
ERROR_LABELS = {
    "mean_absolute_error": ("mean absolute error per client, by purchases", False),
    "holdout_actual": ("holdout repeat purchases, actual", False),
    "holdout_predicted": ("holdout repeat purchases, predicted", False),
    "holdout_percent_error": ("error of the holdout total", True),
    "cumulative_mean_absolute_error": ("mean absolute error, cumulative by week", False),
    "cumulative_percent_error": ("error of the cumulative total", True),
}


def bin_labels(bins: int = 10) -> list[str]:
    return [f"{k / bins:.1f}–{(k + 1) / bins:.1f}" for k in range(bins)]


def p_alive_histogram(counts: Sequence[int], *, width: int = 560, height: int = 240) -> Markup:
    """Clients per tenth of P(alive) (the last bin holds 1.0)."""
    return bar_chart(bin_labels(len(counts)), list(counts), width=width, height=height,
                     title="Clients by P(alive)", value_format=lambda v: f"{int(v):,} clients")


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


@dataclass
class ValidationView:
    """A validation's rows as the page shows them."""

    by_purchases: list[dict[str, Any]] = field(default_factory=list)  # label, clients, …
    cumulative: list[dict[str, Any]] = field(default_factory=list)  # week, actual, predicted
    errors: list[tuple[str, str]] = field(default_factory=list)  # label, figure
    holdout_from: str | None = None  # the first week of the holdout period

    @property
    def empty(self) -> bool:
        return not (self.by_purchases or self.cumulative)


def validation_view(stored: Any) -> ValidationView:
    """The rows of a validation's JSON: ``{"by_purchases": [{"purchases", "clients",
    "actual", "predicted"}…], "cumulative": [{"week", "actual", "predicted"}…], "errors":
    {name: number}}``."""
    view = ValidationView()
    if not isinstance(stored, dict):
        return view
    for row in stored.get("by_purchases") or []:
        if not isinstance(row, dict):
            continue
        actual, predicted = _number(row.get("actual")), _number(row.get("predicted"))
        if actual is None or predicted is None:
            continue
        view.by_purchases.append({
            "label": str(row.get("purchases", "")), "clients": _number(row.get("clients")),
            "actual": actual, "predicted": predicted, "error": predicted - actual})
    for row in stored.get("cumulative") or []:
        if not isinstance(row, dict):
            continue
        actual, predicted = _number(row.get("actual")), _number(row.get("predicted"))
        week = row.get("week", row.get("period"))
        if actual is None or predicted is None or week is None:
            continue
        view.cumulative.append({"week": str(week), "actual": actual, "predicted": predicted})
        if row.get("holdout") is True and view.holdout_from is None:
            view.holdout_from = str(week)
    errors = stored.get("errors")
    if isinstance(errors, dict):
        for key, value in errors.items():
            number = _number(value)
            if number is not None:
                label, percent = ERROR_LABELS.get(str(key), (str(key).replace("_", " "), False))
                view.errors.append((label, f"{number:+.1f} %" if percent else f"{number:.3f}"))
    return view


def cumulative_chart(view: ValidationView, *, width: int = 760, height: int = 260) -> Markup:
    """Cumulative repeat purchases by week: actual against predicted."""
    rows = view.cumulative
    return line_chart([r["week"] for r in rows],
                      {"Actual": [r["actual"] for r in rows],
                       "Predicted": [r["predicted"] for r in rows]},
                      title="Cumulative repeat purchases by week: actual and predicted",
                      width=width, height=height, colors=SERIES_COLOURS)


def by_purchases_chart(view: ValidationView, *, width: int = 560,
                       height: int = 240) -> Markup:
    """Mean repeat purchases in the holdout by number of calibration repeat purchases."""
    rows = view.by_purchases
    return grouped_bars([r["label"] for r in rows],
                        {"Actual": [r["actual"] for r in rows],
                         "Predicted": [r["predicted"] for r in rows]},
                        title="Holdout purchases per client by calibration purchases",
                        width=width, height=height)


def grouped_bars(labels: Sequence[str], series: dict[str, Sequence[float]], *, title: str,
                 width: int = 560, height: int = 240) -> Markup:
    """Side-by-side bars per label, one per series (values ≥ 0), with a legend and a
    ``<title>`` tooltip per bar."""
    for name, values in series.items():
        if len(values) != len(labels):
            raise ValueError(f"series {name!r} has {len(values)} values for "
                             f"{len(labels)} labels")
    numbers = [max(0.0, float(v)) for values in series.values() for v in values]
    if not labels or not numbers:
        return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} '
                      f'{height}" role="img" aria-label="{escape(title)}: no data" '
                      f'class="chart-svg"><text x="{width / 2:.0f}" y="{height / 2:.0f}" '
                      'text-anchor="middle">No data</text></svg>')
    left, right, top, bottom = 56, 12, 30, 34
    ticks = nice_ticks(0.0, max(numbers))
    hi = ticks[-1] or 1.0
    plot_w, plot_h = width - left - right, height - top - bottom

    def y(v: float) -> float:
        return top + (hi - v) / hi * plot_h

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'role="img" aria-label="{escape(title)}" class="chart-svg grouped-bars">'
             f"<title>{escape(title)}</title>"]
    for t in ticks:
        parts.append(f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y(t):.1f}" '
                     f'y2="{y(t):.1f}" stroke="#e3e7ee"/><text x="{left - 6}" '
                     f'y="{y(t) + 3.5:.1f}" text-anchor="end">{escape(short_number(t))}</text>')
    parts.append(f'<line class="axis" x1="{left}" x2="{width - right}" y1="{y(0):.1f}" '
                 f'y2="{y(0):.1f}" stroke="#8a93a3"/>')
    slot = plot_w / len(labels)
    bar_w = max(1.0, slot * 0.8 / max(len(series), 1))
    for i, label in enumerate(labels):
        x0 = left + i * slot + slot * 0.1
        for k, (name, values) in enumerate(series.items()):
            v = max(0.0, float(values[i]))
            colour = SERIES_COLOURS.get(name, PALETTE[k % len(PALETTE)])
            parts.append(
                f'<rect class="group-bar" x="{x0 + k * bar_w:.1f}" y="{y(v):.1f}" '
                f'width="{bar_w:.1f}" height="{y(0) - y(v):.1f}" fill="{colour}" '
                f'data-series="{escape(name)}" data-label="{escape(label)}" '
                f'data-value="{v:.4f}"><title>{escape(f"{name}, {label}: {v:.3f}")}</title>'
                "</rect>")
        parts.append(f'<text x="{left + (i + 0.5) * slot:.1f}" y="{top + plot_h + 16:.1f}" '
                     f'text-anchor="middle">{escape(label)}</text>')
    legend_x = float(left)
    for k, name in enumerate(series):
        colour = SERIES_COLOURS.get(name, PALETTE[k % len(PALETTE)])
        parts.append(f'<rect x="{legend_x:.0f}" y="8" width="10" height="10" rx="2" '
                     f'fill="{colour}"/><text x="{legend_x + 14:.0f}" y="17">'
                     f"{escape(name)}</text>")
        legend_x += 24 + 7 * len(name)
    parts.append("</svg>")
    return Markup("".join(parts))
