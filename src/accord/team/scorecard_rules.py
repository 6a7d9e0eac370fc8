"""Scorecards per manager, the pure part (issue 17): periods, the figures a scorecard shows
(each with its definition), the trend of a figure over the periods, its status against a
target, the one figure defined here (hand-offs accepted on time), the sort of the tables and
the shapes the doors show.

- A **period** is a calendar month, quarter or year (``2027-01``, ``2027-Q1``, ``2027``: the
  targets' periods, ``plans.targets.rules``). Without one, the scorecard shows the last
  complete month (the month before today's). The **trend** is the period and the
  ``TREND_PERIODS - 1`` periods of the same kind before it.
- A **figure** is defined where Accord computes it: the KPI registry (``kpis.registry``:
  NRR, GRR, coverage, the briefs' on-time rate) or the module that owns it (``source``);
  figures with no registry entry say so (``registry`` None). ``history`` False: the figure
  is today's (coverage, plans, licence utilisation keep no history), whatever the period.
- **Hand-offs accepted on time**: of the hand-offs a manager received and accepted in the
  period, those accepted on or before their deadline (``handoffs.rules.is_overdue``: the
  deadline day itself is not late); a hand-off without a deadline is not judged.
- **Trend**: the period against the one before it: up, down or flat, and whether that is
  better (``higher_is_better``). **Status**: the targets' rule (``plans.targets.rules``).

Standard library, Decimal and pydantic only; "today" is passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel

from accord.core import periods
from accord.handoffs.rules import HandoffState, is_overdue
from accord.kpis.registry import BY_SLUG
from accord.plans.targets import rules as target_rules

PERIOD_HELP = target_rules.PERIOD_HELP
#: the periods a trend shows: this one and the four before it
TREND_PERIODS = 5
SHARE = Decimal("0.0001")


class PeriodError(ValueError):
    """Text that names no period (the message says what is expected)."""


# ---------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    kind: str  # month | quarter | year
    start: date
    end: date

    @property
    def label(self) -> str:
        return target_rules.period_label(self.start, self.end)

    @property
    def first_month(self) -> int:
        return periods.month_index(self.start)

    @property
    def last_month(self) -> int:
        return periods.month_index(self.end)

    def shifted(self, count: int) -> Period:
        """The period ``count`` periods later (earlier when negative), of the same kind."""
        size = {"month": 1, "quarter": 3, "year": 12}[self.kind]
        first = self.first_month + count * size
        return replace(self, start=periods.first_day(first),
                       end=periods.first_day(first + size) - timedelta(days=1))


def parse_period(text: str | None) -> Period:
    """``2027-01``, ``2027-Q1`` or ``2027`` (years 2000-2100); PeriodError otherwise."""
    try:
        start, end = target_rules.parse_period(text)
    except target_rules.PeriodError as exc:
        raise PeriodError(str(exc)) from None
    months = periods.month_index(end) - periods.month_index(start) + 1
    return Period({1: "month", 3: "quarter"}.get(months, "year"), start, end)


def default_period(today: date) -> Period:
    """The last complete month: the month before today's."""
    previous = periods.month_index(today) - 1
    return parse_period(periods.format_month(previous))


def period_or_default(text: str | None, today: date) -> Period:
    return parse_period(text) if text is not None and text.strip() else default_period(today)


def trend_periods(period: Period, count: int = TREND_PERIODS) -> list[Period]:
    """The ``count`` periods ending with ``period``, oldest first."""
    return [period.shifted(i - count + 1) for i in range(count)]


def period_of_day(day: date, chosen: Sequence[Period]) -> int | None:
    """The index of the period in ``chosen`` holding ``day`` (None: none does)."""
    for i, p in enumerate(chosen):
        if p.start <= day <= p.end:
            return i
    return None


# ---------------------------------------------------------------- the figures


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    unit: str  # ratio | money | count
    definition: str
    formula: str
    source: str  # the module whose code computes it
    registry: str | None = None  # its KPI registry slug; None: not in the registry
    higher_is_better: bool = True
    history: bool = True  # False: today's value whatever the period
    target_metric: str | None = None  # the targets' metric it is measured against


