"""Calendar months as integers: ``month index = year * 12 + (month - 1)``.

Integer months make window arithmetic (``M - W + 1 .. M``) plain addition in Python and SQL.
Pure: no storage, no clock. "Today" is always passed in.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_of(year: int, month: int) -> int:
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1-12, got {month}")
    return year * 12 + month - 1


def parse_month(text: str) -> int:
    """Parse ``YYYY-MM`` into a month index; raise ValueError with a readable message."""
    match = _MONTH_RE.match(text.strip())
    if not match:
        raise ValueError(f"expected a month as YYYY-MM, got {text!r}")
    return month_of(int(match.group(1)), int(match.group(2)))


def format_month(index: int) -> str:
    year, month0 = divmod(index, 12)
    return f"{year:04d}-{month0 + 1:02d}"


def first_day(index: int) -> date:
    year, month0 = divmod(index, 12)
    return date(year, month0 + 1, 1)


def months_between(start: int, end: int) -> list[int]:
    return list(range(start, end + 1))


def local_date(now: datetime, zone: str | None) -> date:
    """The calendar date ``now`` (an aware UTC instant) falls on in the IANA ``zone`` — a
    user's "today" (their setting, ``users.time_zone``); UTC for none or an unknown name."""
    try:
        tz = ZoneInfo(zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo("UTC")
    return now.astimezone(tz).date()


def local_today(utc_today: date, now: datetime, zone: str | None) -> date:
    """A user's today: the UTC date ``utc_today`` moved by the day the user's ``zone`` is
    ahead of or behind UTC at ``now`` (-1, 0 or +1). With ``utc_today`` = ``now``'s UTC date
    (what the app passes) it is ``local_date(now, zone)``; a fixed "today" (the tests') moves
    with it."""
    return utc_today + (local_date(now, zone) - now.astimezone(ZoneInfo("UTC")).date())


#: a month, a quarter or a year as typed: ``2026-11``, ``2026-Q4``, ``2026``
PERIOD_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})|-[Qq]([1-4]))?$")


def parse_period(text: str | None, *, first_year: int, last_year: int, help_text: str,
                 error: type[Exception] = ValueError) -> tuple[date, date]:
    """``2026-11`` → (2026-11-01, 2026-11-30); ``2026-Q4`` → (2026-10-01, 2026-12-31);
    ``2026`` → (2026-01-01, 2026-12-31); years in [first_year, last_year]. ``error`` with a
    readable message otherwise (``help_text`` says what is expected)."""
    match = PERIOD_PATTERN.match((text or "").strip())
    if not match:
        raise error(f"expected {help_text}, got {(text or '')[:40]!r}")
    year = int(match.group(1))
    if not first_year <= year <= last_year:
        raise error(f"the year must be {first_year}-{last_year}")
    if match.group(2):
        month = int(match.group(2))
        if not 1 <= month <= 12:
            raise error(f"the month must be 01-12, got {match.group(2)}")
        first, last = month, month
    elif match.group(3):
        quarter = int(match.group(3))
        first, last = 3 * quarter - 2, 3 * quarter
    else:
        first, last = 1, 12
    return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])


def notice_deadline(end_on: date, notice_days: int | None) -> date:
    """The last day to give notice (or to renegotiate): the end of a contract or of a
    subscription's term less its notice days (the renewals' and the licences' one rule)."""
    return date.fromordinal(end_on.toordinal() - (notice_days or 0))
