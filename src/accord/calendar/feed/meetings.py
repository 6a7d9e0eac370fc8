"""Past meetings from an iCalendar (``.ics``) export: each VEVENT's key (UID, with the
RECURRENCE-ID of one changed occurrence), summary, day (in the importing user's time zone)
and the e-mail addresses of its attendees and organiser.

The file's checks are the holiday import's (``accord.calendar.ics``): at most
``ics.MAX_BYTES``, UTF-8, no control characters, a VCALENDAR with events; a file that fails
them is one ``ValidationFailed`` on the field ``file`` naming the line. What is wrong with
one event (no UID, no DTSTART) only keeps that event out; the report says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from accord.calendar import ics
from accord.calendar.feed import rules
from accord.calendar.followups.rules import FIRST_YEAR, LAST_YEAR

#: the most events one file may hold (a few years of someone's meetings)
MAX_EVENTS = 5000
#: addresses read per event (a company-wide meeting says nothing about one account)
MAX_ADDRESSES = 200


@dataclass(frozen=True)
class ParsedMeeting:
    #: UID, or UID#RECURRENCE-ID; "" when the event has none
    key: str
    summary: str
    held_on: date | None
    emails: frozenset[str]
    cancelled: bool
    repeats: bool
    #: what keeps it out before any matching (no UID…), else None
    problem: str | None


def parse_meetings(data: bytes, time_zone: ZoneInfo) -> list[ParsedMeeting]:
    """The events of an ``.ics`` file; ``ValidationFailed`` on ``file`` for a bad file."""
    events, _lines = ics.read_events(data, MAX_EVENTS)
    return [_meeting(event, time_zone) for event in events]


def _meeting(event: Any, tz: ZoneInfo) -> ParsedMeeting:
    summary = " ".join(str(event.get("SUMMARY", "")).split())[: rules.MAX_SUMMARY]
    uid = str(event.get("UID", "")).strip()
    problem = None
    if not uid:
        problem = "it has no UID"
    recurrence = _recurrence_id(event)
    key = rules.meeting_key(uid, recurrence) if uid else ""
    if len(key) > rules.MAX_UID:
        problem, key = f"its UID is longer than {rules.MAX_UID} characters", key[:60] + "…"
    held_on = _day(event, tz)
    if problem is None and held_on is not None and not FIRST_YEAR <= held_on.year <= LAST_YEAR:
        problem = f"its date {held_on} is outside the years {FIRST_YEAR}–{LAST_YEAR}"
    return ParsedMeeting(
        key=key,
        summary=summary or rules.DEFAULT_SUMMARY,
        held_on=held_on,
        emails=frozenset(_addresses(event)),
        cancelled=str(event.get("STATUS", "")).strip().upper() == "CANCELLED",
        repeats="RRULE" in event or "RDATE" in event,
        problem=problem,
    )


def _recurrence_id(event: Any) -> str | None:
    if "RECURRENCE-ID" not in event:
        return None
    try:
        value = event["RECURRENCE-ID"].dt
    except Exception:  # noqa: BLE001 - icalendar's broken-property errors vary
        return str(event["RECURRENCE-ID"])[:40]
    return str(value.isoformat())


def _day(event: Any, tz: ZoneInfo) -> date | None:
    """DTSTART's date in ``tz`` (a floating time and an all-day date as written)."""
    if "DTSTART" not in event:
        return None
    try:
        start = event["DTSTART"].dt
    except Exception:  # noqa: BLE001
        return None
    if isinstance(start, datetime):
        return start.astimezone(tz).date() if start.tzinfo is not None else start.date()
    return start if isinstance(start, date) else None


def _addresses(event: Any) -> list[str]:
    values: list[Any] = []
    for name in ("ATTENDEE", "ORGANIZER"):
        found = event.get(name)
        if found is None:
            continue
        values.extend(found if isinstance(found, list) else [found])
    out = []
    for value in values[:MAX_ADDRESSES]:
        text = str(value).strip()
        if text.lower().startswith("mailto:"):
            text = text[len("mailto:"):]
        text = text.strip().lower()
        if "@" in text and len(text) <= 254:
            out.append(text)
    return out
