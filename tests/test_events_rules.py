"""The pure rules of scheduled events (issue 13): reading an RRULE (what is refused, on the
field ``rrule``), expanding a series in a window — never outside it, strictly increasing,
COUNT respected — a weekly 09:00 Europe/Paris meeting across the 2027 daylight-saving change,
a series across the year end, the last day a series may reach."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.calendar.events import rules
from accord.core.errors import ValidationFailed

PARIS = ZoneInfo("Europe/Paris")


def _timing(local: datetime, zone: str, rrule: str | None, minutes: int = 60) -> rules.Timing:
    start = local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
    return rules.Timing(start, start + timedelta(minutes=minutes), zone, rrule)


# ---------------------------------------------------------------- reading a rule


@pytest.mark.parametrize("text", [
    "FREQ=WEEKLY;BYDAY=MO", "RRULE:FREQ=WEEKLY;BYDAY=MO", "rrule:freq=monthly;interval=3",
    "FREQ=MONTHLY;BYDAY=1TU", "FREQ=YEARLY;COUNT=5", "FREQ=DAILY;UNTIL=20271231",
    "FREQ=WEEKLY;UNTIL=20271231T235959Z;WKST=MO", "FREQ=WEEKLY;INTERVAL=1000",
    "FREQ=DAILY;COUNT=1000",
])
def test_a_valid_rule_is_read(text: str) -> None:
    series = rules.parse_rrule(text, datetime(2027, 3, 1, 9, tzinfo=PARIS))
    assert series.text.startswith("FREQ=") and ":" not in series.text


@pytest.mark.parametrize(("text", "words"), [
    ("", "give a rule"),
    ("garbage", "not NAME=VALUE"),
    ("FREQ=WEEKLY;BYDAY=XX", "not a valid RRULE"),
    ("FREQ=SECONDLY", "not supported"),
    ("FREQ=MINUTELY", "not supported"),
    ("FREQ=HOURLY", "not supported"),
    ("FREQ=FORTNIGHTLY", "not one of"),
    ("BYDAY=MO", "FREQ is missing"),
    ("FREQ=WEEKLY;INTERVAL=0", "INTERVAL must be 1-1000"),
    ("FREQ=WEEKLY;INTERVAL=1001", "INTERVAL must be 1-1000"),
    ("FREQ=DAILY;COUNT=1001", "COUNT must be 1-1000"),
    ("FREQ=DAILY;COUNT=0", "COUNT must be 1-1000"),
    ("FREQ=DAILY;UNTIL=20270101", "UNTIL is before the start"),
    ("FREQ=DAILY;UNTIL=20279999", "not a valid date"),
    ("FREQ=DAILY;COUNT=3;UNTIL=20271231", "COUNT or UNTIL"),
    ("FREQ=DAILY;FREQ=WEEKLY", "given twice"),
    ("FREQ=WEEKLY;X-NAME=1", "not NAME=VALUE"),
    ("FREQ=WEEKLY;DTSTART=20270101", "not a rule part"),
    ("FREQ=WEEKLY\nBYDAY=MO", "printable"),
    ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "no occurrence"),
    ("FREQ=WEEKLY;" + "BYDAY=MO;" * 60, "at most 500"),
])
def test_a_bad_rule_is_refused_on_the_rrule_field(text: str, words: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        rules.parse_rrule(text, datetime(2027, 3, 1, 9, tzinfo=PARIS))
    [problem] = caught.value.problems
    assert problem.field == "rrule" and words in problem.message, problem.message


# ---------------------------------------------------------------- named cases


def test_a_weekly_paris_meeting_keeps_its_wall_clock_time_across_the_dst_change() -> None:
    """Clocks go forward in Paris on Sunday 28 March 2027: 09:00 stays 09:00 local, so the
    meeting moves from 08:00 to 07:00 UTC."""
    weekly = _timing(datetime(2027, 3, 15, 9, 0), "Europe/Paris", "FREQ=WEEKLY;BYDAY=MO")
    found = rules.expand(weekly, date(2027, 3, 15), date(2027, 4, 5))
    assert [s for s, _ in found] == [
        datetime(2027, 3, 15, 8, tzinfo=UTC), datetime(2027, 3, 22, 8, tzinfo=UTC),
        datetime(2027, 3, 29, 7, tzinfo=UTC), datetime(2027, 4, 5, 7, tzinfo=UTC)]
    assert {s.astimezone(PARIS).hour for s, _ in found} == {9}
    assert all(e - s == timedelta(hours=1) for s, e in found)
    # and back in autumn (31 October 2027)
    autumn = rules.expand(weekly, date(2027, 10, 25), date(2027, 11, 1))
    assert [s.astimezone(PARIS).hour for s, _ in autumn] == [9, 9]
    assert [s.hour for s, _ in autumn] == [7, 8]


def test_a_time_the_clocks_skip_does_not_exist() -> None:
    assert not rules.exists(datetime(2027, 3, 28, 2, 30), PARIS)
    assert rules.exists(datetime(2027, 3, 28, 3, 30), PARIS)
    assert rules.exists(datetime(2027, 10, 31, 2, 30), PARIS)  # twice, but it exists
    # a daily 02:30 series meets the gap: that day it takes the offset before (03:30 local)
    daily = _timing(datetime(2027, 3, 26, 2, 30), "Europe/Paris", "FREQ=DAILY;COUNT=4")
    hours = [s.astimezone(PARIS).strftime("%d %H:%M")
             for s, _ in rules.expand(daily, date(2027, 3, 26), date(2027, 3, 31))]
    assert hours == ["26 02:30", "27 02:30", "28 03:30", "29 02:30"]


def test_a_series_across_the_year_end() -> None:
    weekly = _timing(datetime(2026, 12, 14, 10), "Europe/Berlin", "FREQ=WEEKLY;COUNT=5")
    found = [s.date() for s, _ in rules.expand(weekly, date(2026, 12, 1), date(2027, 1, 31))]
    assert found == [date(2026, 12, 14), date(2026, 12, 21), date(2026, 12, 28),
                     date(2027, 1, 4), date(2027, 1, 11)]
    assert rules.last_on(weekly) == date(2027, 1, 11)
    monthly = _timing(datetime(2026, 11, 30, 23, 30), "UTC", "FREQ=MONTHLY;BYMONTHDAY=-1")
    ends = [s.date() for s, _ in rules.expand(monthly, date(2026, 12, 31), date(2027, 2, 28))]
    assert ends == [date(2026, 12, 31), date(2027, 1, 31), date(2027, 2, 28)]
    # a window of local days in another zone: New Year's Eve 23:30 UTC is 1 January in Paris
    assert [s.astimezone(PARIS).date() for s, _ in rules.expand(
        monthly, date(2027, 1, 1), date(2027, 1, 1), "Europe/Paris")] == [date(2027, 1, 1)]


def test_the_last_day_a_series_reaches() -> None:
    assert rules.last_on(_timing(datetime(2027, 3, 1, 23, 30), "Europe/Paris", None, 120)) \
        == date(2027, 3, 2)
    assert rules.last_on(_timing(datetime(2027, 3, 1, 9), "UTC", "FREQ=WEEKLY")) is None
    assert rules.last_on(_timing(datetime(2027, 3, 1, 9), "UTC",
                                 "FREQ=DAILY;UNTIL=20270310")) == date(2027, 3, 10)
    assert rules.last_on(_timing(datetime(2027, 3, 1, 9), "UTC",
                                 "FREQ=MONTHLY;INTERVAL=3;COUNT=4")) == date(2027, 12, 1)


def test_a_one_off_event_is_in_the_window_of_its_start_day() -> None:
    once = _timing(datetime(2027, 3, 1, 9), "UTC", None)
    assert len(rules.expand(once, date(2027, 3, 1), date(2027, 3, 1))) == 1
    assert rules.expand(once, date(2027, 3, 2), date(2027, 3, 9)) == []
    assert rules.expand(once, date(2027, 3, 9), date(2027, 3, 1)) == []


def test_unknown_time_zones_are_refused() -> None:
    for name in ("Mars/Olympus", "", "../etc/passwd", "/etc/localtime"):
        with pytest.raises(ValidationFailed) as caught:
            rules.zone(name)
        assert caught.value.problems[0].field == "time_zone"
    assert rules.zone("America/New_York").key == "America/New_York"


# ---------------------------------------------------------------- properties

ZONES = st.sampled_from(["UTC", "Europe/Paris", "America/New_York", "Australia/Sydney",
                         "Asia/Kolkata"])
RULES = st.builds(
    lambda freq, interval, count, byday: ";".join(
        [f"FREQ={freq}", f"INTERVAL={interval}"] + ([f"COUNT={count}"] if count else [])
        + ([f"BYDAY={byday}"] if byday and freq == "WEEKLY" else [])),
    st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]), st.integers(1, 5),
    st.one_of(st.none(), st.integers(1, 40)),
    st.one_of(st.none(), st.sampled_from(["MO", "TU,TH", "SA,SU", "MO,WE,FR"])))
STARTS = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31))


@settings(max_examples=150, deadline=None)
@given(rule=RULES, local=STARTS, zone=ZONES, viewer=ZONES,
       offset=st.integers(-400, 800), length=st.integers(0, 120))
def test_expansion_stays_in_its_window_and_increases(rule, local, zone, viewer, offset,
                                                     length) -> None:
    tz = ZoneInfo(zone)
    local = local.replace(second=0, microsecond=0)
    if not rules.exists(local, tz):
        local += timedelta(hours=1)
    timing = _timing(local, zone, rule)
    first = local.date() + timedelta(days=offset)
    last = first + timedelta(days=length)
    found = rules.expand(timing, first, last, viewer)
    lo, hi = rules.window_bounds(first, last, ZoneInfo(viewer))
    starts = [s for s, _ in found]
    assert all(lo <= s < hi for s in starts)
    assert all(a < b for a, b in zip(starts, starts[1:], strict=False))
    assert all(s >= timing.starts_at for s in starts)
    # every occurrence keeps the first one's wall-clock time, unless the clocks skip it
    for s in starts:
        back = s.astimezone(tz)
        assert back.time() == local.time() or not rules.exists(
            datetime.combine(back.date(), local.time()), tz)
    if "COUNT=" in rule:
        count = int(rule.split("COUNT=")[1].split(";")[0])
        everything = rules.expand(timing, local.date() - timedelta(days=2),
                                  local.date() + timedelta(days=399), "UTC")
        assert len(everything) <= count
        ends = rules.last_on(timing)
        assert ends is not None
        assert all(rules.to_local(e, tz).date() <= ends for _, e in everything)


@settings(max_examples=60, deadline=None)
@given(rule=RULES, local=STARTS, zone=ZONES)
def test_windows_split_in_two_give_the_same_occurrences(rule, local, zone) -> None:
    tz = ZoneInfo(zone)
    local = local.replace(second=0, microsecond=0)
    if not rules.exists(local, tz):
        local += timedelta(hours=1)
    timing = _timing(local, zone, rule)
    first = local.date()
    middle, last = first + timedelta(days=45), first + timedelta(days=120)
    whole = rules.expand(timing, first, last)
    parts = rules.expand(timing, first, middle) + rules.expand(
        timing, middle + timedelta(days=1), last)
    assert whole == parts
