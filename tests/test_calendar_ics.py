"""Reading public holidays from .ics files (accord.calendar.ics): the days each event covers,
and a clear problem naming the line or event for every kind of bad file."""

from __future__ import annotations

from datetime import date

import pytest

from accord.calendar.ics import MAX_BYTES, MAX_EVENTS, parse_holidays
from accord.core.errors import ValidationFailed

HEAD = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"


def ics(*events: str, head: str = HEAD) -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\n{e.strip()}\r\nEND:VEVENT\r\n" for e in events)
    return (head + body + "END:VCALENDAR\r\n").encode()


def event(start: str, summary: str | None = "Holiday", extra: str = "") -> str:
    lines = [f"DTSTART;VALUE=DATE:{start}" if len(start) == 8 else f"DTSTART:{start}"]
    if summary is not None:
        lines.append(f"SUMMARY:{summary}")
    if extra:
        lines.append(extra)
    return "\r\n".join(lines)


def problems(data: bytes) -> list[str]:
    with pytest.raises(ValidationFailed) as caught:
        parse_holidays(data)
    assert {p.field for p in caught.value.problems} == {"file"}
    return [p.message for p in caught.value.problems]


def test_all_day_events_give_their_dates_and_names() -> None:
    parsed = parse_holidays(ics(
        event("20261225", "Christmas Day"),
        event("20261226", "Boxing Day\\, observed"),
        event("20260101", "New Year's Day"),
    ))
    assert parsed.events == 3
    assert parsed.holidays == [
        (date(2026, 1, 1), "New Year's Day"),
        (date(2026, 12, 25), "Christmas Day"),
        (date(2026, 12, 26), "Boxing Day, observed"),
    ]


def test_multi_day_events_expand_to_each_day_and_dtend_is_exclusive() -> None:
    parsed = parse_holidays(ics(
        event("20261224", "Winter break", "DTEND;VALUE=DATE:20261228"),
        event("20260501", "Labour Day", "DTEND;VALUE=DATE:20260502"),
        event("20260601", "Two days", "DURATION:P2D"),
    ))
    assert [d for d, _ in parsed.holidays] == [
        date(2026, 5, 1), date(2026, 6, 1), date(2026, 6, 2),
        date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 26), date(2026, 12, 27),
    ]


def test_timed_events_cover_the_days_they_touch() -> None:
    parsed = parse_holidays(ics(
        event("20260704T090000", "Morning off", "DTEND:20260704T120000"),
        event("20260710T220000", "Overnight", "DTEND:20260712T000000"),
    ))
    assert [d for d, _ in parsed.holidays] == [
        date(2026, 7, 4), date(2026, 7, 10), date(2026, 7, 11),
    ]


def test_events_on_one_date_are_one_holiday_and_a_missing_summary_is_named() -> None:
    parsed = parse_holidays(ics(
        event("20261225", "Christmas Day"),
        event("20261225", "Christmas (again)"),
        event("20261231", None),
    ))
    assert parsed.events == 3
    assert parsed.holidays == [
        (date(2026, 12, 25), "Christmas Day"), (date(2026, 12, 31), "Holiday")
    ]


def test_a_byte_order_mark_and_lf_line_ends_are_fine() -> None:
    data = b"\xef\xbb\xbf" + ics(event("20261225", "Christmas Day")).replace(b"\r\n", b"\n")
    assert parse_holidays(data).holidays == [(date(2026, 12, 25), "Christmas Day")]


def test_a_bad_date_names_the_event_its_line_and_its_summary() -> None:
    found = problems(ics(event("20261225", "Fine"), event("2026130", "Broken")))
    assert found == ["event 2 (line 8, 'Broken'): its DTSTART is not a date"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "the file is empty"),
        (b"hello world\r\n", "not an iCalendar file"),
        (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n", "not an iCalendar file"),
        (ics(), "no events"),
        (ics(event("20261225", None, "RRULE:FREQ=YEARLY")), "repeats"),
        (ics("SUMMARY:No date"), "has no DTSTART"),
        (ics(event("20260101", "Long", "DTEND;VALUE=DATE:20260301")), "a holiday lasts at most"),
        (ics(event("18991225", "Old")), "1900"),
        (ics(event("20261225", "x" * 121)), "longer than 120"),
        (ics(event("20261225", "Two\\nlines")), "one line"),
        (ics(event("20261225", "Bell\x07")), "line 6 holds a control character"),
        (ics(event("20261225", "Caf\xe9")).replace("é".encode(), b"\xe9"), "line 6 is not UTF-8"),
        (ics(event("20261225", "x", "DTEND:notadate")), "DTEND or DURATION"),
        (ics(event("20261225", "x"), head="BEGIN:VEVENT\r\n"), "not an iCalendar file"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(data: bytes, expected: str) -> None:
    found = problems(data)
    assert any(expected in m for m in found), found


def test_every_bad_event_is_listed_up_to_a_cap() -> None:
    found = problems(ics(*(event("2026130", f"E{i}") for i in range(30))))
    assert len(found) == 21 and found[-1] == "and 10 more problems"
    assert found[0].startswith("event 1 (line 4, 'E0')")


def test_size_and_event_count_are_capped() -> None:
    padding = "X-PAD:" + "x" * 70 + "\r\n"
    big = ics(event("20261225", "x", (padding * (MAX_BYTES // len(padding) + 1)).strip()))
    assert "larger than 1024 kB" in problems(big)[0]
    many = ics(*(event("20261225", "x") for _ in range(MAX_EVENTS + 1)))
    assert f"at most {MAX_EVENTS}" in problems(many)[0]
