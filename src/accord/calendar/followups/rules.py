"""Follow-ups as pure rules: states and the moves between them, the effective due date, the
due instant of a due time in its owner's time zone, overdue and "due today", and the bounds
of a title and of the dates.

- States: ``open`` → ``snoozed`` | ``done`` | ``cancelled``; ``snoozed`` → ``open`` (woken),
  ``snoozed`` (again, to another date), ``done`` or ``cancelled``. ``done`` and
  ``cancelled`` are closed: nothing leaves them (``MOVES``, one table).
- Effective due date: ``snoozed_until`` while snoozed, else ``due_on`` (a snoozed follow-up
  is due again the day it comes back). ``queries.effective_due_sql`` is its SQL twin.
- Due instant: ``due_on`` at ``due_time`` in ``time_zone`` (an IANA name), in UTC. A wall
  time the clocks skip that day (spring forward: 02:30 on 2027-03-28 in Europe/London) is
  refused on ``due_time``; a wall time that happens twice (fall back: 01:30 on 2027-11-07 in
  America/New_York) is its first occurrence (``fold=0``, the earlier instant).
- Overdue: the effective due date is before today — dates, not instants: a follow-up due
  today at 09:00 is "due today" until the day ends, whatever the hour.
- Snooze: to a date after today. Dates: years ``FIRST_YEAR``-``LAST_YEAR``. Title: 1-200
  characters, one line.

Standard library only (``zoneinfo`` with the tzdata package).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from accord.core.errors import FieldProblem
from accord.core.text import refused_character

STATES = ("open", "snoozed", "done", "cancelled")
OPEN_STATES = ("open", "snoozed")
CLOSED_STATES = ("done", "cancelled")
STATE_LABELS = {"open": "Open", "snoozed": "Snoozed", "done": "Done", "cancelled": "Cancelled"}
#: the moves a follow-up may make, by state (closed states make none)
MOVES: dict[str, tuple[str, ...]] = {
    "open": ("snoozed", "done", "cancelled"),
    "snoozed": ("open", "snoozed", "done", "cancelled"),
    "done": (),
    "cancelled": (),
}
#: where a follow-up may come from (the account's own objects)
SOURCES = ("interaction", "plan_action", "opportunity")
SOURCE_LABELS = {"interaction": "Interaction", "plan_action": "Plan action",
                 "opportunity": "Opportunity's next step"}
FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_TITLE = 200
MAX_NOTES = 4000
MAX_REASON = 2000
#: the due states a list shows (by effective due date against today)
DUE_STATES = ("overdue", "due_today", "upcoming", "closed")


class RuleError(ValueError):
    """Input that breaks a rule; ``field`` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field

    def problem(self) -> FieldProblem:
        return FieldProblem(self.field, str(self))


def is_open(status: str) -> bool:
    return status in OPEN_STATES


def check_move(status: str, to: str) -> None:
    """RuleError on ``status`` unless a follow-up in ``status`` may become ``to``."""
    if to not in STATES:
        raise RuleError("status", "must be one of " + ", ".join(STATES))
    if status in CLOSED_STATES:
        raise RuleError("status", f"the follow-up is {status}: it is closed")
    if to not in MOVES.get(status, ()):
        raise RuleError("status", f"a {status} follow-up may become "
                        + ", ".join(MOVES.get(status, ())))


def effective_due(status: str, due_on: date, snoozed_until: date | None) -> date:
    """The date a follow-up is due: the snooze's end while snoozed, else ``due_on``."""
    if status == "snoozed" and snoozed_until is not None:
        return snoozed_until
    return due_on


def is_overdue(status: str, due_on: date, snoozed_until: date | None, today: date) -> bool:
    """Open or snoozed, and its effective due date is before today."""
    return is_open(status) and effective_due(status, due_on, snoozed_until) < today


def due_state(status: str, due_on: date, snoozed_until: date | None, today: date) -> str:
    """``overdue``, ``due_today``, ``upcoming`` (open or snoozed) or ``closed``."""
    if not is_open(status):
        return "closed"
    due = effective_due(status, due_on, snoozed_until)
    if due < today:
        return "overdue"
    return "due_today" if due == today else "upcoming"


def check_date(field: str, day: date | None) -> None:
    """RuleError unless the year is ``FIRST_YEAR``-``LAST_YEAR``."""
    if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise RuleError(field, f"the year must be {FIRST_YEAR}-{LAST_YEAR}")


def check_title(title: str | None) -> str:
    """The title trimmed: 1-200 characters on one line."""
    text = (title or "").strip()
    if not text:
        raise RuleError("title", "say what is to be done")
    if len(text) > MAX_TITLE:
        raise RuleError("title", f"at most {MAX_TITLE} characters")
    if refused_character(text, one_line=True):
        raise RuleError("title", "must be one line without control characters")
    return text


def zone(name: str) -> ZoneInfo:
    """The time zone of an IANA name; RuleError on ``time_zone`` for an unknown one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise RuleError("time_zone", f"unknown time zone {name[:64]!r}") from None


def due_instant(due_on: date, due_time: time | None, time_zone: str) -> datetime | None:
    """The UTC instant of ``due_on`` at ``due_time`` in ``time_zone`` (None without a time).

    A wall time that does not exist that day (the clocks go forward over it) is a RuleError
    on ``due_time``; one that happens twice (the clocks go back) is the first (``fold=0``).
    """
    if due_time is None:
        return None
    tz = zone(time_zone)
    wall = datetime.combine(due_on, due_time.replace(tzinfo=None, fold=0))
    local = wall.replace(tzinfo=tz)
    instant = local.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != wall:
        raise RuleError("due_time", f"{due_time:%H:%M} does not exist on {due_on.isoformat()} "
                        f"in {time_zone} (clocks go forward)")
    return instant


def is_ambiguous(due_on: date, due_time: time, time_zone: str) -> bool:
    """True when the wall time happens twice that day in the zone (the clocks go back)."""
    tz = zone(time_zone)
    wall = datetime.combine(due_on, due_time.replace(tzinfo=None))
    first = wall.replace(tzinfo=tz, fold=0).utcoffset()
    second = wall.replace(tzinfo=tz, fold=1).utcoffset()
    return first != second and due_instant(due_on, due_time, time_zone) is not None


def check_snooze(until: date | None, today: date) -> date:
    """The snooze's end: a date after today, within the bounds."""
    if until is None:
        raise RuleError("until", "give the date it comes back")
    check_date("until", until)
    if until <= today:
        raise RuleError("until", f"snooze to a date after today ({today.isoformat()})")
    return until


def check_reason(reason: str | None) -> str:
    """A cancellation's reason: required, at most ``MAX_REASON`` characters."""
    text = (reason or "").strip()
    if not text:
        raise RuleError("reason", "say why the follow-up is cancelled")
    if len(text) > MAX_REASON:
        raise RuleError("reason", f"at most {MAX_REASON} characters")
    return text


def parse_time(raw: str | None) -> time | None:
    """``HH:MM`` (24 h) as a time; blank is None; RuleError on ``due_time`` otherwise."""
    text = (raw or "").strip()
    if not text:
        return None
    try:
        parsed = time.fromisoformat(text)
    except ValueError:
        raise RuleError("due_time", "a time such as 09:30 (24-hour clock)") from None
    if parsed.tzinfo is not None or parsed.microsecond:
        raise RuleError("due_time", "a time such as 09:30 (24-hour clock)")
    return parsed.replace(second=0)
