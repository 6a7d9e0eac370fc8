"""Follow-ups as pure rules (``accord.calendar.followups.rules``): the moves table, the effective
due date, overdue and "due today" (dates, not instants), due instants across the daylight-saving
changes (a time the clocks skip is refused, one they pass twice is its first occurrence), the
snooze and the bounds; property tests over many dates, times and zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.calendar.followups import rules
from accord.users.rules import time_zone_problem

ZONES = ("UTC", "Europe/London", "Europe/Berlin", "America/New_York", "Australia/Sydney",
         "Asia/Kolkata", "America/Sao_Paulo", "Pacific/Auckland", "Asia/Tehran")
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
times = st.times().map(lambda t: t.replace(second=0, microsecond=0))
states = st.sampled_from(rules.STATES)


def test_the_moves_table() -> None:
    assert rules.MOVES == {"open": ("snoozed", "done", "cancelled"),
                           "snoozed": ("open", "snoozed", "done", "cancelled"),
                           "done": (), "cancelled": ()}
    rules.check_move("open", "done")
    rules.check_move("snoozed", "snoozed")
    for status, to in (("done", "open"), ("cancelled", "done"), ("open", "open"),
                       ("open", "bogus"), ("done", "snoozed")):
        with pytest.raises(rules.RuleError) as caught:
            rules.check_move(status, to)
        assert caught.value.field == "status"


def test_the_effective_due_date_and_the_due_states() -> None:
    due, back, today = date(2027, 3, 1), date(2027, 3, 10), date(2027, 3, 5)
    assert rules.effective_due("open", due, None) == due
    assert rules.effective_due("snoozed", due, back) == back
    assert rules.effective_due("done", due, back) == due  # only while snoozed
    assert rules.due_state("open", due, None, today) == "overdue"
    assert rules.due_state("snoozed", due, back, today) == "upcoming"
    assert rules.due_state("open", today, None, today) == "due_today"
    assert rules.due_state("done", due, None, today) == "closed"
    assert not rules.is_overdue("cancelled", due, None, today)


def test_a_time_that_does_not_exist_is_refused_on_due_time() -> None:
    # London goes from 01:00 GMT to 02:00 BST on 2027-03-28: 01:00-01:59 do not exist there
    with pytest.raises(rules.RuleError) as caught:
        rules.due_instant(date(2027, 3, 28), time(1, 30), "Europe/London")
    assert caught.value.field == "due_time"
    assert str(caught.value) == ("01:30 does not exist on 2027-03-28 in Europe/London "
                                 "(clocks go forward)")
    # Berlin's gap is 02:00-02:59 the same day; New York's on 2027-03-14
    with pytest.raises(rules.RuleError, match="02:30 does not exist on 2027-03-28 in "
                       "Europe/Berlin"):
        rules.due_instant(date(2027, 3, 28), time(2, 30), "Europe/Berlin")
    with pytest.raises(rules.RuleError, match="clocks go forward"):
        rules.due_instant(date(2027, 3, 14), time(2, 30), "America/New_York")
    # 02:30 exists in London that day (BST), as does 01:30 the day before
    assert rules.due_instant(date(2027, 3, 28), time(2, 30), "Europe/London") == \
        datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert rules.due_instant(date(2027, 3, 27), time(1, 30), "Europe/London") == \
        datetime(2027, 3, 27, 1, 30, tzinfo=UTC)


def test_an_ambiguous_time_is_its_first_occurrence() -> None:
    # New York falls back from 02:00 EDT to 01:00 EST on 2027-11-07: 01:30 happens twice
    assert rules.is_ambiguous(date(2027, 11, 7), time(1, 30), "America/New_York")
    assert rules.due_instant(date(2027, 11, 7), time(1, 30), "America/New_York") == \
        datetime(2027, 11, 7, 5, 30, tzinfo=UTC)  # 01:30 EDT, not 06:30 (EST)
    assert not rules.is_ambiguous(date(2027, 11, 7), time(3, 0), "America/New_York")
    assert rules.due_instant(date(2027, 3, 1), None, "Europe/London") is None


def test_overdue_is_by_date_across_the_year_end() -> None:
    assert rules.is_overdue("open", date(2026, 12, 31), None, date(2027, 1, 1))
    assert not rules.is_overdue("open", date(2026, 12, 31), None, date(2026, 12, 31))
    # snoozed over the year end: not overdue until the day after it comes back
    assert rules.check_snooze(date(2027, 1, 4), date(2026, 12, 30)) == date(2027, 1, 4)
    assert not rules.is_overdue("snoozed", date(2026, 12, 20), date(2027, 1, 4),
                                date(2027, 1, 4))
    assert rules.is_overdue("snoozed", date(2026, 12, 20), date(2027, 1, 4), date(2027, 1, 5))


def test_the_bounds() -> None:
    for bad, field in ((lambda: rules.check_snooze(date(2026, 5, 1), date(2026, 5, 1)), "until"),
                       (lambda: rules.check_snooze(None, date(2026, 5, 1)), "until"),
                       (lambda: rules.check_snooze(date(2101, 1, 1), date(2026, 5, 1)), "until"),
                       (lambda: rules.check_date("due_on", date(1999, 12, 31)), "due_on"),
                       (lambda: rules.check_title("  "), "title"),
                       (lambda: rules.check_title("x" * 201), "title"),
                       (lambda: rules.check_title("two\nlines"), "title"),
                       (lambda: rules.check_reason(""), "reason"),
                       (lambda: rules.parse_time("25:00"), "due_time"),
                       (lambda: rules.parse_time("09:30+01:00"), "due_time"),
                       (lambda: rules.zone("Mars/Olympus"), "time_zone")):
        with pytest.raises(rules.RuleError) as caught:
            bad()
        assert caught.value.field == field
    assert rules.check_title("  Call back  ") == "Call back"
    assert rules.parse_time(" 09:30 ") == time(9, 30) and rules.parse_time("") is None
    assert time_zone_problem("Europe/London") is None
    assert "unknown time zone" in (time_zone_problem("Europe/Londn") or "")
    assert time_zone_problem("") and time_zone_problem(None)


@settings(max_examples=300, deadline=None)
@given(status=states, due=days, back=st.none() | days, today=days)
def test_overdue_is_the_effective_due_date_before_today(status, due, back, today) -> None:
    effective = rules.effective_due(status, due, back)
    assert effective == (back if status == "snoozed" and back else due)
    overdue = rules.is_overdue(status, due, back, today)
    assert overdue == (status in ("open", "snoozed") and effective < today)
    state = rules.due_state(status, due, back, today)
    assert (state == "overdue") == overdue
    assert (state == "closed") == (status in ("done", "cancelled"))


@settings(max_examples=400, deadline=None)
@given(day=days, at=times, zone=st.sampled_from(ZONES))
def test_a_due_instant_shows_back_as_its_wall_time_or_is_refused(day, at, zone) -> None:
    tz = ZoneInfo(zone)
    wall = datetime.combine(day, at)
    try:
        instant = rules.due_instant(day, at, zone)
    except rules.RuleError as exc:
        assert exc.field == "due_time"
        # refused only when the wall time really does not exist: it does not round-trip
        assert wall.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None) \
            != wall
        return
    assert instant is not None and instant.tzinfo is UTC
    assert instant.astimezone(tz).replace(tzinfo=None) == wall
    # the first occurrence: the other reading of an ambiguous wall time is never earlier
    second = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    assert instant <= second


@settings(max_examples=200, deadline=None)
@given(until=days, today=days)
def test_a_snooze_is_after_today(until, today) -> None:
    if until > today:
        assert rules.check_snooze(until, today) == until
    else:
        with pytest.raises(rules.RuleError):
            rules.check_snooze(until, today)
