"""My day's pure rules: the calendar's month and week grids (whole weeks from Monday, the
month inside, prev/next), across the year end and a daylight-saving change."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accord.calendar.myday import rules
from accord.core.errors import ValidationFailed

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2200, 12, 31))


@given(days, st.sampled_from(rules.VIEWS))
def test_a_grid_is_whole_weeks_holding_the_day(day: date, view: str) -> None:
    grid = rules.grid(view, day)
    shown = grid.days()
    assert grid.start.weekday() == 0 and grid.end.weekday() == 6
    assert len(shown) % 7 == 0 and all(len(w) == 7 for w in grid.weeks())
    assert shown == [grid.start + timedelta(days=i) for i in range(len(shown))]
    assert day in shown
    if view == "month":
        assert 4 <= len(grid.weeks()) <= 6
        month = [d for d in shown if grid.in_month(d)]
        assert month[0] == date(day.year, day.month, 1)
        assert (month[-1] + timedelta(days=1)).day == 1
        assert grid.prev_day < grid.day < grid.next_day and grid.next_day.day == 1
    else:
        assert len(shown) == 7 and grid.next_day - grid.prev_day == timedelta(days=14)


@given(days, st.sampled_from(rules.VIEWS))
def test_next_then_previous_comes_back(day: date, view: str) -> None:
    grid = rules.grid(view, day)
    back = rules.grid(view, rules.grid(view, grid.next_day).prev_day)
    assert (back.start, back.end) == (grid.start, grid.end)


def test_the_year_end_week_and_month() -> None:
    week = rules.grid("week", date(2026, 12, 31))
    assert (week.start, week.end) == (date(2026, 12, 28), date(2027, 1, 3))
    assert week.next_day == date(2027, 1, 7) and "Week 53" in week.title()
    december = rules.grid("month", date(2026, 12, 15))
    assert december.end == date(2027, 1, 3) and not december.in_month(date(2027, 1, 1))
    assert december.next_day == date(2027, 1, 1) and december.title() == "December 2026"
    january = rules.grid("month", date(2027, 1, 1))
    assert january.prev_day == date(2026, 12, 1) and january.start == date(2026, 12, 28)


def test_a_daylight_saving_week_has_seven_days_and_keeps_wall_times() -> None:
    week = rules.grid("week", date(2026, 3, 29))  # Europe/Berlin springs forward that Sunday
    assert len(week.days()) == 7 and week.end == date(2026, 3, 29)
    berlin = rules.zone("Europe/Berlin")
    before = datetime(2026, 3, 28, 8, 0, tzinfo=UTC)
    after = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
    assert rules.local(before, berlin).strftime("%H:%M") == "09:00"
    assert rules.local(after, berlin).strftime("%H:%M") == "10:00"
    late = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)  # already Sunday in Berlin
    assert rules.local_day(late, berlin) == date(2026, 3, 29)
    assert rules.zone("Not/AZone").key == "UTC" and rules.zone(None).key == "UTC"


def test_this_week_and_the_snooze_days() -> None:
    assert rules.week_of(date(2026, 3, 18)) == (date(2026, 3, 16), date(2026, 3, 22))
    assert rules.snooze_days(date(2026, 3, 22)) == [("Snooze to tomorrow", date(2026, 3, 23)),
                                                   ("Snooze to next week", date(2026, 3, 23))]


@pytest.mark.parametrize("text", ["2026-13-01", "nope", "0001-01-01", "9999-12-31"])
def test_a_bad_date_is_refused_on_its_field(text: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        rules.parse_day(text)
    assert caught.value.errors[0]["field"] == "date"
