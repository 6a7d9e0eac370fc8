"""The company's working days: which weekdays are worked, which dates are public holidays,
and how to add and count working days (deadlines: "10 working days after submission").

Pure: the standard library, and pydantic through ``core.policy`` for the stored setting
(``WorkCalendarPolicy``, kept in ``core.policy_store`` under the name ``calendar``). A
``WorkCalendar`` is what the rules take; ``accord.core.work_calendar.work_calendar`` reads it.

Counting is by whole weeks plus a bisect over the sorted holidays, so a deadline years away
costs a handful of steps, never a walk of every day.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from accord.core.errors import FieldProblem
from accord.core.policy import Policy
from accord.core.text import LINE_MESSAGE, refused_character

#: Monday … Friday (``date.weekday()``: 0 is Monday, 6 is Sunday)
DEFAULT_WEEKDAYS = frozenset(range(5))
#: the most working days one call adds (about ten years): a bound, not a business rule
MAX_DAYS = 3660
#: the most holidays one calendar holds (a century of a country's public holidays)
MAX_HOLIDAYS = 2000
#: the longest holiday name
MAX_NAME = 120
#: holidays are dates of these years
FIRST_YEAR = 1900
LAST_YEAR = 2199
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class WorkCalendar:
    """Working weekdays (0 = Monday … 6 = Sunday) and the public holidays."""

    weekdays: frozenset[int] = DEFAULT_WEEKDAYS
    holidays: frozenset[date] = frozenset()
    #: the holidays that fall on a working weekday, sorted (the ones that cost a day)
    _closed: tuple[date, ...] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not self.weekdays:
            raise ValueError("a calendar needs at least one working weekday")
        if not self.weekdays <= frozenset(range(7)):
            raise ValueError("weekdays are 0 (Monday) to 6 (Sunday)")
        closed = tuple(sorted(d for d in self.holidays if d.weekday() in self.weekdays))
        object.__setattr__(self, "_closed", closed)

    def closed_between(self, start: date, end: date) -> int:
        """Holidays on a working weekday in (start, end]."""
        return bisect.bisect_right(self._closed, end) - bisect.bisect_right(self._closed, start)


DEFAULT_CALENDAR = WorkCalendar()


def is_working_day(cal: WorkCalendar, day: date) -> bool:
    """A working weekday that is no holiday."""
    return day.weekday() in cal.weekdays and day not in cal.holidays


def count_working_days(cal: WorkCalendar, start: date, end: date) -> int:
    """Working days in (start, end]: ``start`` itself is not counted; 0 when end ≤ start."""
    if end <= start:
        return 0
    span = (end - start).days
    weeks, rest = divmod(span, 7)
    total = weeks * len(cal.weekdays)
    first = start.weekday()
    total += sum(1 for i in range(1, rest + 1) if (first + i) % 7 in cal.weekdays)
    return total - cal.closed_between(start, end)


def add_working_days(cal: WorkCalendar, start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` not counted; 0 → ``start``).

    ``days`` is 0 to ``MAX_DAYS``; a ``ValueError`` past that or past the last date."""
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_DAYS:
        raise ValueError(f"days must be a whole number from 0 to {MAX_DAYS}")
    current, remaining = start, days
    per_week = len(cal.weekdays)
    try:
        while remaining > 0:
            # jump whole weeks while more than a week's working days remain: each jump
            # counts fewer days than remain, so the walk below ends on a working day
            weeks = (remaining - 1) // per_week
            if weeks:
                target = current + timedelta(days=7 * weeks)
                remaining -= count_working_days(cal, current, target)
                current = target
                continue
            current += timedelta(days=1)
            if is_working_day(cal, current):
                remaining -= 1
    except OverflowError:
        raise ValueError("the result is past the last date of the calendar") from None
    return current


# ---------------------------------------------------------------- the stored setting

HolidayName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME)
]
Weekday = Annotated[int, Field(strict=True, ge=0, le=6)]


class Holiday(BaseModel):
    """One public holiday: its date and its name ("Christmas Day")."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    on: date
    name: HolidayName


class WorkCalendarPolicy(Policy):
    """The working weekdays and the public holidays (policy ``calendar``, admins edit it)."""

    KIND: ClassVar[str] = "calendar"

    #: the days of the week worked, 0 = Monday … 6 = Sunday
    working_weekdays: list[Weekday] = Field(default_factory=lambda: sorted(DEFAULT_WEEKDAYS))
    #: the public holidays, one per date
    holidays: list[Holiday] = Field(default_factory=list, max_length=MAX_HOLIDAYS)

    def problems(self) -> list[FieldProblem]:
        out = []
        if not self.working_weekdays:
            out.append(FieldProblem("working_weekdays", "at least one working weekday"))
        elif len(set(self.working_weekdays)) != len(self.working_weekdays):
            out.append(FieldProblem("working_weekdays", "each weekday once"))
        seen: set[date] = set()
        for i, holiday in enumerate(self.holidays):
            if not FIRST_YEAR <= holiday.on.year <= LAST_YEAR:
                out.append(
                    FieldProblem(f"holidays.{i}.on", f"a date from {FIRST_YEAR} to {LAST_YEAR}")
                )
            if holiday.on in seen:
                out.append(FieldProblem(f"holidays.{i}.on", f"{holiday.on} is listed twice"))
            seen.add(holiday.on)
            if refused_character(holiday.name, one_line=True) is not None:
                out.append(FieldProblem(f"holidays.{i}.name", LINE_MESSAGE))
        return out

    def calendar(self) -> WorkCalendar:
        """The calendar the rules take."""
        return WorkCalendar(
            frozenset(self.working_weekdays), frozenset(h.on for h in self.holidays)
        )

    def normalised(self) -> WorkCalendarPolicy:
        """The same policy with the weekdays and the holidays in order (as it is stored)."""
        return self.model_copy(
            update={
                "working_weekdays": sorted(set(self.working_weekdays)),
                "holidays": sorted(self.holidays, key=lambda h: h.on),
            }
        )
