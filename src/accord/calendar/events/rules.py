"""The rules of scheduled events, pure: read an RFC 5545 RRULE, expand a series into the
occurrences of a window, the last day a series may reach.

A recurring event keeps its WALL-CLOCK time in its time zone: the series is expanded in local
time (naive datetimes in the event's zone, ``zoneinfo``) and each occurrence converted to UTC,
so a weekly 09:00 Europe/Paris meeting stays 09:00 in Paris across a daylight-saving change
(its UTC time moves by an hour). A local time that does not exist on some day (the hour the
clocks skip) is read with the offset before the change (RFC 5545 §3.3.5): 02:30 becomes 03:30.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrule, rrulestr

from accord.core.errors import FieldProblem, ValidationFailed

MAX_INTERVAL = 1000
MAX_COUNT = 1000
MAX_RRULE = 500
#: how far a series bounded by COUNT is followed to find its last day (years)
COUNT_REACH_YEARS = 100
KINDS = ("business_review", "meeting", "call", "renewal", "other")
FREQS = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
UNSUPPORTED = ("SECONDLY", "MINUTELY", "HOURLY")
KNOWN = frozenset({"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH",
                   "BYYEARDAY", "BYWEEKNO", "BYSETPOS", "WKST"})
_PART = re.compile(r"^[A-Z]+=[A-Z0-9,+\-]+$")
_UNTIL = re.compile(r"^(\d{8})(?:T(\d{6})(Z?))?$")
#: the friendly presets of the event form
PRESETS = {"weekly": "FREQ=WEEKLY", "fortnightly": "FREQ=WEEKLY;INTERVAL=2",
           "monthly": "FREQ=MONTHLY", "quarterly": "FREQ=MONTHLY;INTERVAL=3",
           "yearly": "FREQ=YEARLY"}


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed([FieldProblem("rrule", message)])


def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name``; a ValidationFailed on ``time_zone`` when unknown."""
    try:
        if not name or len(name) > 64 or ".." in name or name.startswith("/"):
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValidationFailed([FieldProblem("time_zone", f"unknown time zone {name!r}")]) \
            from None


def exists(local: datetime, tz: ZoneInfo) -> bool:
    """False for a wall-clock time the clocks skip that day in ``tz`` (a DST gap)."""
    naive = local.replace(tzinfo=None)
    back = naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    return back == naive


def to_utc(local: datetime, tz: ZoneInfo) -> datetime:
    """A naive wall-clock time in ``tz`` as a UTC instant (a skipped time: the offset before)."""
    return local.replace(tzinfo=tz).astimezone(UTC)


def to_local(instant: datetime, tz: ZoneInfo) -> datetime:
    """A UTC instant as a naive wall-clock time in ``tz``."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(tz).replace(tzinfo=None)


@dataclass(frozen=True)
class Rule:
    """A parsed RRULE: its normalised text and the dateutil rule over naive local times."""

    text: str
    rule: rrule
    count: int | None
    until: datetime | None  # naive local


def _until(value: str, tz: ZoneInfo) -> datetime:
    """UNTIL as a naive local time: a date means its whole day, ``Z`` a UTC instant."""
    m = _UNTIL.match(value)
    if m is None:
        raise _refuse(f"UNTIL {value!r} is not a date (YYYYMMDD) or date-time "
                      "(YYYYMMDDTHHMMSSZ)")
    try:
        day = datetime.strptime(m.group(1), "%Y%m%d")
        if m.group(2) is None:
            return datetime.combine(day.date(), time(23, 59, 59))
        at = datetime.strptime(m.group(1) + m.group(2), "%Y%m%d%H%M%S")
    except ValueError:
        raise _refuse(f"UNTIL {value!r} is not a valid date") from None
    return to_local(at.replace(tzinfo=UTC), tz) if m.group(3) else at


def _parts(text: str) -> dict[str, str]:
    """The rule's NAME=VALUE parts (upper case), each known and given once."""
    raw = (text or "").strip()
    if raw.upper().startswith("RRULE:"):
        raw = raw[6:].strip()
    if not raw:
        raise _refuse("give a rule, e.g. FREQ=WEEKLY;BYDAY=MO")
    if len(raw) > MAX_RRULE or not raw.isprintable() or not raw.isascii():
        raise _refuse(f"not an RRULE (at most {MAX_RRULE} printable characters)")
    parts: dict[str, str] = {}
    for piece in raw.upper().rstrip(";").split(";"):
        piece = piece.strip()
        if not _PART.match(piece):
            raise _refuse(f"{piece!r} is not NAME=VALUE")
        name, value = piece.split("=", 1)
        if name not in KNOWN:
            raise _refuse(f"{name} is not a rule part Accord knows")
        if name in parts:
            raise _refuse(f"{name} is given twice")
        parts[name] = value
    return parts