def _registered(slug: str, key: str, source: str, **more: Any) -> Figure:
    kpi = BY_SLUG[slug]
    return Figure(key, kpi.label, kpi.unit, kpi.description, kpi.formula, source,
                  registry=slug, **more)


_TARGET = target_rules.RULES
FIGURES: tuple[Figure, ...] = (
    _registered("nrr", "nrr", "kpis (the manager's book: accounts.manager_id)",
                target_metric="book_nrr"),
    _registered("grr", "grr", "kpis (the manager's book: accounts.manager_id)"),
    Figure("revenue", "Revenue", "money",
           "Revenue of the manager's accounts in the period (up to today), against the "
           "period's book revenue target.",
           "Σ monthly revenue of the book over the period's months", "plans.targets.actuals",
           target_metric="book_revenue"),
    Figure("new_key_accounts", _TARGET[target_rules.Metric.NEW_KEY_ACCOUNTS].label, "count",
           "Accounts of the manager that are key accounts at the end of the period (or today) "
           "and were not just before it began.",
           "|{i in book : key at end, not key before start}|", "plans.targets.actuals",
           target_metric="new_key_accounts"),
    _registered("coverage", "coverage", "calendar.cadence", history=False),
    Figure("plans_complete", _TARGET[target_rules.Metric.PLANS_COMPLETE].label, "count",
           "Key accounts of the manager (today) whose current plan is complete.",
           "|{i in key accounts : completeness(plan_i) = 1}|", "plans.targets.actuals",
           history=False, target_metric="plans_complete"),
    Figure("plans_stale", "Plans stale", "count",
           "Current plans of the manager's accounts not reviewed (or, never reviewed, not "
           "started) within the review interval of the plans settings.",
           "|{current plans : today − (last review or start) > interval}|",
           "plans.list_queries", higher_is_better=False, history=False),
    Figure("handoffs_on_time", "Hand-offs accepted on time", "ratio",
           "Hand-offs the manager received and accepted in the period, accepted on or before "
           "their deadline; hand-offs without a deadline are left out.",
           "accepted on or before the deadline ÷ accepted with a deadline", "team.scorecard_rules"),
    _registered("brief_on_time_rate", "briefs_on_time", "agency.scorecard"),
    Figure("inputs_escalated", "Client inputs escalated", "count",
           "Client inputs on the manager's accounts escalated to the head in the period (no "
           "answer after the chases the agency settings allow).",
           "|{input requests : escalated in the period}|", "agency.inputs",
           higher_is_better=False),
    Figure("licence_utilisation", "Licence utilisation", "ratio",
           "Seats in use (active where a usage report covers them, else assigned) ÷ seats "
           "purchased, over the services with seats purchased on the accounts of the book, "
           "today.", "Σ in use ÷ Σ purchased", "licences.usage", history=False),
    Figure("win_back", "Clients won back", "count",
           "Members of the treatment group of the win-back campaigns the manager created, "
           "frozen in the period, who bought again in the campaign's window.",
           "Σ treatment buyers (each campaign's result)", "clients.campaigns"),
)
BY_KEY = {f.key: f for f in FIGURES}
KEYS = tuple(BY_KEY)
#: figures the KPI registry does not define (their definition is their owner's)
UNREGISTERED = tuple(f.key for f in FIGURES if f.registry is None)


def figure_of(text: str | None) -> Figure:
    """The figure named ``text``; ValueError naming the choices otherwise."""
    found = BY_KEY.get((text or "").strip())
    if found is None:
        raise ValueError("one of " + ", ".join(KEYS))
    return found


# ---------------------------------------------------------------- rules of the figures


def share(part: int, whole: int) -> Decimal | None:
    """part ÷ whole to four decimals (half to even); None without a whole."""
    return None if whole <= 0 else (Decimal(part) / Decimal(whole)).quantize(SHARE)


def handoff_on_time(accepted_on: date, due_on: date | None) -> bool | None:
    """Accepted on or before the deadline (None: no deadline, not judged)."""
    if due_on is None:
        return None
    return not is_overdue(HandoffState.SUBMITTED, due_on, accepted_on)


