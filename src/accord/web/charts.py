"""Server-side SVG charts: no JavaScript, no network, printable, accessible.

Every function returns ``markupsafe.Markup`` holding one ``<svg role="img" aria-label=…>``
with axes, gridlines and a ``<title>`` tooltip per bar or point. Amounts come in as
``Decimal`` (exact); they become floats only to place pixels.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from decimal import Decimal

from markupsafe import Markup, escape

PALETTE = ("#3b6fd9", "#e07b39", "#1a9e6a", "#a24cc2", "#c2412d", "#5d6778", "#d4a017")

Number = Decimal | float | int


# ---------------------------------------------------------------- scales


def nice_step(span: float, count: int = 5) -> float:
    """A round step (1, 2, 2.5 or 5 × 10^k) that cuts ``span`` into about ``count`` parts."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / max(count, 1)
    if raw <= 0:  # underflow
        return 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * magnitude >= raw:
            return float(factor * magnitude)
    return float(10 * magnitude)  # pragma: no cover - the loop always returns


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Evenly spaced round ticks from at or below ``lo`` to at or above ``hi``."""
    if lo > hi:
        lo, hi = hi, lo
    scale = max(abs(lo), abs(hi))
    if hi - lo <= scale * 1e-9:  # one value, as far as a chart can tell
        if scale < 1e-300:  # zero, or too small to divide
            return [0.0, 1.0]
        pad = scale / 2
        lo, hi = lo - pad, hi + pad
    step = nice_step(hi - lo, count)
    first = math.floor(lo / step + 1e-9) * step
    last = math.ceil(hi / step - 1e-9) * step
    n = max(1, int(round((last - first) / step)))
    return [float(f"{first + i * step:.12g}") for i in range(n + 1)]


def short_number(value: float) -> str:
    """1234567 → '1.2M'; 2500 → '2.5k'; 12 → '12' (axis labels)."""
    sign = "-" if value < 0 else ""
    v = abs(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if v >= limit:
            text = f"{v / limit:.1f}".rstrip("0").rstrip(".")
            return f"{sign}{text}{suffix}"
    if v == int(v):
        return f"{sign}{int(v)}"
    return f"{sign}{v:.2f}".rstrip("0").rstrip(".")


def money_text(value: Number) -> str:
    return f"{Decimal(str(value)):,.2f}"


def percent_text(value: float) -> str:
    return f"{value * 100:.1f} %"


def _label_every(count: int, room: float, per_label: float = 46) -> int:
    """Show every n-th x label so that labels do not overlap."""
    if count <= 0:
        return 1
    fits = max(1, int(room // per_label))
    return max(1, math.ceil(count / fits))


def _empty(width: int, height: int, label: str) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}: no data" class="chart-svg">'
        f'<text x="{width / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle">No data</text></svg>'
    )


class _Frame:
    """Plot area geometry and the y scale shared by both chart kinds."""

    def __init__(self, width: int, height: int, ticks: list[float], top: int = 24) -> None:
        self.width, self.height = width, height
        self.left, self.right, self.top, self.bottom = 56, 12, top, 34
        self.ticks = ticks
        self.lo, self.hi = ticks[0], ticks[-1]

    @property
    def plot_w(self) -> float:
        return self.width - self.left - self.right

    @property
    def plot_h(self) -> float:
        return self.height - self.top - self.bottom

    def y(self, value: float) -> float:
        span = (self.hi - self.lo) or 1.0
        return self.top + (self.hi - value) / span * self.plot_h

    def grid(self, fmt: Callable[[float], str]) -> list[str]:
        parts = []
        for t in self.ticks:
            y = self.y(t)
            parts.append(
                f'<line class="grid" x1="{self.left}" x2="{self.width - self.right}" '
                f'y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e7ee"/>'
            )
            parts.append(
                f'<text x="{self.left - 6}" y="{y + 3.5:.1f}" text-anchor="end">'
                f"{escape(fmt(t))}</text>"
            )
        y0 = self.y(max(self.lo, min(0.0, self.hi)))
        parts.append(
            f'<line class="axis" x1="{self.left}" x2="{self.width - self.right}" '
            f'y1="{y0:.1f}" y2="{y0:.1f}" stroke="#8a93a3"/>'
        )
        parts.append(
            f'<line class="axis" x1="{self.left}" x2="{self.left}" y1="{self.top}" '
            f'y2="{self.top + self.plot_h:.1f}" stroke="#8a93a3"/>'
        )
        return parts

    def x_label(self, x: float, text: str) -> str:
        """A label centred under ``x``, or kept inside the chart at either edge (a label
        about 6.6 units per character at the axis font)."""
        y = self.top + self.plot_h + 16
        half, anchor = 3.3 * len(text), "middle"
        if x + half > self.width:
            x, anchor = float(self.width - 1), "end"
        elif x - half < 0:
            x, anchor = 1.0, "start"
        return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{escape(text)}</text>'


def _open(width: int, height: int, label: str, css: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(label)}" class="chart-svg {css}">'
        f"<title>{escape(label)}</title>"
    )


# ---------------------------------------------------------------- bar chart


def bar_chart(
    labels: Sequence[str],
    values: Sequence[Number],
    *,
    title: str = "Bar chart",
    width: int = 760,
    height: int = 260,
    show_values: bool | None = None,
    value_format: Callable[[Number], str] = money_text,
) -> Markup:
    """Vertical bars, one per label; negative values hang below the zero line.

    Value labels are drawn above the bars when there is room (``show_values=None`` means
    "when there are at most 16 bars"); every bar has a ``<title>`` tooltip either way.
    """
    if len(labels) != len(values):
        raise ValueError(f"{len(labels)} labels but {len(values)} values")
    if not values:
        return _empty(width, height, title)
    numbers = [float(v) for v in values]
    frame = _Frame(width, height, nice_ticks(min(0.0, *numbers), max(0.0, *numbers)))
    n = len(values)
    slot = frame.plot_w / n
    bar_w = max(1.0, slot * 0.72)
    if show_values is None:
        show_values = n <= 16
    parts = [_open(width, height, title, "bar-chart"), *frame.grid(short_number)]
    zero = frame.y(max(frame.lo, min(0.0, frame.hi)))
    every = _label_every(n, frame.plot_w)
    for i, (label, value, number) in enumerate(zip(labels, values, numbers, strict=True)):
        x = frame.left + i * slot + (slot - bar_w) / 2
        y = frame.y(number)
        top, h = (y, zero - y) if number >= 0 else (zero, y - zero)
        css = "bar negative" if number < 0 else "bar"
        fill = "#c2412d" if number < 0 else PALETTE[0]
        text = f"{label}: {value_format(value)}"
        parts.append(
            f'<rect class="{css}" x="{x:.1f}" y="{top:.1f}" width="{bar_w:.1f}" '
            f'height="{max(h, 0.0):.1f}" fill="{fill}" data-label="{escape(label)}" '
            f'data-value="{escape(str(value))}"><title>{escape(text)}</title></rect>'
        )
        if show_values and number != 0:
            vy = top - 4 if number >= 0 else top + h + 11
            parts.append(
                f'<text class="value-label" x="{x + bar_w / 2:.1f}" y="{vy:.1f}" '
                f'text-anchor="middle">{escape(short_number(number))}</text>'
            )
        if i % every == 0:
            parts.append(frame.x_label(x + bar_w / 2, label))
    parts.append("</svg>")
    return Markup("".join(parts))


# ---------------------------------------------------------------- line chart


def line_chart(
    labels: Sequence[str],
    series: dict[str, Sequence[float | Decimal | None]],
    *,
    title: str = "Line chart",
    width: int = 760,
    height: int = 260,
    percent: bool = False,
    colors: dict[str, str] | None = None,
) -> Markup:
    """One line per series over shared x labels; ``None`` leaves a gap in the line."""
    for name, points in series.items():
        if len(points) != len(labels):
            raise ValueError(f"series {name!r} has {len(points)} points for {len(labels)} labels")
    present = [float(v) for points in series.values() for v in points if v is not None]
    if not labels or not present:
        return _empty(width, height, title)
    fmt_value = percent_text if percent else (lambda v: f"{v:,.2f}")
    lo, hi = min(present), max(present)
    frame = _Frame(
        width, height, nice_ticks(lo, hi) if percent or lo < 0 else nice_ticks(0.0, hi), top=30
    )
    fmt_axis = _percent_axis(frame.ticks) if percent else short_number
    n = len(labels)
    step = frame.plot_w / max(n - 1, 1)

    def x_at(i: int) -> float:
        return frame.left + (i * step if n > 1 else frame.plot_w / 2)

    parts = [_open(width, height, title, "line-chart"), *frame.grid(fmt_axis)]
    every = _label_every(n, frame.plot_w)
    for i, label in enumerate(labels):
        if i % every == 0:
            parts.append(frame.x_label(x_at(i), label))
    legend_x = float(frame.left)
    for k, (name, points) in enumerate(series.items()):
        color = (colors or {}).get(name, PALETTE[k % len(PALETTE)])
        parts.append(_series(frame, x_at, name, points, labels, color, fmt_value))
        parts.append(
            f'<rect x="{legend_x:.0f}" y="8" width="10" height="10" rx="2" fill="{color}"/>'
            f'<text x="{legend_x + 14:.0f}" y="17">{escape(name)}</text>'
        )
        legend_x += 24 + 7 * len(name)
    parts.append("</svg>")
    return Markup("".join(parts))


def _percent_axis(ticks: list[float]) -> Callable[[float], str]:
    """Per cent labels with as many decimals as the ticks' step needs (up to two), so that
    a narrow range (93.0 % to 94.2 %) does not read 93 %, 93 %, 94 % …"""
    step = Decimal(f"{abs(ticks[1] - ticks[0]) * 100:.10g}") if len(ticks) > 1 else Decimal(1)
    exponent = step.normalize().as_tuple().exponent  # 2.5 -> -1, 0.25 -> -2, 5 -> 0
    decimals = min(2, max(0, -exponent)) if isinstance(exponent, int) else 0
    return lambda v: f"{v * 100:.{decimals}f} %"


def _series(
    frame: _Frame,
    x_at: Callable[[int], float],
    name: str,
    points: Sequence[float | Decimal | None],
    labels: Sequence[str],
    color: str,
    fmt_value: Callable[[float], str],
) -> str:
    """One series: a polyline per unbroken run, and a dot with its tooltip per point."""
    out = [f'<g class="series" data-series="{escape(name)}">']
    for run in _runs(points):
        if len(run) > 1:
            coords = " ".join(f"{x_at(i):.1f},{frame.y(v):.1f}" for i, v in run)
            out.append(
                f'<polyline fill="none" stroke="{color}" stroke-width="2" '
                f'stroke-linejoin="round" points="{coords}"/>'
            )
    for i, v in enumerate(points):
        if v is None:
            continue
        text = f"{name} {labels[i]}: {fmt_value(float(v))}"
        out.append(
            f'<circle cx="{x_at(i):.1f}" cy="{frame.y(float(v)):.1f}" r="3" '
            f'fill="{color}"><title>{escape(text)}</title></circle>'
        )
    out.append("</g>")
    return "".join(out)


def _runs(points: Sequence[float | Decimal | None]) -> list[list[tuple[int, float]]]:
    """The unbroken runs of a series as (position, value): ``None`` ends a run."""
    runs: list[list[tuple[int, float]]] = []
    run: list[tuple[int, float]] = []
    for i, v in enumerate(points):
        if v is None:
            if run:
                runs.append(run)
            run = []
        else:
            run.append((i, float(v)))
    if run:
        runs.append(run)
    return runs
