"""The figures an objective can be tied to, for many accounts at once, in SQL.

An objective whose metric is one of ``TIED`` takes its current value from Accord's own data,
so its progress is computed, not typed. Each metric is defined once, here:

- ``revenue_12m``: the account's revenue over the 12 months ending with the KPI as-of month
  (the dashboard's: the pinned month of the KPI policy, kept within the data, else the last
  complete month in the data), in currency units; below zero counts as zero;
- ``nrr``: the account's net revenue retention over the KPI policy's window and basis at the
  same as-of month: R(C) ÷ R(P) (for one account, kept plus expansion is R(C)), six decimals;
  None without revenue in the previous window;
- ``share_of_wallet``: ``revenue_12m`` ÷ the account's estimated spend (a fraction, 0.25 for a
  quarter), six decimals; None without an estimated spend;
- ``health``: the account's current health score (``account_health``, 0-100); None when
  never computed or not scored;
- ``key_people_touched``: how many key people of the account's current plan have an
  interaction of the account in (today − 90 days, today]; None without a current plan.

The database adds the monthly revenue and counts the people (``_figures``); the pure rules
below turn those sums into the values. Where the SQL repeats a rule — the window sums over
the months and the touched people — the rule's pure twin sits beside it
(``window_sums`` ↔ ``window_sums_sql``, ``touched_people`` ↔ ``touched_sql``) and
``tests/test_plan_metrics.py`` holds each pair equal on SQLite and PostgreSQL.

Visibility is the caller's: pass only account ids the user may see.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from accord.accounts.models import Account, Interaction, InteractionContact
from accord.core.periods import month_index
from accord.health.models import AccountHealth
from accord.kpis.formulas import DEFAULT_WINDOW, Basis, last_complete_month
from accord.kpis.models import KpiPolicy
from accord.plans.models import AccountPlan, PlanKeyPerson
from accord.revenue.models import MonthlyRevenue

#: the metrics whose value Accord computes (the other one, ``manual``, is typed by hand)
TIED = ("revenue_12m", "nrr", "share_of_wallet", "health", "key_people_touched")
REVENUE_MONTHS = 12
TOUCH_DAYS = 90
#: accounts per statement (bound parameters stay well under SQLite's limit)
CHUNK = 5000
KPI_POLICY_ID = 1
RATIO_PLACES = 6
_RATIO_Q = Decimal(1).scaleb(-RATIO_PLACES)
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Window:
    """The months the revenue metrics read: the as-of month, the KPI window and basis."""

    as_of: int  # month index
    window: int = DEFAULT_WINDOW
    basis: Basis = Basis.TRAILING

    @property
    def first(self) -> int:
        """The earliest month any of the sums reads."""
        back = self.window if self.basis is Basis.POINT else 2 * self.window - 1
        return self.as_of - max(back, REVENUE_MONTHS - 1)


# ---------------------------------------------------------------- pure rules


@dataclass(frozen=True)
class Sums:
    """One account's revenue sums in cents: the 12 months, R(C) and R(P) of the KPI window."""

    months12: int = 0
    current: int = 0
    previous: int = 0


def window_sums(amounts: Mapping[int, int], w: Window) -> Sums:
    """The sums of one account's monthly revenue (month index → cents); SQL twin
    ``window_sums_sql``."""
    def over(low: int, high: int) -> int:  # months in (low, high]
        return sum(a for m, a in amounts.items() if low < m <= high)

    cur_low = w.as_of - 1 if w.basis is Basis.POINT else w.as_of - w.window
    prev_high = w.as_of - w.window
    prev_low = prev_high - 1 if w.basis is Basis.POINT else prev_high - w.window
    return Sums(over(w.as_of - REVENUE_MONTHS, w.as_of), over(cur_low, w.as_of),
                over(prev_low, prev_high))


def touched_people(
    key_contacts: Iterable[int], touches: Iterable[tuple[int, date]], today: date
) -> int:
    """How many of ``key_contacts`` appear in an interaction (contact id, day) of the account
    in (today − ``TOUCH_DAYS``, today]; SQL twin ``touched_sql``."""
    since = today - timedelta(days=TOUCH_DAYS)
    seen = {c for c, day in touches if since < day <= today}
    return len(set(key_contacts) & seen)


def _ratio(numerator: int, denominator: int) -> Decimal:
    return (Decimal(numerator) / Decimal(denominator)).quantize(_RATIO_Q, ROUND_HALF_EVEN)


def revenue_12m(s: Sums) -> Decimal:
    return (Decimal(max(s.months12, 0)) / 100).quantize(_CENT)


def nrr(s: Sums) -> Decimal | None:
    previous = max(s.previous, 0)
    return _ratio(max(s.current, 0), previous) if previous > 0 else None


def share_of_wallet(s: Sums, spend_cents: int | None) -> Decimal | None:
    if spend_cents is None or spend_cents <= 0:
        return None
    return _ratio(max(s.months12, 0), spend_cents)


def values_of(
    s: Sums, spend_cents: int | None, health: int | None, touched: int | None
) -> dict[str, Decimal | None]:
    """Every tied metric of one account from what the database summed and counted."""
    return {
        "revenue_12m": revenue_12m(s),
        "nrr": nrr(s),
        "share_of_wallet": share_of_wallet(s, spend_cents),
        "health": None if health is None else Decimal(health),
        "key_people_touched": None if touched is None else Decimal(touched),
    }


