"""The scorecard's shapes (API, pages, CLI): on-time rates per department or account, a
department's scorecard, effort estimated against actual; and the period they cover.

A period is a month (``2026-11``), a quarter (``2026-Q4``), a year (``2026``) or explicit
``from``/``to`` dates of first delivery (both inclusive): years 1900–2199, ``from`` ≤ ``to``,
less than ten years long. ``parse_period`` and ``check_span`` are the rule (pure); the
service turns their ``ValueError`` into a 422 naming the field.
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from accord.core import periods
from accord.core.errors import FieldProblem, ValidationFailed

#: the years a period may lie in
FIRST_YEAR, LAST_YEAR = 1900, 2199
#: the longest period, in years (a period must end before its start plus this many years)
MAX_YEARS = 10
PERIOD_HELP = "a month, quarter or year: 2026-11, 2026-Q4 or 2026"
MAX_PAGE_SIZE = 200
BY = ("department", "account")
By = Literal["department", "account"]
#: the sort orders of a table of rows: name, delivered, on-time rate (``-``: descending)
SORTS = ("name", "-name", "delivered", "-delivered", "rate", "-rate")


def parse_period(text: str) -> tuple[date, date]:
    """``2026-11`` → (2026-11-01, 2026-11-30); ``2026-Q4`` → (2026-10-01, 2026-12-31);
    ``2026`` → (2026-01-01, 2026-12-31). ValueError with a readable message otherwise."""
    return periods.parse_period(text, first_year=FIRST_YEAR, last_year=LAST_YEAR,
                                help_text=PERIOD_HELP)


def quarter_of(day: date) -> tuple[date, date]:
    """The calendar quarter holding ``day`` (the default period)."""
    return parse_period(f"{day.year:04d}-Q{(day.month + 2) // 3}")


def _plus_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def check_span(start: date, end: date) -> tuple[str, str] | None:
    """Why ``start``–``end`` is no period, as (field, message); None: it is one."""
    for name, day in (("from", start), ("to", end)):
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            return name, f"dates must lie in the years {FIRST_YEAR}-{LAST_YEAR}"
    if start > end:
        return "to", "must be on or after from"
    if end >= _plus_years(start, MAX_YEARS):
        return "to", f"a period is shorter than {MAX_YEARS} years"
    return None


def period_label(start: date, end: date) -> str:
    """The text of a period (inverse of ``parse_period``); ``start–end`` for another span."""
    whole = start.day == 1 and end.day == calendar.monthrange(end.year, end.month)[1]
    if whole and start.year == end.year:
        months = end.month - start.month + 1
        if months == 1:
            return f"{start.year:04d}-{start.month:02d}"
        if months == 3 and start.month % 3 == 1:
            return f"{start.year:04d}-Q{(start.month + 2) // 3}"
        if months == 12:
            return f"{start.year:04d}"
    return f"{start.isoformat()}–{end.isoformat()}"


class Period(BaseModel):
    start: date = Field(description="First day of first delivery counted (inclusive)")
    end: date = Field(description="Last day of first delivery counted (inclusive)")
    label: str = Field(description="2026-11, 2026-Q4, 2026, or from–to")


class OnTimeRow(BaseModel):
    """One department's or account's figures over the period (``id`` None: all of them; an
    account's id is null too for a caller who sees no account)."""

    id: int | None
    name: str
    delivered: int = Field(description="Briefs first delivered in the period")
    on_time: int = Field(description="…of them on or before the agreed due date + blocked days")
    rate: Decimal | None = Field(description="on_time ÷ delivered (4 places); null: none")
    on_time_original: int = Field(description="…on or before the original due date + blocked")
    rate_original: Decimal | None
    late: int = Field(description="delivered − on_time")
    median_turnaround: Decimal | None = Field(
        description="Median working days from sending to the first delivery")
    rounds: int = Field(description="Rounds of changes of these briefs")
    rounds_per_brief: Decimal | None = Field(description="rounds ÷ delivered (2 places)")
    with_rounds: int = Field(description="Briefs with at least one round of changes")
    is_active: bool = Field(True, description="The department is active (accounts: true)")


class OnTimeReport(BaseModel):
    by: By
    period: Period
    department_id: int | None
    overall: OnTimeRow
    items: list[OnTimeRow]
    total: int
    page: int
    page_size: int


class MonthPoint(BaseModel):
    month: str = Field(description="YYYY-MM")
    delivered: int
    on_time: int
    rate: Decimal | None


class LateBrief(BaseModel):
    id: int
    title: str
    account_id: int | None = Field(description="null for a caller who sees no account")
    account_name: str
    first_delivered_on: date
    due_on: date = Field(description="The agreed due date")
    due_with_blocks_on: date
    blocked_days: int
    days_late: int = Field(description="Calendar days after the extended due date")
    rounds: int
    url: str


class EffortRow(BaseModel):
    account_id: int | None = Field(description="null: all, or a caller who sees no account")
    account_name: str
    month: str | None = Field(description="YYYY-MM of the first delivery; null: all")
    briefs: int = Field(description="Briefs first delivered")
    estimated_briefs: int = Field(description="…of them with an estimate")
    actual_briefs: int = Field(description="…of them with actual hours")
    estimated_hours: Decimal
    actual_hours: Decimal
    difference: Decimal = Field(description="actual − estimated hours")


class EffortReport(BaseModel):
    period: Period
    account_id: int | None
    department_id: int | None
    overall: EffortRow
    items: list[EffortRow]
    total: int
    page: int
    page_size: int


class DepartmentRef(BaseModel):
    id: int
    name: str
    is_active: bool


class Scorecard(BaseModel):
    department: DepartmentRef
    period: Period
    today: date
    figures: OnTimeRow
    trend: list[MonthPoint] = Field(description="The 12 months up to today's")
    accounts: OnTimeReport
    late: list[LateBrief] = Field(description="Late briefs of the period, latest first")
    late_total: int
    effort: EffortReport


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed([FieldProblem(field, message)])


def checked_period(start: date, end: date) -> Period:
    """``start``–``end`` as a Period; a 422 naming ``from`` or ``to`` when it is none."""
    problem = check_span(start, end)
    if problem is not None:
        raise _invalid(*problem)
    return Period(start=start, end=end, label=period_label(start, end))


def period_of(*, period: str | None = None, start: date | None = None,
              end: date | None = None, today: date) -> Period:
    """The period asked for: ``period`` (2026-11, 2026-Q4, 2026) or ``start`` and ``end``
    (first-delivery dates, inclusive); neither: the quarter holding ``today``. A 422 naming
    ``period``, ``from`` or ``to`` otherwise."""
    if period is not None and period.strip():
        if start is not None or end is not None:
            raise _invalid("period", "give a period or from and to, not both")
        try:
            start, end = parse_period(period)
        except ValueError as exc:
            raise _invalid("period", str(exc)) from None
    elif start is None and end is None:
        start, end = quarter_of(today)
    elif start is None:
        raise _invalid("from", "give from with to (or a period)")
    elif end is None:
        raise _invalid("to", "give to with from (or a period)")
    return checked_period(start, end)
