"""Checking a scoring against the current criteria (the pure rule behind every door)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from accord.selection import rules, scoring

TODAY = date(2026, 3, 18)


@dataclass(frozen=True)
class Criterion:
    id: int
    name: str
    weight: int


@dataclass(frozen=True)
class Attr:
    criterion_id: int
    score: Any


@dataclass(frozen=True)
class Buying:
    criterion_id: int
    us: Any
    competitor: Any


ATTR = [Criterion(1, "Size", 60), Criterion(2, "Growth", 40)]
BUY = [Criterion(11, "Price", 70), Criterion(12, "Service", 30)]


def check(
    attractiveness: list[Attr], buying: list[Buying], scored_on: date = TODAY
) -> scoring.CheckedScoring:
    return scoring.check_scoring(scored_on, TODAY, attractiveness, buying, ATTR, BUY)


def valid_attr() -> list[Attr]:
    return [Attr(1, "7"), Attr(2, Decimal("4.5"))]


def valid_buying() -> list[Buying]:
    return [Buying(11, "6", "5"), Buying(12, "8", "9")]


def test_a_complete_scoring_gives_its_tenths_and_weighted_sums() -> None:
    checked = check(valid_attr(), valid_buying())
    assert checked.problems == []
    assert checked.attractiveness == {1: {"score": 70}, 2: {"score": 45}}
    assert checked.buying == {11: {"us": 60, "competitor": 50}, 12: {"us": 80, "competitor": 90}}
    assert checked.attractiveness_milli == 60 * 70 + 40 * 45  # 6.0 in thousandths
    assert (checked.us, checked.them) == (70 * 60 + 30 * 80, 70 * 50 + 30 * 90)


def test_a_scoring_dated_in_the_future_is_refused_with_the_entries_problems() -> None:
    checked = check([Attr(1, "7")], valid_buying(), scored_on=TODAY + timedelta(days=1))
    assert checked.problems == [
        ("scored_on", "a scoring cannot be dated in the future"),
        ("attractiveness", "every criterion needs a score; missing: Growth"),
    ]


def test_unknown_twice_and_bad_scores_are_named_by_their_entry() -> None:
    checked = check(
        [Attr(1, "7"), Attr(99, "5"), Attr(1, "6"), Attr(2, "10.5")],
        [Buying(11, "6", "1.25"), Buying(12, "x", "9")],
    )
    assert [f for f, _ in checked.problems] == [
        "attractiveness.1.criterion_id",
        "attractiveness.2.criterion_id",
        "attractiveness.3.score",
        "buying.0.competitor",
        "buying.1.us",
    ]
    assert checked.problems[0][1] == "99 is not a current attractiveness criterion"
    assert checked.problems[1][1] == "scored twice"
    assert checked.attractiveness_milli == 0  # nothing computed with problems


def test_a_buying_criterion_left_out_is_named() -> None:
    checked = check(valid_attr(), [Buying(12, "8", "9")])
    assert checked.problems == [("buying", "every criterion needs a score; missing: Price")]


def test_a_competitor_scoring_zero_everywhere_is_refused_alone() -> None:
    checked = check(valid_attr(), [Buying(11, "6", "0"), Buying(12, "8", "0")])
    assert checked.problems == [("buying", scoring.NO_COMPETITOR)]


@given(
    st.lists(st.integers(min_value=0, max_value=100), min_size=2, max_size=2),
    st.lists(st.integers(min_value=0, max_value=100), min_size=4, max_size=4),
)
def test_the_weighted_sums_are_those_of_the_rules(attr: list[int], buy: list[int]) -> None:
    tenths = [str(Decimal(t) / 10) for t in attr + buy]
    checked = check(
        [Attr(1, tenths[0]), Attr(2, tenths[1])],
        [Buying(11, tenths[2], tenths[3]), Buying(12, tenths[4], tenths[5])],
    )
    them = rules.weighted([70, 30], [buy[1], buy[3]])
    if them == 0:
        assert checked.problems == [("buying", scoring.NO_COMPETITOR)]
        return
    assert checked.problems == []
    assert checked.attractiveness_milli == rules.weighted([60, 40], attr)
    assert (checked.us, checked.them) == (rules.weighted([70, 30], [buy[0], buy[2]]), them)