def utilised(assigned: int, reported: int, active: int) -> int:
    """Seats in use of one service (``licences.rules.usage``): the active ones where a usage
    report covers the seats, else the assigned ones."""
    return active if reported else assigned


# ---------------------------------------------------------------- trend and status


@dataclass(frozen=True)
class Trend:
    direction: str | None  # up | down | flat; None: not both periods known
    change: Decimal | None
    better: bool | None


def trend(values: Sequence[Decimal | None], higher_is_better: bool) -> Trend:
    """The last value against the one before it."""
    if len(values) < 2 or values[-1] is None or values[-2] is None:
        return Trend(None, None, None)
    change = Decimal(values[-1]) - Decimal(values[-2])
    if change == 0:
        return Trend("flat", change, None)
    return Trend("up" if change > 0 else "down", change, (change > 0) == higher_is_better)


def target_status(figure: Figure, value: Decimal | None, target: Decimal | None,
                  period: Period, today: date) -> tuple[Decimal | None, str | None]:
    """(attainment, status) of ``value`` against ``target`` by the targets' rules."""
    if figure.target_metric is None or target is None:
        return None, None
    metric = target_rules.Metric(figure.target_metric)
    found = target_rules.status(metric, value, target, period.start, period.end, today)
    return target_rules.attainment(value, target), None if found is None else found.value


# ---------------------------------------------------------------- sorting

SORT_KEYS = ("manager", "team", *KEYS)
SORTS = (*SORT_KEYS, *(f"-{k}" for k in SORT_KEYS))
T = TypeVar("T")


def check_sort(sort: str) -> str:
    if sort not in SORTS:
        raise ValueError("one of " + ", ".join(SORT_KEYS) + " (a leading - sorts descending)")
    return sort


def sort_rows(rows: list[T], sort: str, value: Callable[[T, str], Any]) -> list[T]:
    """``rows`` by ``value(row, key)``; rows without a value last, whatever the direction."""
    key = check_sort(sort).lstrip("-")
    descending = sort.startswith("-")
    known = [r for r in rows if value(r, key) is not None]
    unknown = [r for r in rows if value(r, key) is None]
    known.sort(key=lambda r: value(r, key), reverse=descending)
    return known + unknown


# ---------------------------------------------------------------- the shapes


class ManagerOut(BaseModel):
    id: int
    email: str
    name: str
    role: str
    team_id: int | None = None
    team: str | None = None


class FigureHead(BaseModel):
    """What a figure is: its name, unit and definition (registry slug when it has one)."""

    key: str
    label: str
    unit: str
    definition: str
    formula: str
    source: str
    registry: str | None
    history: bool
    measured: bool = True
    note: str | None = None


class PointOut(BaseModel):
    period: str
    value: Decimal | None


class FigureOut(FigureHead):
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    target: Decimal | None = None
    attainment: Decimal | None = None
    status: str | None = None
    trend: list[PointOut] = []
    direction: str | None = None
    change: Decimal | None = None
    better: bool | None = None
    accounts: str = ""


class ScorecardOut(BaseModel):
    period: str
    period_start: date
    period_end: date
    today: date
    manager: ManagerOut
    periods: list[str]
    figures: list[FigureOut]


class CellOut(BaseModel):
    value: Decimal | None = None
    direction: str | None = None
    better: bool | None = None
    status: str | None = None


class RowOut(BaseModel):
    kind: str  # manager | team | portfolio
    label: str
    manager: ManagerOut | None = None
    team_id: int | None = None
    cells: dict[str, CellOut]


class TeamChoice(BaseModel):
    id: int
    name: str


class ScorecardsOut(BaseModel):
    period: str
    previous: str
    today: date
    sort: str
    team_id: int | None
    figures: list[FigureHead]
    rows: list[RowOut]
    teams: list[RowOut]
    portfolio: RowOut
    team_choices: list[TeamChoice] = []


class AccountLine(BaseModel):
    account_id: int
    name: str
    values: dict[str, str | int | Decimal | bool | date | None]


class AccountsOut(BaseModel):
    manager: ManagerOut
    period: str
    figure: FigureHead
    value: Decimal | None
    columns: list[str]
    items: list[AccountLine]
    total: int
    page: int
    page_size: int
    pages: int
