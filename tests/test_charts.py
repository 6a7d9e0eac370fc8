"""Server-side SVG charts: scales, structure, accessibility, escaping."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from accord.web.charts import bar_chart, line_chart, nice_ticks, short_number

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: Markup) -> ET.Element:
    return ET.fromstring(str(svg))


def attr(element: ET.Element, name: str) -> str:
    """An attribute the chart must draw (a missing one fails here rather than in float())."""
    value = element.get(name)
    assert value is not None, f"no {name} on {element.tag}"
    return value


def title_of(element: ET.Element) -> str | None:
    title = element.find(f"{SVG}title")
    assert title is not None, f"no title in {element.tag}"
    return title.text


finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)


@given(finite, finite)
def test_ticks_cover_the_range_with_even_round_steps(a, b):
    ticks = nice_ticks(a, b)
    step = ticks[1] - ticks[0]
    assert step > 0
    assert ticks[0] <= min(a, b) + 1e-6 * step  # invisible float slack only
    assert ticks[-1] >= max(a, b) - 1e-6 * step
    assert 2 <= len(ticks) <= 12
    for x, y in zip(ticks, ticks[1:], strict=False):
        assert y - x == pytest.approx(step, rel=1e-6)


@pytest.mark.parametrize("a,b", [(0, 5e-324), (1e9, 1e9 + 1e-7), (5e-324, 5e-324), (-1e-310, 0)])
def test_ticks_of_ranges_too_small_to_divide_still_make_an_axis(a, b):
    ticks = nice_ticks(a, b)  # found by hypothesis: an underflow and a single tick
    assert len(ticks) >= 2 and ticks[0] <= min(a, b) and ticks[-1] >= max(a, b)


def test_ticks_of_a_typical_revenue_range_are_round():
    assert nice_ticks(0, 9_300) == [0, 2_000, 4_000, 6_000, 8_000, 10_000]
    assert nice_ticks(0, 0) == [0.0, 1.0]


@pytest.mark.parametrize(
    "value,text",
    [
        (0, "0"),
        (950, "950"),
        (2500, "2.5k"),
        (1_200_000, "1.2M"),
        (-3_000, "-3k"),
        (12.5, "12.5"),
        (2e9, "2B"),
    ],
)
def test_short_numbers_for_axis_labels(value, text):
    assert short_number(value) == text


def test_a_bar_chart_has_one_bar_per_month_with_a_tooltip_and_accessible_label():
    labels = ["2025-01", "2025-02", "2025-03"]
    svg = bar_chart(
        labels, [Decimal("1200.00"), Decimal("0.00"), Decimal("950.55")], title="Monthly revenue"
    )
    assert isinstance(svg, Markup)
    root = parse(svg)
    assert root.get("role") == "img" and root.get("aria-label") == "Monthly revenue"
    bars = [r for r in root.iter(f"{SVG}rect") if "bar" in (r.get("class") or "")]
    assert len(bars) == 3
    assert [title_of(b) for b in bars] == [
        "2025-01: 1,200.00",
        "2025-02: 0.00",
        "2025-03: 950.55",
    ]
    heights = [float(attr(b, "height")) for b in bars]
    assert heights[0] > heights[2] > heights[1] == 0
    assert any(t.text == "2025-02" for t in root.iter(f"{SVG}text"))
    assert len([line for line in root.iter(f"{SVG}line") if line.get("class") == "grid"]) >= 2


def test_negative_months_hang_below_the_zero_line():
    root = parse(bar_chart(["a", "b"], [Decimal("100"), Decimal("-50")]))
    pos, neg = [r for r in root.iter(f"{SVG}rect") if "bar" in (r.get("class") or "")]
    assert "negative" in attr(neg, "class")
    assert float(attr(neg, "y")) == pytest.approx(
        float(attr(pos, "y")) + float(attr(pos, "height")), abs=0.2
    )


def test_thirty_six_months_thin_out_the_axis_labels_and_drop_value_labels():
    labels = [f"20{23 + i // 12}-{i % 12 + 1:02d}" for i in range(36)]
    root = parse(bar_chart(labels, [Decimal(i * 100) for i in range(36)]))
    axis = [t for t in root.iter(f"{SVG}text") if t.text in labels]
    assert 6 <= len(axis) < 36
    assert not [t for t in root.iter(f"{SVG}text") if t.get("class") == "value-label"]


def test_a_few_bars_carry_value_labels():
    root = parse(bar_chart(["a", "b"], [Decimal("2500"), Decimal("10")]))
    assert [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "value-label"] == [
        "2.5k",
        "10",
    ]


def test_labels_and_titles_are_escaped():
    svg = str(bar_chart(["<script>"], [Decimal(1)], title='Acme "&" <Co>'))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    parse(Markup(svg))


def test_empty_data_says_so():
    assert "No data" in bar_chart([], [])
    assert "No data" in line_chart(["a"], {"NRR": [None]})


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError):
        bar_chart(["a"], [])
    with pytest.raises(ValueError):
        line_chart(["a", "b"], {"x": [1.0]})


def test_a_line_chart_breaks_at_missing_points_and_has_a_legend():
    svg = line_chart(
        ["m1", "m2", "m3", "m4", "m5"],
        {"NRR": [1.02, 0.98, None, 1.1, 1.05], "GRR": [0.9, 0.91, 0.92, 0.93, 0.94]},
        title="Retention",
        percent=True,
    )
    root = parse(svg)
    assert root.get("aria-label") == "Retention"
    groups = {g.get("data-series"): g for g in root.iter(f"{SVG}g")}
    assert len(list(groups["NRR"].iter(f"{SVG}polyline"))) == 2  # broken at the gap
    assert len(list(groups["GRR"].iter(f"{SVG}polyline"))) == 1
    assert len(list(groups["NRR"].iter(f"{SVG}circle"))) == 4
    tips = [title_of(c) for c in groups["GRR"].iter(f"{SVG}circle")]
    assert tips[0] == "GRR m1: 90.0 %"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "NRR" in texts and "GRR" in texts
    assert any(re.fullmatch(r"\d+ %", t or "") for t in texts)


def test_higher_values_are_drawn_higher():
    root = parse(line_chart(["a", "b"], {"s": [1.0, 3.0]}))
    ys = [float(attr(c, "cy")) for c in root.iter(f"{SVG}circle")]
    assert ys[0] > ys[1]


def test_a_narrow_percent_axis_keeps_its_labels_apart() -> None:
    """93.0 % to 94.2 % reads 93.0 %, 93.2 % … not 93 %, 93 %, 94 %: the per cent labels
    carry the decimals the ticks' step needs."""
    svg = str(line_chart(["a", "b", "c"], {"GRR": [0.931, 0.938, 0.941]}, percent=True))
    labels = re.findall(r'text-anchor="end">([^<]*%)</text>', svg)
    assert len(labels) >= 3 and len(set(labels)) == len(labels), labels


def test_x_labels_stay_inside_a_narrow_chart() -> None:
    svg = str(line_chart(["2026-07", "2026-08", "2026-09"], {"R": [1, 2, 3]}, width=200))
    xs = [(float(x), anchor, len(text)) for x, anchor, text in re.findall(
        r'<text x="([\d.]+)" y="[\d.]+" text-anchor="(\w+)">(2026-\d\d)</text>', svg)]
    assert xs and all(
        (x - 3.3 * n >= 0 and x + 3.3 * n <= 200) if a == "middle"
        else (x - 6.6 * n >= 0 if a == "end" else x + 6.6 * n <= 200) for x, a, n in xs), xs


@pytest.mark.parametrize(("values", "expected"), [
    ([0.931, 0.938, 0.941], None),
    ([0.80, 0.86, 0.92], "82.5 %"),  # a step of 2.5 %: its half-steps are not rounded away
])
def test_percent_axis_labels_show_the_ticks_exact_values(values, expected) -> None:
    svg = str(line_chart(["a", "b", "c"], {"R": values}, percent=True))
    labels = re.findall(r'text-anchor="end">([^<]*%)</text>', svg)
    assert len(set(labels)) == len(labels), labels
    if expected:
        assert expected in labels, labels
