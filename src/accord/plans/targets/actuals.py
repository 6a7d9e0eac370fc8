"""The actuals of managers' targets, computed by the database from Accord's own figures.

Each function answers for many managers at once (one statement per period, never one per
manager or account), for what the asking ``user`` sees (``accounts.visibility``; the
service lets a user read only the targets of managers whose book they see whole):

- ``book_revenue``: the sum of ``monthly_revenue`` (the revenue store the KPI engine derives
  its figures from) over the period's months up to ``through``, for the accounts the manager
  is responsible for (``accounts.manager_id``);
- ``book_nrr``: the KPI engine's NRR of the manager's book — its ``by_manager`` breakdown
  (``kpis.service.kpi_report``), as of the period's last month, or the report's month / the
  last complete month of the data when that comes first; none before the period has a month
  of data;
- ``new_key_accounts``: the manager's accounts that are key accounts at the end of the
  period (or ``through``) and were not just before it began. An account is key on a day when
  its latest scoring up to that day falls in a key tier (``selection.rules.KEY_TIERS``,
  quadrants under today's cut lines: ``selection.queries.quadrant_sql`` / ``key_tier_sql``)
  and it is not deselected since (a deselection dated on or before that day);
- ``plans_complete``: the manager's accounts that are key accounts today and whose current
  plan's completeness is 1 — today's count, whatever the period (plans keep no history of
  their completeness).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, case, exists, func, not_, or_, select
from sqlalchemy.orm import Session, aliased

from accord.accounts.models import Account
from accord.accounts.visibility import sees_everything, visible_accounts
from accord.core.errors import ValidationFailed
from accord.core.models import User
from accord.core.periods import format_month, month_index
from accord.kpis import service as kpi_service
from accord.kpis.formulas import last_complete_month
from accord.plans.listing import SCALE as COMPLETE
from accord.plans.listing import plan_completeness_sql
from accord.plans.models import AccountPlan
from accord.plans.targets.rules import Metric
from accord.revenue.models import MonthlyRevenue
from accord.selection.models import Deselection, Scoring
from accord.selection.queries import key_tier_sql, placed, quadrant_sql
from accord.selection.rules import SelectionPolicy
from accord.selection.settings import selection_policy


def _visible(user: User) -> ColumnElement[bool] | None:
    return None if sees_everything(user) else visible_accounts(user)


def _book(manager_ids: Iterable[int], user: User) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Account.manager_id.in_(sorted(set(manager_ids)))]
    visible = _visible(user)
    if visible is not None:
        conditions.append(visible)
    return conditions


def book_revenue(
    session: Session, user: User, manager_ids: Iterable[int], first_month: int, last_month: int
) -> dict[int, Decimal]:
    """{manager id: revenue of their book over months ``first_month..last_month``} (0.00 for
    a manager without revenue; none at all when the span is empty)."""
    spans = book_revenue_spans(session, user, manager_ids, [(first_month, last_month)])
    return spans.get((first_month, last_month), {})


def book_revenue_spans(
    session: Session, user: User, manager_ids: Iterable[int], spans: list[tuple[int, int]]
) -> dict[tuple[int, int], dict[int, Decimal]]:
    """``book_revenue`` for several spans of months at once: one statement, a sum per span."""
    ids = sorted(set(manager_ids))
    spans = sorted({(a, b) for a, b in spans if a <= b})
    if not ids or not spans:
        return {}
    month = MonthlyRevenue.month
    sums = [func.sum(case((month.between(a, b), MonthlyRevenue.amount_cents), else_=0))
            for a, b in spans]
    rows = session.execute(
        select(Account.manager_id, *sums)
        .join(Account, Account.id == MonthlyRevenue.account_id)
        .where(*_book(ids, user), month.between(spans[0][0], max(b for _, b in spans)))
        .group_by(Account.manager_id)
    ).all()
    found = {int(r[0] or 0): r[1:] for r in rows}
    return {
        span: {m: (Decimal(int((found.get(m) or [0] * len(spans))[i] or 0)) / 100).quantize(
            Decimal("0.01")) for m in ids}
        for i, span in enumerate(spans)
    }


def _quadrant_on(policy: Any, day: date, *, inclusive: bool) -> Any:
    """The quadrant of the account's latest scoring on or before ``day`` (before it when not
    ``inclusive``), correlated to ``Account``; NULL without one."""
    s = aliased(Scoring, name="scored")
    upto = s.scored_on <= day if inclusive else s.scored_on < day
    return (
        select(quadrant_sql(s.attractiveness_milli, s.us_weighted, s.competitor_weighted, policy))
        .where(s.account_id == Account.id, upto)
        .order_by(s.scored_on.desc(), s.id.desc())
        .limit(1)
        .correlate(Account)
        .scalar_subquery()
    )


def _end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)


def new_key_accounts(
    session: Session, user: User, manager_ids: Iterable[int], start: date, end: date,
    policy: SelectionPolicy | None = None,
) -> dict[int, int]:
    """{manager id: accounts of their book key on ``end`` and not key the day before
    ``start``}."""
    ids = sorted(set(manager_ids))
    if not ids or end < start:
        return {}
    policy = policy or selection_policy(session)
    at_end = _quadrant_on(policy, end, inclusive=True)
    before = _quadrant_on(policy, start, inclusive=False)
    deselected = exists().where(Deselection.account_id == Account.id,
                                Deselection.deselected_at < _end_of(end))
    # only accounts scored by ``end`` can be key then: that set first, so the latest-scoring
    # lookups run for them alone, not for every account of the book (individual clients)
    scored = select(Scoring.account_id).where(Scoring.scored_on <= end)
    rows = session.execute(
        select(Account.manager_id, func.count())
        .where(Account.id.in_(scored), *_book(ids, user), key_tier_sql(at_end),
               or_(before.is_(None), not_(key_tier_sql(before))), not_(deselected))
        .group_by(Account.manager_id)
    )
    found = {int(m or 0): int(n) for m, n in rows}
    return {m: found.get(m, 0) for m in ids}


def key_accounts_now(
    session: Session, user: User, manager_ids: Iterable[int],
    policy: SelectionPolicy | None = None,
) -> Any:
    """A select of (account id, manager id) of the managers' accounts in a key tier today."""
    tiers = placed(policy or selection_policy(session))
    return (
        select(Account.id.label("account_id"), Account.manager_id.label("manager_id"))
        .join(tiers, tiers.c.account_id == Account.id)
        .where(*_book(manager_ids, user), key_tier_sql(tiers.c.tier))
    )


