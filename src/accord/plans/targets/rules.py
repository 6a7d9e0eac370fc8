"""Targets for managers, as pure rules: metrics, periods, bounds, attainment and status.

- A **metric** is one of ``METRICS``: the revenue of the manager's book in the period
  (money), the net revenue retention of the book (a ratio such as 1.05), the accounts of the
  book that became key accounts during the period (a count), the book's key accounts whose
  current plan is complete (a count).
- A **period** is a calendar month, quarter or year, written ``2027-01``, ``2027-Q1`` or
  ``2027``; ``parse_period`` gives its first and last day, ``period_label`` writes it back.
- **Attainment** is actual ÷ target. **Status**: a metric that accumulates over the period
  (revenue, new key accounts) is ``on_track`` while its attainment is at least the elapsed
  share of the period (today given), else ``behind``; a level (NRR, plans complete) is
  ``on_track`` when it reaches the target, else ``behind``. No actual: no status.

Standard library only; "today" is passed in.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from accord.core import periods


class Metric(StrEnum):
    BOOK_REVENUE = "book_revenue"
    BOOK_NRR = "book_nrr"
    NEW_KEY_ACCOUNTS = "new_key_accounts"
    PLANS_COMPLETE = "plans_complete"


METRICS = tuple(m.value for m in Metric)


@dataclass(frozen=True)
class MetricRule:
    label: str
    unit: str  # money | ratio | count
    places: int  # decimals allowed in a target
    high: Decimal  # the largest target
    cumulative: bool  # accumulates over the period (judged against the elapsed share)
    help: str


RULES: dict[Metric, MetricRule] = {
    Metric.BOOK_REVENUE: MetricRule(
        "Revenue of the book", "money", 2, Decimal("1000000000000"), True,
        "revenue of the manager's accounts in the period"),
    Metric.BOOK_NRR: MetricRule(
        "NRR of the book", "ratio", 4, Decimal("10"), False,
        "net revenue retention of the manager's accounts as of the period's last month "
        "(e.g. 1.05)"),
    Metric.NEW_KEY_ACCOUNTS: MetricRule(
        "New key accounts", "count", 0, Decimal("10000"), True,
        "accounts of the manager that became key accounts during the period"),
    Metric.PLANS_COMPLETE: MetricRule(
        "Plans complete", "count", 0, Decimal("10000"), False,
        "key accounts of the manager whose current plan is complete"),
}

#: the years a period may lie in
FIRST_YEAR, LAST_YEAR = 2000, 2100
PERIOD_HELP = "a month, quarter or year: 2027-01, 2027-Q1 or 2027"


class PeriodError(ValueError):
    """Text that names no period (the message says what is expected)."""


class TargetError(ValueError):
    """A target value out of bounds for its metric."""


def parse_metric(text: str | None) -> Metric:
    """The metric named ``text``; ValueError naming the choices otherwise."""
    if text is None or not str(text).strip():
        raise ValueError("choose a metric: " + ", ".join(METRICS))
    try:
        return Metric(str(text).strip())
    except ValueError:
        raise ValueError("must be one of " + ", ".join(METRICS)) from None


def parse_period(text: str | None) -> tuple[date, date]:
    """``2027-01`` → (2027-01-01, 2027-01-31); ``2027-Q1`` → (2027-01-01, 2027-03-31);
    ``2027`` → (2027-01-01, 2027-12-31). PeriodError otherwise (``core.periods``)."""
    return periods.parse_period(text, first_year=FIRST_YEAR, last_year=LAST_YEAR,
                                help_text=PERIOD_HELP, error=PeriodError)


def period_label(start: date, end: date) -> str:
    """The text of a period (inverse of ``parse_period``); ``start–end`` for any other span."""
    whole_months = start.day == 1 and end.day == calendar.monthrange(end.year, end.month)[1]
    if whole_months and start.year == end.year:
        months = end.month - start.month + 1
        if months == 1:
            return f"{start.year:04d}-{start.month:02d}"
        if months == 3 and start.month % 3 == 1:
            return f"{start.year:04d}-Q{(start.month + 2) // 3}"
        if months == 12:
            return f"{start.year:04d}"
    return f"{start.isoformat()}–{end.isoformat()}"


def period_months(start: date, end: date) -> tuple[int, int]:
    """First and last month index (``year * 12 + month - 1``) of a period."""
    return start.year * 12 + start.month - 1, end.year * 12 + end.month - 1


def parse_target(metric: Metric, raw: object) -> Decimal:
    """A target for ``metric``: a finite number above 0, at most the metric's bound and
    decimals. TargetError otherwise."""
    rule = RULES[metric]
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise TargetError("give a target")
    if isinstance(raw, bool) or not isinstance(raw, str | int | float | Decimal):
        raise TargetError("must be a number")
    try:
        value = Decimal(str(raw).strip().replace(",", "")) if isinstance(raw, str) \
            else Decimal(str(raw))
    except InvalidOperation:
        raise TargetError(f"must be a number, got {str(raw)[:40]!r}") from None
    if not value.is_finite():
        raise TargetError("must be a finite number")
    if value <= 0:
        raise TargetError("must be more than 0")
    if value > rule.high:
        raise TargetError(f"at most {rule.high:,} for {metric.value}")
    if value != value.quantize(Decimal(1).scaleb(-rule.places)):
        raise TargetError("must be a whole number" if rule.places == 0
                          else f"at most {rule.places} decimals")
    return value.quantize(Decimal(1).scaleb(-rule.places))


def attainment(actual: Decimal | None, target: Decimal) -> Decimal | None:
    """Actual ÷ target, to 4 decimals (None without an actual or a positive target)."""
    if actual is None or target <= 0:
        return None
    return (Decimal(actual) / Decimal(target)).quantize(Decimal("0.0001"))


def elapsed_share(start: date, end: date, today: date) -> Decimal:
    """The share of the period's days passed by the end of ``today``: 0 before it, 1 after."""
    if today < start:
        return Decimal(0)
    if today >= end:
        return Decimal(1)
    days = (end - start).days + 1
    return (Decimal((today - start).days + 1) / Decimal(days)).quantize(Decimal("0.0001"))


class Status(StrEnum):
    ON_TRACK = "on_track"
    BEHIND = "behind"


def status(
    metric: Metric, actual: Decimal | None, target: Decimal, start: date, end: date, today: date
) -> Status | None:
    """``on_track`` or ``behind`` (None without an actual); see the module's docstring."""
    reached = attainment(actual, target)
    if reached is None:
        return None
    if RULES[metric].cumulative:
        return Status.ON_TRACK if reached >= elapsed_share(start, end, today) else Status.BEHIND
    return Status.ON_TRACK if reached >= 1 else Status.BEHIND


def contains(start: date, end: date, day: date) -> bool:
    """Whether ``day`` lies in the period."""
    return start <= day <= end
