"""The (x, t_x, T) summary of a client, its unit conversions and the distinct triples.

Also the reader of the CDNOW 1/10 sample (tests/data/cdnow_sample.txt) that the other
clients-model tests import: raw transactions, a purchase being a distinct day.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.clients.summary import UNIT_DAYS, UNITS, Summary, summarise, to_unit, triples

CDNOW = Path(__file__).parent / "data" / "cdnow_sample.txt"
START = date(1997, 1, 1)
CALIBRATION_END = date(1997, 9, 30)  # 39 weeks
HOLDOUT_END = date(1998, 6, 30)  # 39 weeks more
FloatArray = npt.NDArray[np.float64]


@functools.cache
def cdnow_purchases() -> dict[str, dict[date, float]]:
    """customer -> {purchase day: dollars spent that day} from the raw sample."""
    purchases: dict[str, dict[date, float]] = defaultdict(lambda: defaultdict(float))
    for line in CDNOW.read_text().splitlines():
        customer, _master, day, _cds, dollars = line.split()
        when = date(int(day[:4]), int(day[4:6]), int(day[6:]))
        purchases[customer][when] += float(dollars)
    return {customer: dict(days) for customer, days in purchases.items()}


@functools.cache
def cdnow_summary(
    end: date = CALIBRATION_END, unit: str = "week"
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """x, t_x, T of every customer first seen by ``end``, built with ``summarise``."""
    rows = []
    for days in cdnow_purchases().values():
        seen = sorted(d for d in days if d <= end)
        if seen:
            rows.append(summarise(seen[0], seen[-1], len(seen), end, unit))
    return (
        np.array([s.x for s in rows], dtype=np.float64),
        np.array([s.t_x for s in rows]),
        np.array([s.t for s in rows]),
    )


def test_summary_counts_repeat_purchases_and_converts_days_without_rounding() -> None:
    first, last, end = date(2024, 1, 1), date(2024, 1, 11), date(2024, 3, 1)
    assert summarise(first, last, 3, end, "day") == Summary(x=2, t_x=10.0, t=60.0)
    weekly = summarise(first, last, 3, end, "week")
    assert weekly.t_x == pytest.approx(10 / 7) and weekly.t == pytest.approx(60 / 7)
    monthly = summarise(first, last, 3, end, "month")
    assert monthly.t == pytest.approx(60 / 30.4375)
    assert summarise(first, first, 1, first, "week") == Summary(x=0, t_x=0.0, t=0.0)
    assert UNITS == ("day", "week", "month")


@pytest.mark.parametrize(
    ("first", "last", "days", "end", "unit", "problem"),
    [
        (date(2024, 1, 1), date(2024, 1, 2), 2, date(2024, 2, 1), "fortnight", "unknown unit"),
        (date(2024, 1, 5), date(2024, 1, 2), 2, date(2024, 2, 1), "week", "before the first"),
        (date(2024, 1, 1), date(2024, 3, 2), 2, date(2024, 2, 1), "week", "calibration end"),
        (date(2024, 1, 1), date(2024, 1, 3), 4, date(2024, 2, 1), "week", "do not fit"),
        (date(2024, 1, 1), date(2024, 1, 3), 1, date(2024, 2, 1), "week", "one purchase day"),
        (date(2024, 1, 1), date(2024, 1, 1), 0, date(2024, 2, 1), "week", "do not fit"),
    ],
)
def test_impossible_histories_are_refused(
    first: date, last: date, days: int, end: date, unit: str, problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        summarise(first, last, days, end, unit)


@settings(max_examples=50, deadline=None)
@given(
    offset=st.integers(0, 2000),
    span=st.integers(0, 800),
    tail=st.integers(0, 800),
    extra=st.integers(0, 30),
)
def test_units_are_the_days_divided(offset: int, span: int, tail: int, extra: int) -> None:
    first = date(2015, 1, 1) + timedelta(days=offset)
    last, end = first + timedelta(days=span), first + timedelta(days=span + tail)
    days = 1 if span == 0 else min(span + 1, 2 + extra)
    by_day = summarise(first, last, days, end, "day")
    for unit in UNITS:
        s = summarise(first, last, days, end, unit)
        assert s.x == by_day.x == days - 1
        assert s.t_x == pytest.approx(by_day.t_x / UNIT_DAYS[unit])
        assert s.t == pytest.approx(by_day.t / UNIT_DAYS[unit])
        assert 0 <= s.t_x <= s.t
    np.testing.assert_allclose(to_unit([span, span + tail], "month"), [s.t_x, s.t])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 5), st.integers(5, 7)), max_size=60))
def test_triples_are_distinct_and_weigh_the_clients(rows: list[tuple[int, int, int]]) -> None:
    x, t_x, t = (np.array([row[i] for row in rows], dtype=np.float64) for i in range(3))
    tx_, ttx, tt, weights = triples(x, t_x, t)
    assert weights.sum() == len(rows)
    distinct = list(zip(tx_, ttx, tt, strict=True))
    assert len(distinct) == len(set(distinct))
    for triple, weight in zip(distinct, weights, strict=True):
        assert rows.count(tuple(int(v) for v in triple)) == weight  # type: ignore[arg-type]


def test_triples_refuse_arrays_of_different_lengths() -> None:
    with pytest.raises(ValueError, match="same length"):
        triples([0, 1], [0.0], [1.0, 2.0])


def test_cdnow_summary_from_the_raw_transactions() -> None:
    x, t_x, t = cdnow_summary()
    assert len(x) == 2357  # the 1/10 sample: first purchases in the first 12 weeks of 1997
    assert x.sum() == 2457  # repeat purchases (distinct days) in the 39 calibration weeks
    assert (t_x <= t).all() and (x >= 0).all()
    # T in weeks is whole days / 7, not rounded: the calibration end is 1997-09-30
    np.testing.assert_allclose(np.round(t * 7), t * 7, atol=1e-9)
    assert t.max() == pytest.approx(272 / 7) and t.min() == pytest.approx((272 - 83) / 7)
    assert triples(x, t_x, t)[3].sum() == 2357
