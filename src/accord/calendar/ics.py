"""Public holidays from an iCalendar (``.ics``) file: each VEVENT's days and its SUMMARY.

Pure but for the ``icalendar`` parser: bytes in, (date, name) pairs out, or one
``ValidationFailed`` on the field ``file`` whose messages name the line or the event
("event 3 (line 17, 'Boxing Day'): DTSTART is not a date"). An all-day event covers its
DTSTART up to the day before its DTEND (iCalendar's end is exclusive); a timed event the
days it touches. Several events on one date are one holiday (the first name is kept).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import icalendar

from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.text import refused_character
from accord.core.workdays import FIRST_YEAR, LAST_YEAR, MAX_HOLIDAYS, MAX_NAME

#: the largest file read (a country's holidays for a century are about 100 kB)
MAX_BYTES = 1_048_576
#: the most events one file may hold
MAX_EVENTS = MAX_HOLIDAYS
#: the longest one event may last (a holiday is days, not months)
MAX_SPAN_DAYS = 31
#: problems listed at most (the rest counted)
MAX_PROBLEMS = 20
FIELD = "file"
DEFAULT_NAME = "Holiday"


@dataclass(frozen=True)
class ParsedHolidays:
    """What a file holds: its events and the holidays they give, one per date, sorted."""

    events: int
    holidays: list[tuple[date, str]]


def read_events(data: bytes, max_events: int = MAX_EVENTS) -> tuple[list[Any], list[int]]:
    """The VEVENTs of an ``.ics`` file (holidays, past meetings) and the line each begins on,
    or one ``ValidationFailed``
    on ``file``: too large, not text, more than ``max_events`` events, not an iCalendar file,
    no event."""
    text = _text(data)
    begins = [
        number
        for number, line in enumerate(text.split("\n"), start=1)
        if line.strip().upper() == "BEGIN:VEVENT"
    ]
    if len(begins) > max_events:
        raise _problem([f"the file holds {len(begins)} events; at most {max_events} are read"])
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except Exception as exc:  # noqa: BLE001 - the parser raises many kinds; all mean "bad file"
        raise _problem([f"not an iCalendar file: {_short(exc)}"]) from None
    if getattr(calendar, "name", None) != "VCALENDAR":
        raise _problem(["not an iCalendar file: it does not begin with BEGIN:VCALENDAR"])
    events = list(calendar.walk("VEVENT"))
    if not events:
        raise _problem(["the file holds no events (VEVENT)"])
    return events, begins


def parse_holidays(data: bytes) -> ParsedHolidays:
    """The holidays of an ``.ics`` file; ``ValidationFailed`` naming every problem found."""
    events, begins = read_events(data)
    problems: list[str] = []
    found: dict[date, str] = {}
    for index, event in enumerate(events):
        line = begins[index] if len(begins) == len(events) else None
        days, name, problem = _event_days(event)
        if problem:
            problems.append(f"{_label(index, line, name)}: {problem}")
            continue
        for day in days:
            found.setdefault(day, name)
    if problems:
        raise _problem(problems)
    return ParsedHolidays(len(events), sorted(found.items()))


def _text(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise _problem([f"the file is larger than {MAX_BYTES // 1024} kB ({len(data)} bytes)"])
    if not data.strip():
        raise _problem(["the file is empty"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad_line = data[: exc.start].count(b"\n") + 1
        raise _problem([f"line {bad_line} is not UTF-8 text"]) from None
    for number, line in enumerate(text.split("\n"), start=1):
        # tab is text (a folded line may begin with one); line ends are split away
        if refused_character(line.removesuffix("\r")) is not None:
            raise _problem([f"line {number} holds a control character"])
    return text


def _event_days(event: Any) -> tuple[list[date], str, str | None]:
    """The days an event covers, its name, and what is wrong with it (None: nothing)."""
    raw_name = event.get("SUMMARY")
    name = str(raw_name).strip() if raw_name is not None else ""
    if refused_character(name, one_line=True) is not None:
        return [], name[:40], "its SUMMARY must be one line without control characters"
    if len(name) > MAX_NAME:
        return [], name[:40], f"its SUMMARY is longer than {MAX_NAME} characters"
    name = name or DEFAULT_NAME
    if "RRULE" in event or "RDATE" in event:
        return [], name, "it repeats (RRULE/RDATE): export each holiday as an event of its own"
    if "DTSTART" not in event:
        return [], name, "it has no DTSTART"
    try:
        start = event["DTSTART"].dt
    except Exception:  # noqa: BLE001 - icalendar's broken-property errors vary
        return [], name, "its DTSTART is not a date"
    try:
        first, last = _first_and_last(start, _end(event, start))
    except Exception:  # noqa: BLE001
        return [], name, "its DTEND or DURATION is not a date or a duration"
    if not (FIRST_YEAR <= first.year and last.year <= LAST_YEAR):
        return [], name, f"its dates must fall in {FIRST_YEAR}–{LAST_YEAR}"
    span = (last - first).days + 1
    if span > MAX_SPAN_DAYS:
        return [], name, f"it lasts {span} days; a holiday lasts at most {MAX_SPAN_DAYS}"
    if span < 1:
        return [], name, "it ends before it begins"
    return [first + timedelta(days=n) for n in range(span)], name, None


def _end(event: Any, start: date | datetime) -> date | datetime | None:
    if "DTEND" in event:
        end: date | datetime = event["DTEND"].dt
        return end
    if "DURATION" in event:
        duration = event["DURATION"].dt
        if not isinstance(duration, timedelta):
            raise ValueError("not a duration")
        return start + duration
    return None


def _first_and_last(start: date | datetime, end: date | datetime | None) -> tuple[date, date]:
    """The first and the last day an event covers (the end is exclusive)."""
    if not isinstance(start, date):
        raise ValueError("not a date")
    if isinstance(start, datetime):
        first = start.date()
        if end is None or not isinstance(end, datetime) or end <= start:
            return first, first
        return first, (end - timedelta(microseconds=1)).date()
    if end is None:
        return start, start
    last = (end.date() if isinstance(end, datetime) else end) - timedelta(days=1)
    if last < start and end == start:
        return start, start  # DTEND equal to DTSTART: read as the one day
    return start, last


def _label(index: int, line: int | None, name: str) -> str:
    where = f"line {line}, " if line else ""
    return f"event {index + 1} ({where}{name!r})"


def _short(exc: BaseException) -> str:
    message = " ".join(str(exc).split())
    return message[:200] + ("…" if len(message) > 200 else "")


def _problem(messages: list[str]) -> ValidationFailed:
    shown = messages[:MAX_PROBLEMS]
    if len(messages) > MAX_PROBLEMS:
        shown.append(f"and {len(messages) - MAX_PROBLEMS} more problems")
    return ValidationFailed([FieldProblem(FIELD, m) for m in shown])
