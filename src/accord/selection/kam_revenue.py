"""The ``kam_revenue`` table: per-account window revenue and ABC class, computed in SQL over
``monthly_revenue`` and stored.

This is the one place the KAM models read revenue. The KPI engine (``accord.kpis``) computes
the same figures (docs/kpis.md: windows, "a window sum below zero counts as zero", ABC from the
cumulative share of the accounts ranked before, ties by account id); switch
:func:`revenue_windows` to it once it offers a selectable of the same shape.

Computing the windows and ranking every account takes seconds on 100,000 accounts, so the
result is stored in ``kam_revenue`` and refreshed when stale: a new as-of month, another
window or ABC cut-off, or new revenue data (a newer revenue load or month). Corrections to
existing lines are folded in by the daily health recompute, which always refreshes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, case, delete, func, insert, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Subquery

from accord.core import single_flight
from accord.core.database import utcnow
from accord.core.periods import month_index
from accord.revenue.models import MonthlyRevenue, RevenueLoad
from accord.selection.models import KamRevenue, KamRevenueState
from accord.selection.rules import SelectionPolicy, basis_points


def window_sums(as_of: int, window: int) -> Select:
    """(account_id, current_cents, previous_cents) for accounts with revenue in either window.

    Current window C = months as_of−W+1 … as_of; previous P = as_of−2W+1 … as_of−W (trailing).
    Negative sums count as zero.
    """
    in_current = MonthlyRevenue.month > as_of - window
    cur = func.sum(case((in_current, MonthlyRevenue.amount_cents), else_=0))
    prev = func.sum(case((in_current, 0), else_=MonthlyRevenue.amount_cents))
    return (
        select(
            MonthlyRevenue.account_id.label("account_id"),
            case((cur > 0, cur), else_=0).label("current_cents"),
            case((prev > 0, prev), else_=0).label("previous_cents"),
        )
        .where(MonthlyRevenue.month > as_of - 2 * window, MonthlyRevenue.month <= as_of)
        .group_by(MonthlyRevenue.account_id)
    )


def revenue_windows(as_of: int, window: int, abc_a_bp: int, abc_b_bp: int) -> Subquery:
    """(account_id, current_cents, previous_cents, abc) — abc is 'A', 'B', 'C' or NULL (no
    current revenue). ``abc_*_bp`` are the cut-offs in ten-thousandths (0.80 -> 8000)."""
    sums = window_sums(as_of, window).subquery("sums")
    before = func.coalesce(
        func.sum(sums.c.current_cents).over(
            order_by=(sums.c.current_cents.desc(), sums.c.account_id.asc()),
            rows=(None, -1),
        ),
        0,
    )
    total = func.sum(sums.c.current_cents).over()
    ranked = select(
        sums.c.account_id,
        sums.c.current_cents,
        sums.c.previous_cents,
        before.label("before_cents"),
        total.label("total_cents"),
    ).subquery("ranked")
    abc = case(
        (ranked.c.current_cents <= 0, literal(None)),
        else_=abc_sql(ranked.c.before_cents, ranked.c.total_cents, abc_a_bp, abc_b_bp),
    )
    return select(
        ranked.c.account_id, ranked.c.current_cents, ranked.c.previous_cents, abc.label("abc")
    ).subquery("revenue")


def abc_sql(before: Any, total: Any, abc_a_bp: int, abc_b_bp: int) -> ColumnElement[str]:
    """``rules.abc_class`` in SQL (cut-offs in ten-thousandths): the class of a paying account
    from the revenue ranked before it and the total. The KPI report uses it too."""
    return case(
        (before * 10000 < total * abc_a_bp, literal("A")),
        (before * 10000 < total * abc_b_bp, literal("B")),
        else_=literal("C"),
    )


# ---------------------------------------------------------------- the stored snapshot

#: the refresh job's name (its lock)
JOB = "kam_revenue"


@dataclass(frozen=True)
class RevenueBasis:
    as_of: int
    window_months: int
    abc_a_bp: int
    abc_b_bp: int


def basis_for(today: date, policy: SelectionPolicy) -> RevenueBasis:
    """The last complete month before ``today``, the policy's window and ABC cut-offs."""
    return RevenueBasis(
        as_of=month_index(today) - 1,
        window_months=policy.window_months,
        abc_a_bp=basis_points(policy.abc_a),
        abc_b_bp=basis_points(policy.abc_b),
    )


def _fingerprint(session: Session) -> tuple[int | None, int | None]:
    """Cheap markers of new revenue data: the newest load and the last month (index seeks)."""
    newest_load = session.scalar(select(func.max(RevenueLoad.id)))
    max_month = session.scalar(select(func.max(MonthlyRevenue.month)))
    return newest_load, max_month


def is_fresh(session: Session, basis: RevenueBasis) -> bool:
    state = session.get(KamRevenueState, 1, populate_existing=True)  # as committed now
    if state is None:
        return False
    return (state.as_of, state.window_months, state.abc_a_bp, state.abc_b_bp) == (
        basis.as_of,
        basis.window_months,
        basis.abc_a_bp,
        basis.abc_b_bp,
    ) and (state.max_load_id, state.max_month) == _fingerprint(session)


def refresh(session: Session, basis: RevenueBasis) -> None:
    """Recompute ``kam_revenue`` in the database (INSERT … SELECT; no rows through Python)."""
    single_flight.lock(session, JOB)  # one refresh at a time (C3)
    view = revenue_windows(basis.as_of, basis.window_months, basis.abc_a_bp, basis.abc_b_bp)
    session.execute(delete(KamRevenue))
    session.execute(
        insert(KamRevenue).from_select(
            ["account_id", "current_cents", "previous_cents", "abc"],
            select(view.c.account_id, view.c.current_cents, view.c.previous_cents, view.c.abc),
        )
    )
    newest_load, max_month = _fingerprint(session)
    state = session.get(KamRevenueState, 1)
    if state is None:
        state = KamRevenueState(id=1)
        session.add(state)
    state.as_of = basis.as_of
    state.window_months = basis.window_months
    state.abc_a_bp = basis.abc_a_bp
    state.abc_b_bp = basis.abc_b_bp
    state.max_load_id = newest_load
    state.max_month = max_month
    state.computed_at = utcnow()
    session.flush()


def ensure_fresh(session: Session, today: date, policy: SelectionPolicy) -> RevenueBasis:
    """Refresh the snapshot when the data, the month or the policy changed: in a writing
    transaction right there, for a reader (a GET) by the single-flight refresh job, never in
    the reader's own transaction (``core.single_flight``)."""
    basis = basis_for(today, policy)
    if not is_fresh(session, basis):

        def job(writer: Session) -> None:
            if not is_fresh(writer, basis):  # under the lock: done meanwhile?
                refresh(writer, basis)

        single_flight.bring_up_to_date(session, JOB, job)
    return basis


def revenue_table() -> type[KamRevenue]:
    """The per-account revenue to join: account_id, current_cents, previous_cents, abc."""
    return KamRevenue


def computed_at(session: Session) -> datetime | None:
    return session.scalar(select(KamRevenueState.computed_at).where(KamRevenueState.id == 1))
