"""The working-day calendar's rules (accord.core.workdays): adding and counting working days,
held against a naive day-by-day reference by hypothesis, and the stored policy's checks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.core.errors import ValidationFailed
from accord.core.workdays import (
    DEFAULT_CALENDAR,
    MAX_DAYS,
    MAX_HOLIDAYS,
    WorkCalendar,
    WorkCalendarPolicy,
    add_working_days,
    count_working_days,
    is_working_day,
)

DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2150, 12, 31))


@st.composite
def calendars(draw: st.DrawFn) -> WorkCalendar:
    weekdays = draw(st.frozensets(st.integers(0, 6), min_size=1))
    base = draw(DAYS)
    holidays = draw(
        st.frozensets(st.integers(-400, 400).map(lambda n: base + timedelta(days=n)), max_size=60)
    )
    return WorkCalendar(weekdays, holidays)


def naive_count(cal: WorkCalendar, start: date, end: date) -> int:
    n, day = 0, start + timedelta(days=1)
    while day <= end:
        n += is_working_day(cal, day)
        day += timedelta(days=1)
    return n


def naive_add(cal: WorkCalendar, start: date, days: int) -> date:
    day = start
    while days:
        day += timedelta(days=1)
        if is_working_day(cal, day):
            days -= 1
    return day


@settings(max_examples=300)
@given(calendars(), DAYS, st.integers(0, 900))
def test_counting_agrees_with_walking_day_by_day(cal: WorkCalendar, start: date, span: int) -> None:
    end = start + timedelta(days=span)
    assert count_working_days(cal, start, end) == naive_count(cal, start, end)


@settings(max_examples=300)
@given(calendars(), DAYS, st.integers(0, 400))
def test_adding_agrees_with_walking_day_by_day(cal: WorkCalendar, start: date, days: int) -> None:
    assert add_working_days(cal, start, days) == naive_add(cal, start, days)


@given(calendars(), DAYS, st.integers(0, MAX_DAYS))
def test_add_then_count_round_trips(cal: WorkCalendar, start: date, days: int) -> None:
    due = add_working_days(cal, start, days)
    assert count_working_days(cal, start, due) == days
    if days:  # and it is the first date that far: one day earlier is one working day short
        assert count_working_days(cal, start, due - timedelta(days=1)) == days - 1


@given(calendars(), DAYS, st.integers(1, MAX_DAYS))
def test_a_deadline_is_a_working_day(cal: WorkCalendar, start: date, days: int) -> None:
    assert is_working_day(cal, add_working_days(cal, start, days))


@given(calendars(), DAYS, st.integers(0, 2000), st.integers(0, 2000))
def test_more_days_never_end_earlier(cal: WorkCalendar, start: date, a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert add_working_days(cal, start, low) <= add_working_days(cal, start, high)
    end_low = start + timedelta(days=low)
    end_high = start + timedelta(days=high)
    assert count_working_days(cal, start, end_low) <= count_working_days(cal, start, end_high)


@given(calendars(), DAYS, DAYS)
def test_counting_backwards_is_zero_and_spans_add_up(cal: WorkCalendar, a: date, b: date) -> None:
    start, end = sorted((a, b))
    assert count_working_days(cal, end, start) == 0
    middle = start + (end - start) / 2
    assert count_working_days(cal, start, end) == count_working_days(
        cal, start, middle
    ) + count_working_days(cal, middle, end)


def test_the_default_calendar_is_monday_to_friday() -> None:
    friday = date(2026, 12, 4)
    assert not is_working_day(DEFAULT_CALENDAR, friday + timedelta(days=1))
    assert add_working_days(DEFAULT_CALENDAR, friday, 0) == friday
    assert add_working_days(DEFAULT_CALENDAR, friday, 1) == date(2026, 12, 7)
    assert add_working_days(DEFAULT_CALENDAR, friday, 10) == date(2026, 12, 18)
    assert count_working_days(DEFAULT_CALENDAR, friday, date(2026, 12, 18)) == 10


def test_holidays_push_a_deadline() -> None:
    cal = WorkCalendar(holidays=frozenset({date(2026, 12, 25), date(2027, 1, 1)}))
    assert add_working_days(cal, date(2026, 12, 18), 10) == date(2027, 1, 5)
    # a holiday on a weekend costs nothing
    weekend = WorkCalendar(holidays=frozenset({date(2026, 12, 26)}))
    assert add_working_days(weekend, date(2026, 12, 18), 10) == date(2027, 1, 1)


@pytest.mark.parametrize("days", [-1, MAX_DAYS + 1, True, 1.5])
def test_days_are_bounded(days: object) -> None:
    with pytest.raises(ValueError, match="days"):
        add_working_days(DEFAULT_CALENDAR, date(2026, 1, 1), days)  # type: ignore[arg-type]


def test_the_end_of_time_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="last date"):
        add_working_days(DEFAULT_CALENDAR, date(9999, 12, 1), 100)


@pytest.mark.parametrize("weekdays", [frozenset(), frozenset({7}), frozenset({-1, 2})])
def test_a_calendar_needs_real_working_weekdays(weekdays: frozenset[int]) -> None:
    with pytest.raises(ValueError, match="weekday"):
        WorkCalendar(weekdays)


# ---------------------------------------------------------------- the policy


def test_the_policy_defaults_and_normalises() -> None:
    assert WorkCalendarPolicy().calendar() == DEFAULT_CALENDAR
    policy = WorkCalendarPolicy.from_dict({
        "working_weekdays": [4, 0, 1],
        "holidays": [
            {"on": "2026-12-26", "name": " Boxing Day "},
            {"on": "2026-12-25", "name": "Christmas Day"},
        ],
    }).normalised()
    assert policy.to_dict() == {
        "working_weekdays": [0, 1, 4],
        "holidays": [
            {"on": "2026-12-25", "name": "Christmas Day"},
            {"on": "2026-12-26", "name": "Boxing Day"},
        ],
    }
    assert policy.calendar().weekdays == frozenset({0, 1, 4})


def _problems(document: dict[str, object]) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        WorkCalendarPolicy.from_dict(document)
    return {p.field: p.message for p in caught.value.problems}


@pytest.mark.parametrize(
    ("document", "field", "message"),
    [
        ({"working_weekdays": []}, "working_weekdays", "at least one working weekday"),
        ({"working_weekdays": [1, 1]}, "working_weekdays", "each weekday once"),
        ({"working_weekdays": [7]}, "working_weekdays.0", "less than or equal to 6"),
        ({"working_weekdays": ["1"]}, "working_weekdays.0", "integer"),
        ({"holidays": [{"on": "2026-12-25", "name": ""}]}, "holidays.0.name", "at least 1"),
        ({"holidays": [{"on": "2026-12-25", "name": "x" * 121}]}, "holidays.0.name", "120"),
        ({"holidays": [{"on": "2026-12-25", "name": "a\x07b"}]}, "holidays.0.name", "control"),
        ({"holidays": [{"on": "2026-12-25", "name": "a\nb"}]}, "holidays.0.name", "one line"),
        ({"holidays": [{"on": "2026-13-25", "name": "x"}]}, "holidays.0.on", "date"),
        ({"holidays": [{"on": "1800-12-25", "name": "x"}]}, "holidays.0.on", "1900"),
        ({"holidays": [{"on": "2026-12-25"}]}, "holidays.0.name", "required"),
        ({"holidays": [{"on": "2026-12-25", "name": "x", "extra": 1}]}, "holidays.0.extra",
         "not"),
        ({"weekends": [5]}, "weekends", "not a calendar setting"),
    ],
)
def test_bad_policies_name_the_field(document: dict[str, object], field: str, message: str) -> None:
    found = _problems(document)
    assert field in found, found
    assert message in found[field]


def test_one_holiday_per_date_and_a_cap() -> None:
    twice = [{"on": "2026-12-25", "name": "a"}, {"on": "2026-12-25", "name": "b"}]
    assert "listed twice" in _problems({"holidays": twice})["holidays.1.on"]
    start = date(2000, 1, 1)
    many = [
        {"on": (start + timedelta(days=i)).isoformat(), "name": "x"}
        for i in range(MAX_HOLIDAYS + 1)
    ]
    assert "holidays" in _problems({"holidays": many})