def plans_complete(
    session: Session, user: User, manager_ids: Iterable[int],
    policy: SelectionPolicy | None = None,
) -> dict[int, int]:
    """{manager id: their key accounts (today) whose current plan's completeness is 1}: the
    completeness of the Plans list, in SQL (``plans.listing.plan_completeness_sql``, the twin
    of ``plans.rules.completeness``)."""
    ids = sorted(set(manager_ids))
    if not ids:
        return {}
    key = key_accounts_now(session, user, ids, policy).subquery("key_accounts")
    rows = session.execute(
        select(key.c.manager_id, func.count())
        .select_from(key)
        .join(AccountPlan, (AccountPlan.account_id == key.c.account_id)
              & AccountPlan.is_current.is_(True))
        .where(plan_completeness_sql(AccountPlan) == COMPLETE)
        .group_by(key.c.manager_id)
    )
    found = {int(m): int(n) for m, n in rows}
    return {m: found.get(m, 0) for m in ids}


def nrr_month(end_month: int, start_month: int, cap: int | None) -> int | None:
    """The as-of month of a period's book NRR: its last month, or ``cap`` when earlier;
    None when that is before the period began."""
    month = end_month if cap is None else min(end_month, cap)
    return month if month >= start_month else None


def book_nrr(
    session: Session, user: User, managers: dict[int, str], month: int, *, today: date,
    doc: dict[str, Any] | None = None,
) -> dict[int, Decimal | None]:
    """{manager id: the KPI engine's NRR of their book as of ``month``}: the ``by_manager``
    rows of the KPI document (``doc`` when the caller has that month's already)."""
    if not managers:
        return {}
    if doc is None or doc.get("as_of") != format_month(month) or "by_manager" not in doc:
        try:
            doc = kpi_service.kpi_report(session, user, today=today, as_of=format_month(month),
                                         by="manager")
        except ValidationFailed:  # a month past the data
            return dict.fromkeys(managers)
    rows = {r["manager"]: r["nrr"] for r in doc["by_manager"]}
    return {m: rows.get(email) for m, email in managers.items()}


