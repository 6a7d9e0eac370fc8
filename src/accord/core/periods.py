"""Calendar months as integers: ``month index = year * 12 + (month - 1)``.

Integer months make window arithmetic (``M - W + 1 .. M``) plain addition in Python and SQL.
Pure: no storage, no clock. "Today" is always passed in.
"""

from __future__ import annotations

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