def _check(parts: dict[str, str], start: datetime, tz: ZoneInfo) -> datetime | None:
    """FREQ, INTERVAL, COUNT and UNTIL within bounds; UNTIL as a naive local time."""
    freq = parts.get("FREQ")
    if freq is None:
        raise _refuse("FREQ is missing (DAILY, WEEKLY, MONTHLY or YEARLY)")
    if freq in UNSUPPORTED:
        raise _refuse(f"FREQ={freq} is not supported: events repeat DAILY at most")
    if freq not in FREQS:
        raise _refuse(f"FREQ={freq} is not one of " + ", ".join(FREQS))
    for name, top in (("INTERVAL", MAX_INTERVAL), ("COUNT", MAX_COUNT)):
        value = parts.get(name)
        if value is not None and (not value.isdigit() or not 1 <= int(value) <= top):
            raise _refuse(f"{name} must be 1-{top}")
    if "COUNT" in parts and "UNTIL" in parts:
        raise _refuse("give COUNT or UNTIL, not both")
    if "UNTIL" not in parts:
        return None
    until = _until(parts["UNTIL"], tz)
    if until < start:
        raise _refuse("UNTIL is before the start")
    if until.year > start.year + COUNT_REACH_YEARS:
        raise _refuse(f"UNTIL is more than {COUNT_REACH_YEARS} years after the start")
    return until


def parse_rrule(text: str, dtstart: datetime) -> Rule:
    """An RRULE value (``FREQ=WEEKLY;BYDAY=MO``, with or without ``RRULE:``) starting at
    ``dtstart`` (aware: its zone is the event's; naive: UTC). Refused (ValidationFailed on
    ``rrule``): what does not parse, SECONDLY/MINUTELY/HOURLY, INTERVAL 0 or over 1000, COUNT
    0 or over 1000, COUNT with UNTIL, UNTIL before the start, a rule that never matches."""
    tz = dtstart.tzinfo if isinstance(dtstart.tzinfo, ZoneInfo) else ZoneInfo("UTC")
    start = to_local(dtstart, tz) if dtstart.tzinfo else dtstart
    parts = _parts(text)
    until = _check(parts, start, tz)
    given = {k: v for k, v in parts.items() if k != "UNTIL"}
    try:
        rule = rrulestr(";".join(f"{k}={v}" for k, v in given.items()), dtstart=start,
                        forceset=False)
        if not isinstance(rule, rrule):
            raise _refuse("not a single RRULE")
        if until is not None:
            rule = rule.replace(until=until)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        raise _refuse(f"not a valid RRULE: {exc}") from None
    normal = ";".join(f"{k}={v}" for k, v in parts.items())
    count = int(parts["COUNT"]) if "COUNT" in parts else None
    series = Rule(text=normal, rule=rule, count=count, until=until)
    if not _may_match(parts, start) or _first(series, start) is None:
        raise _refuse("the rule gives no occurrence within ten years of the start")
    return series


@lru_cache(maxsize=8192)
def stored_rule(text: str, dtstart: datetime) -> Rule:
    """A rule as stored (validated by ``parse_rrule`` when it was saved), parsed for reading:
    the same ``Rule`` without the "never matches" probes, kept per (rule, start) — My day and
    the calendar expand the same series on every request. ``Rule`` is immutable."""
    tz = dtstart.tzinfo if isinstance(dtstart.tzinfo, ZoneInfo) else ZoneInfo("UTC")
    start = to_local(dtstart, tz) if dtstart.tzinfo else dtstart
    parts = _parts(text)
    until = _check(parts, start, tz)
    given = {k: v for k, v in parts.items() if k != "UNTIL"}
    try:
        rule = rrulestr(";".join(f"{k}={v}" for k, v in given.items()), dtstart=start,
                        forceset=False)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError):
        return parse_rrule(text, dtstart)  # raises the full message
    if not isinstance(rule, rrule):
        return parse_rrule(text, dtstart)
    if until is not None:
        rule = rule.replace(until=until)
    count = int(parts["COUNT"]) if "COUNT" in parts else None
    return Rule(text=";".join(f"{k}={v}" for k, v in parts.items()), rule=rule, count=count,
                until=until)


