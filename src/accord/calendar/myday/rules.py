"""My day's pure rules: which week "this week" is, the calendar's month and week grids, the
neighbouring windows, and an instant shown in a user's time zone. Standard library only."""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from accord.core.errors import FieldProblem, ValidationFailed

VIEWS = ("month", "week")
#: items shown per section of My day before "n more"
SECTION_LIMIT = 50
#: plan actions count as waiting when due within this many days
PLAN_ACTION_DAYS = 7
#: the overdue list's pages
MAX_PAGE_SIZE = 200
#: the most rows an overdue export writes
MAX_EXPORT_ROWS = 100_000
#: the dates the calendar may show (a bounded window: no year 1 or 9999 arithmetic)
FIRST_DAY = date(1971, 1, 1)
LAST_DAY = date(9998, 12, 1)


def week_of(day: date) -> tuple[date, date]:
    """Monday and Sunday of the ISO week holding ``day``."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


@dataclass(frozen=True)
class Grid:
    view: str
    day: date
    start: date  # the first day shown (a Monday)
    end: date  # the last day shown (a Sunday)
    prev_day: date
    next_day: date

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def weeks(self) -> list[list[date]]:
        days = self.days()
        return [days[i:i + 7] for i in range(0, len(days), 7)]

    def in_month(self, day: date) -> bool:
        return self.view == "week" or (day.year, day.month) == (self.day.year, self.day.month)

    def title(self) -> str:
        if self.view == "month":
            return f"{_calendar.month_name[self.day.month]} {self.day.year}"
        return f"Week {self.start.isocalendar()[1]}, {self.start:%d %b %Y} – {self.end:%d %b %Y}"


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, 1)


def grid(view: str, day: date) -> Grid:
    """The days a ``view`` (month or week) of ``day`` shows, whole weeks from Monday, and the
    day the previous and next links open (the first of the month, the same weekday)."""
    day = min(max(day, FIRST_DAY), LAST_DAY)
    if view == "week":
        start, end = week_of(day)
        return Grid("week", day, start, end, day - timedelta(days=7), day + timedelta(days=7))
    first = date(day.year, day.month, 1)
    last = date(day.year, day.month, _calendar.monthrange(day.year, day.month)[1])
    start, _ = week_of(first)
    _, end = week_of(last)
    return Grid("month", first, start, end, _add_months(first, -1), _add_months(first, 1))


def zone(name: str | None) -> ZoneInfo:
    """The user's time zone (UTC when unset or unknown)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local(at: datetime, tz: ZoneInfo) -> datetime:
    """A stored instant (UTC; naive means UTC) as wall-clock time in ``tz``."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(tz)


def local_day(at: datetime, tz: ZoneInfo) -> date:
    return local(at, tz).date()


def snooze_days(today: date) -> list[tuple[str, date]]:
    """The snooze choices of a line: tomorrow and next Monday."""
    monday, _ = week_of(today)
    return [("Snooze to tomorrow", today + timedelta(days=1)),
            ("Snooze to next week", monday + timedelta(days=7))]


def parse_day(text: str) -> date:
    """A ``YYYY-MM-DD`` date within the calendar's bounds (``ValidationFailed`` on ``date``)."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationFailed([FieldProblem("date", "a date, YYYY-MM-DD")]) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationFailed([FieldProblem("date", f"from {FIRST_DAY} to {LAST_DAY}")])
    return day