def last_data_month(session: Session, today: date) -> int | None:
    """The KPI engine's default as-of month (the last complete month of the data)."""
    _first, last = kpi_service.data_months(session)
    if last is None:
        return None
    return last_complete_month(last, month_index(today))


# ---------------------------------------------------------------- many targets at once


@dataclass(frozen=True)
class Row:
    """What the actual of one target depends on."""

    target_id: int
    manager_id: int
    manager_email: str
    metric: Metric
    start: date
    end: date


def _summed(
    session: Session, user: User, rows: list[Row], through: date, found: dict[int, Any],
    policy: SelectionPolicy,
) -> None:
    """Revenue (one statement for every period) and new key accounts (one per period)."""
    revenue = [r for r in rows if r.metric is Metric.BOOK_REVENUE and r.start <= through]
    if revenue:
        def span(r: Row) -> tuple[int, int]:
            return month_index(r.start), month_index(min(r.end, through))

        sums = book_revenue_spans(session, user, {r.manager_id for r in revenue},
                                  [span(r) for r in revenue])
        for r in revenue:
            found[r.target_id] = sums.get(span(r), {}).get(r.manager_id)
    by_span: dict[tuple[date, date], list[Row]] = {}
    for r in rows:
        if r.metric is Metric.NEW_KEY_ACCOUNTS and r.start <= through:
            by_span.setdefault((r.start, min(r.end, through)), []).append(r)
    for (start, end), group in by_span.items():
        counts = new_key_accounts(session, user, [r.manager_id for r in group], start, end,
                                  policy)
        for r in group:
            if r.manager_id in counts:
                found[r.target_id] = Decimal(counts[r.manager_id])


def _ratios(
    session: Session, user: User, rows: list[Row], cap: int | None, today: date,
    doc: dict[str, Any] | None, found: dict[int, Any],
) -> None:
    """Book NRR: one KPI document per as-of month (cached by the KPI engine)."""
    by_month: dict[int, list[Row]] = {}
    for r in rows:
        month = nrr_month(month_index(r.end), month_index(r.start), cap)
        if month is not None:
            by_month.setdefault(month, []).append(r)
    for month, group in by_month.items():
        ratios = book_nrr(session, user, {r.manager_id: r.manager_email for r in group},
                          month, today=today, doc=doc)
        for r in group:
            found[r.target_id] = ratios.get(r.manager_id)


def actuals_for(
    session: Session, user: User, rows: list[Row], *, through: date, today: date,
    nrr_cap: int | None = None, doc: dict[str, Any] | None = None,
) -> dict[int, Decimal | None]:
    """{target id: actual} counting up to ``through`` (today, or a report month's end);
    ``nrr_cap``: the latest as-of month of the NRR (default: the data's last complete month);
    ``doc``: a KPI document with ``by_manager`` rows the caller already has."""
    found: dict[int, Decimal | None] = {r.target_id: None for r in rows}
    needs_policy = any(r.metric in (Metric.NEW_KEY_ACCOUNTS, Metric.PLANS_COMPLETE) for r in rows)
    policy = selection_policy(session) if needs_policy else SelectionPolicy()
    _summed(session, user, rows, through, found, policy)
    nrr = [r for r in rows if r.metric is Metric.BOOK_NRR]
    if nrr:
        cap = nrr_cap if nrr_cap is not None else last_data_month(session, today)
        _ratios(session, user, nrr, cap, today, doc, found)
    complete = [r for r in rows if r.metric is Metric.PLANS_COMPLETE]
    if complete:
        counts = plans_complete(session, user, [r.manager_id for r in complete], policy)
        for r in complete:
            found[r.target_id] = Decimal(counts.get(r.manager_id, 0))
    return found