# ---------------------------------------------------------------- the SQL twins


def window_sums_sql(month: Any, amount: Any, w: Window) -> list[ColumnElement[Any]]:
    """``window_sums`` as three aggregates over the rows of ``monthly_revenue`` (month,
    amount) from ``w.first`` to ``w.as_of``: months12, current, previous."""
    def over(low: int, high: int) -> ColumnElement[Any]:
        return func.coalesce(func.sum(case((and_(month > low, month <= high), amount),
                                           else_=0)), 0)

    cur_low = w.as_of - 1 if w.basis is Basis.POINT else w.as_of - w.window
    prev_high = w.as_of - w.window
    prev_low = prev_high - 1 if w.basis is Basis.POINT else prev_high - w.window
    return [over(w.as_of - REVENUE_MONTHS, w.as_of).label("months12"),
            over(cur_low, w.as_of).label("current"), over(prev_low, prev_high).label("previous")]


def touched_sql(account_id: Any, plan_id: Any, today: date) -> Any:
    """``touched_people`` as a scalar subquery: the key people of the plan ``plan_id`` with
    an interaction of the account ``account_id`` in (today − ``TOUCH_DAYS``, today].
    (Correlated explicitly: ``account_id`` belongs to the enclosing query, two levels up.)"""
    since = today - timedelta(days=TOUCH_DAYS)
    touched = (
        select(InteractionContact.interaction_id)
        .join(Interaction, Interaction.id == InteractionContact.interaction_id)
        .where(
            InteractionContact.contact_id == PlanKeyPerson.contact_id,
            Interaction.account_id == account_id,
            Interaction.occurred_on > since,
            Interaction.occurred_on <= today,
        )
        .correlate_except(InteractionContact, Interaction)
    )
    return (
        select(func.count(PlanKeyPerson.id))
        .where(PlanKeyPerson.plan_id == plan_id, touched.exists())
        .correlate_except(PlanKeyPerson)
        .scalar_subquery()
    )


# ---------------------------------------------------------------- reading them


def revenue_window(session: Session, today: date) -> Window:
    """The as-of month, window and basis the dashboard would use today (one statement): the
    KPI policy's pin, kept within the data, else the last complete month in the data."""
    last = select(func.max(MonthlyRevenue.month)).scalar_subquery()
    row = session.execute(
        select(KpiPolicy.as_of_month, KpiPolicy.window_months, KpiPolicy.basis, last)
        .where(KpiPolicy.id == KPI_POLICY_ID)
    ).first()
    if row is None:
        last_month = session.scalar(select(func.max(MonthlyRevenue.month)))
        pinned, window, basis = None, DEFAULT_WINDOW, Basis.TRAILING.value
    else:
        pinned, window, basis, last_month = row
    if pinned is not None and last_month is not None and pinned > last_month:
        pinned = last_month
    as_of = pinned if pinned is not None else last_complete_month(last_month, month_index(today))
    return Window(as_of, window or DEFAULT_WINDOW, Basis(basis or Basis.TRAILING.value))


def _figures(session: Session, ids: list[int], w: Window, today: date) -> Iterable[Any]:
    revenue = (
        select(MonthlyRevenue.account_id,
               *window_sums_sql(MonthlyRevenue.month, MonthlyRevenue.amount_cents, w))
        .where(MonthlyRevenue.account_id.in_(ids), MonthlyRevenue.month >= w.first,
               MonthlyRevenue.month <= w.as_of)
        .group_by(MonthlyRevenue.account_id)
        .subquery("revenue")
    )
    plan = (
        select(AccountPlan.account_id, AccountPlan.id)
        .where(AccountPlan.account_id.in_(ids), AccountPlan.is_current.is_(True))
        .subquery("plan")
    )
    return session.execute(
        select(
            Account.id, Account.estimated_spend_cents, AccountHealth.score,
            revenue.c.months12, revenue.c.current, revenue.c.previous,
            case((plan.c.id.is_not(None), touched_sql(Account.id, plan.c.id, today)))
            .label("touched"),
        )
        .outerjoin(revenue, revenue.c.account_id == Account.id)
        .outerjoin(AccountHealth, AccountHealth.account_id == Account.id)
        .outerjoin(plan, plan.c.account_id == Account.id)
        .where(Account.id.in_(ids))
    )


def current_values(
    session: Session, account_ids: Collection[int], *, today: date, window: Window | None = None
) -> dict[tuple[int, str], Decimal | None]:
    """{(account id, metric): current value} of every ``TIED`` metric of the given accounts
    (one statement per ``CHUNK`` accounts, one more for the window when ``window`` is not
    given). Accounts that do not exist are left out."""
    ids = sorted(set(account_ids))
    out: dict[tuple[int, str], Decimal | None] = {}
    if not ids:
        return out
    w = window or revenue_window(session, today)
    for start in range(0, len(ids), CHUNK):
        for row in _figures(session, ids[start:start + CHUNK], w, today):
            sums = Sums(int(row.months12 or 0), int(row.current or 0), int(row.previous or 0))
            touched = None if row.touched is None else int(row.touched)
            for metric, value in values_of(sums, row.estimated_spend_cents, row.score,
                                           touched).items():
                out[(row.id, metric)] = value
    return out
