"""Targets' pure rules: periods, bounds, attainment, elapsed share, status (no database)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accord.plans.targets import rules
from accord.plans.targets.rules import Metric, Status


@pytest.mark.parametrize(("text", "start", "end"), [
    ("2027-01", date(2027, 1, 1), date(2027, 1, 31)),
    ("2028-02", date(2028, 2, 1), date(2028, 2, 29)),
    ("2027-Q1", date(2027, 1, 1), date(2027, 3, 31)),
    ("2027-q4", date(2027, 10, 1), date(2027, 12, 31)),
    (" 2027 ", date(2027, 1, 1), date(2027, 12, 31)),
])
def test_periods_parse_to_their_first_and_last_day(text: str, start: date, end: date) -> None:
    assert rules.parse_period(text) == (start, end)
    assert rules.parse_period(rules.period_label(start, end)) == (start, end)


@pytest.mark.parametrize("text", ["", None, "2027-13", "2027-00", "2027-Q5", "2027-Q0", "27",
                                  "2027-1", "1999", "2101-01", "Q1-2027", "2027-H1", "2027-01-01"])
def test_text_that_names_no_period_is_refused(text: str | None) -> None:
    with pytest.raises(rules.PeriodError):
        rules.parse_period(text)


@given(st.integers(rules.FIRST_YEAR, rules.LAST_YEAR), st.sampled_from(["m", "q", "y"]),
       st.integers(1, 12))
def test_every_period_covers_whole_months_and_reads_back(year: int, kind: str, n: int) -> None:
    text = {"m": f"{year}-{n:02d}", "q": f"{year}-Q{(n + 2) // 3}", "y": f"{year}"}[kind]
    start, end = rules.parse_period(text)
    assert start.day == 1 and (end + timedelta(days=1)).day == 1 and start <= end
    assert rules.period_label(start, end) == text.upper().replace("Q", "Q")


def test_metrics_and_targets_are_bounded() -> None:
    with pytest.raises(ValueError, match="choose a metric"):
        rules.parse_metric(None)
    with pytest.raises(ValueError, match="one of book_revenue"):
        rules.parse_metric("profit")
    assert rules.parse_target(Metric.BOOK_REVENUE, "1,250,000.50") == Decimal("1250000.50")
    assert rules.parse_target(Metric.BOOK_NRR, "1.05") == Decimal("1.0500")
    assert rules.parse_target(Metric.NEW_KEY_ACCOUNTS, 3) == Decimal(3)
    for metric, raw, message in [
        (Metric.BOOK_REVENUE, "-1", "more than 0"),
        (Metric.BOOK_REVENUE, "0", "more than 0"),
        (Metric.BOOK_REVENUE, "1e15", "at most"),
        (Metric.BOOK_REVENUE, "Infinity", "finite"),
        (Metric.BOOK_REVENUE, "NaN", "finite"),
        (Metric.BOOK_REVENUE, "10.001", "2 decimals"),
        (Metric.BOOK_NRR, "11", "at most 10"),
        (Metric.NEW_KEY_ACCOUNTS, "2.5", "whole number"),
        (Metric.PLANS_COMPLETE, "10001", "at most"),
        (Metric.PLANS_COMPLETE, "", "give a target"),
        (Metric.PLANS_COMPLETE, None, "give a target"),
        (Metric.PLANS_COMPLETE, "ten", "must be a number"),
        (Metric.PLANS_COMPLETE, True, "must be a number"),
    ]:
        with pytest.raises(rules.TargetError, match=message):
            rules.parse_target(metric, raw)


@given(st.decimals(min_value=0, max_value=10**9, places=2),
       st.decimals(min_value=Decimal("0.01"), max_value=10**9, places=2))
def test_attainment_is_actual_over_target(actual: Decimal, target: Decimal) -> None:
    reached = rules.attainment(actual, target)
    assert reached is not None
    assert abs(reached - actual / target) <= Decimal("0.00005")
    assert rules.attainment(None, target) is None


@given(st.dates(date(2000, 1, 1), date(2100, 12, 31)), st.integers(0, 400), st.integers(-50, 500))
def test_the_elapsed_share_grows_from_0_to_1(start: date, length: int, offset: int) -> None:
    end = start + timedelta(days=length)
    day = start + timedelta(days=offset)
    share = rules.elapsed_share(start, end, day)
    assert Decimal(0) <= share <= Decimal(1)
    assert share <= rules.elapsed_share(start, end, day + timedelta(days=1))
    if day >= end:
        assert share == 1
    if day < start:
        assert share == 0


def test_status_follows_the_elapsed_share_for_sums_and_the_target_for_levels() -> None:
    start, end = rules.parse_period("2027-Q1")
    mid = date(2027, 2, 14)  # 45 of 90 days: half the quarter
    assert rules.elapsed_share(start, end, mid) == Decimal("0.5")
    revenue = Metric.BOOK_REVENUE
    assert rules.status(revenue, Decimal(50), Decimal(100), start, end, mid) is Status.ON_TRACK
    assert rules.status(revenue, Decimal(49), Decimal(100), start, end, mid) is Status.BEHIND
    assert rules.status(revenue, Decimal(99), Decimal(100), start, end, end) is Status.BEHIND
    nrr = Metric.BOOK_NRR
    assert rules.status(nrr, Decimal("1.04"), Decimal("1.05"), start, end, mid) is Status.BEHIND
    assert rules.status(nrr, Decimal("1.05"), Decimal("1.05"), start, end, mid) is Status.ON_TRACK
    assert rules.status(nrr, None, Decimal("1.05"), start, end, mid) is None