def bounded(series: Rule, stop: datetime) -> rrule:
    """The rule cut at ``stop`` (dateutil otherwise follows a rule that no longer matches
    to the year 9999); a COUNT series keeps its count."""
    if series.count is not None:
        return series.rule
    if series.until is not None and series.until <= stop:
        return series.rule
    return series.rule.replace(until=stop)


def _may_match(parts: dict[str, str], start: datetime) -> bool:
    """A quick look for a rule that can never match (``FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30``):
    dateutil would walk day by day to the year 9999 to find nothing. The same filters as a
    YEARLY rule (one step a year) must match within ten years."""
    filters = {k: v for k, v in parts.items() if k.startswith("BY") and k != "BYSETPOS"}
    if parts["FREQ"] == "YEARLY" or not filters or any(
            c.isdigit() for c in filters.get("BYDAY", "")):
        return True
    body = ";".join(["FREQ=YEARLY", *(f"{k}={v}" for k, v in filters.items())])
    try:
        probe = rrulestr(body, dtstart=start.replace(month=1, day=1))
    except (ValueError, TypeError, KeyError, IndexError, OverflowError):
        return True
    if not isinstance(probe, rrule):
        return True
    return probe.replace(until=start + timedelta(days=3660)).after(start, inc=True) is not None


def _first(series: Rule, start: datetime) -> datetime | None:
    probe = series.rule.replace(count=None, until=start + timedelta(days=3660))
    for at in probe:
        return at
    return None


def last_local(series: Rule, start: datetime) -> datetime | None:
    """The last occurrence's local start (None: open-ended); a COUNT series is followed at
    most ``COUNT_REACH_YEARS`` years."""
    if series.until is not None:
        return series.rule.before(series.until, inc=True) or start
    if series.count is None:
        return None
    stop = start.replace(year=min(start.year + COUNT_REACH_YEARS, 9998), month=1, day=1)
    found = series.rule.between(start, stop, inc=True)
    return found[-1] if found else start


@dataclass(frozen=True)
class Timing:
    """When an event happens: its first start and end (UTC), its zone, its RRULE (or None)."""

    starts_at: datetime
    ends_at: datetime
    time_zone: str
    rrule: str | None = None


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def last_on(timing: Timing) -> date | None:
    """The last local day (in the event's zone) the series may reach: a one-off event's end
    day, a bounded series' last occurrence's end day; None when open-ended."""
    tz = ZoneInfo(timing.time_zone)
    start, end = _aware(timing.starts_at), _aware(timing.ends_at)
    if not timing.rrule:
        return to_local(end, tz).date()
    series = parse_rrule(timing.rrule, start.astimezone(tz))
    last = last_local(series, to_local(start, tz))
    if last is None:
        return None
    return to_local(to_utc(last, tz) + (end - start), tz).date()


def window_bounds(window_start: date, window_end: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants [first moment of ``window_start``, first moment after ``window_end``)
    of local days in ``tz``."""
    lo = to_utc(datetime.combine(window_start, time()), tz)
    hi = to_utc(datetime.combine(window_end + timedelta(days=1), time()), tz)
    return lo, hi


def expand(timing: Timing, window_start: date, window_end: date, viewer_zone: str | None = None
           ) -> list[tuple[datetime, datetime]]:
    """The (start, end) UTC instants of the occurrences starting on a day of
    [window_start, window_end] (days in ``viewer_zone``, by default the event's), oldest
    first. A recurring series is expanded in its own zone's wall-clock time."""
    if window_end < window_start:
        return []
    tz = ZoneInfo(timing.time_zone)
    lo, hi = window_bounds(window_start, window_end, ZoneInfo(viewer_zone or timing.time_zone))
    start, end = _aware(timing.starts_at), _aware(timing.ends_at)
    length = end - start
    if not timing.rrule:
        return [(start, end)] if lo <= start < hi else []
    series = stored_rule(timing.rrule, start.astimezone(tz))
    # a day of margin each side: the local window of another zone, a skipped hour
    local_lo = to_local(lo, tz) - timedelta(days=1)
    local_hi = to_local(hi, tz) + timedelta(days=1)
    out = []
    for local in bounded(series, local_hi).between(local_lo, local_hi, inc=True):
        at = to_utc(local, tz)
        if lo <= at < hi:
            out.append((at, at + length))
    return out
