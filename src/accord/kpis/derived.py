"""Keeping ``kpi_account_months`` in step with ``monthly_revenue`` (all in SQL).

- ``refresh_after_import(session, account_ids)``: the importer calls this in its transaction
  after it has written ``monthly_revenue``; it rebuilds the rows of those accounts, extends
  every other account when the data gained later months, and bumps the data version (which
  invalidates cached reports).
- ``rebuild(session)``: recompute everything (also used when the data shrank).
- ``ensure_fresh(session)``: cheap check before a report; folds in revenue lines newer than
  the last refresh (an importer that forgot the hook) and builds the table the first time.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, and_, case, delete, func, insert, literal, select, text, update
from sqlalchemy.orm import Session

from accord.core.database import utcnow
from accord.kpis.models import KpiAccountMonth, KpiState
from accord.revenue.models import MonthlyRevenue, RevenueLine

K: Table = KpiAccountMonth.__table__  # type: ignore[assignment]
MR = MonthlyRevenue.__table__
STATE_ID = 1
#: above this many accounts a full rebuild is cheaper than per-account refreshes
FULL_REBUILD_ABOVE = 20_000
_CHUNK = 500


def _data_range(session: Session) -> tuple[int | None, int | None]:
    row = session.execute(select(func.min(MR.c.month), func.max(MR.c.month))).one()
    return row[0], row[1]


def _max_line_id(session: Session) -> int | None:
    return session.scalar(select(func.max(RevenueLine.__table__.c.id)))


def _dense_insert(session: Session, last_month: int, account_ids: list[int] | None) -> None:
    """Insert the dense rows (first month .. last_month) for the accounts (None: all)."""
    span_q = select(
        MR.c.account_id.label("account_id"),
        func.min(MR.c.month).label("first_month"),
        func.min(case((MR.c.amount_cents > 0, MR.c.month))).label("first_sale"),
    ).group_by(MR.c.account_id)
    if account_ids is not None:
        span_q = span_q.where(MR.c.account_id.in_(account_ids))
    span = span_q.cte("span")
    first = select(func.min(span.c.first_month)).scalar_subquery()
    months = select(first.label("m")).cte("months", recursive=True)
    months = months.union_all(select((months.c.m + 1).label("m")).where(months.c.m < last_month))
    dense = (
        select(
            span.c.account_id.label("account_id"),
            months.c.m.label("month"),
            func.coalesce(MR.c.amount_cents, 0).label("amount"),
            span.c.first_sale.label("first_sale"),
        )
        .select_from(
            span.join(months, months.c.m >= span.c.first_month).outerjoin(
                MR, and_(MR.c.account_id == span.c.account_id, MR.c.month == months.c.m)
            )
        )
        .cte("dense")
    )
    running = func.sum(dense.c.amount).over(
        partition_by=dense.c.account_id, order_by=dense.c.month, rows=(None, 0)
    )
    body = select(
        dense.c.month, dense.c.account_id, dense.c.amount, running, dense.c.first_sale
    ).order_by(dense.c.month, dense.c.account_id)
    session.execute(
        insert(K).from_select(
            ["month", "account_id", "amount_cents", "cumulative_cents", "first_sale_month"], body
        )
    )


def _extend(session: Session, old_last: int, new_last: int) -> None:
    """Carry every account's running total forward into months the data newly reached."""
    for month in range(old_last + 1, new_last + 1):
        source = select(
            literal(month), K.c.account_id, literal(0), K.c.cumulative_cents, K.c.first_sale_month
        ).where(K.c.month == month - 1)
        session.execute(
            insert(K).from_select(
                ["month", "account_id", "amount_cents", "cumulative_cents", "first_sale_month"],
                source,
            )
        )


def _save_state(session: Session, first: int | None, last: int | None) -> None:
    values: dict[str, Any] = {
        "first_month": first, "last_month": last, "max_line_id": _max_line_id(session),
        "refreshed_at": utcnow(),
    }
    done = session.execute(
        update(KpiState).where(KpiState.id == STATE_ID).values(
            version=KpiState.version + 1, **values
        )
    )
    if done.rowcount == 0:  # type: ignore[attr-defined]
        session.execute(insert(KpiState).values(id=STATE_ID, version=1, **values))


def rebuild(session: Session) -> None:
    """Recompute the whole derived table from ``monthly_revenue``."""
    first, last = _data_range(session)
    session.execute(delete(K))
    if last is not None:
        _dense_insert(session, last, None)
    _save_state(session, first, last)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE kpi_account_months"))  # fresh statistics for the joins


def refresh_after_import(session: Session, account_ids: Iterable[int] | None) -> None:
    """Bring the derived rows of these accounts (None: all) up to date; bump the version."""
    ids = None if account_ids is None else sorted(set(account_ids))
    state = session.get(KpiState, STATE_ID)
    first, last = _data_range(session)
    stale_range = (
        state is None
        or state.last_month is None
        or last is None
        or last < state.last_month
    )
    if ids is None or len(ids) > FULL_REBUILD_ABOVE or stale_range:
        rebuild(session)
        return
    assert state is not None and state.last_month is not None and last is not None
    if last > state.last_month:
        _extend(session, state.last_month, last)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        session.execute(delete(K).where(K.c.account_id.in_(chunk)))
        _dense_insert(session, last, chunk)
    _save_state(session, first, last)


def ensure_fresh(session: Session) -> KpiState:
    """The current state, after folding in anything imported without the hook."""
    state = session.get(KpiState, STATE_ID)
    if state is None:
        rebuild(session)
    else:
        newest = _max_line_id(session)
        if newest is not None and (state.max_line_id is None or newest > state.max_line_id):
            lines = RevenueLine.__table__
            q = select(lines.c.account_id).distinct()
            if state.max_line_id is not None:
                q = q.where(lines.c.id > state.max_line_id)
            changed = list(session.scalars(q))
            refresh_after_import(session, changed)
    session.flush()
    state = session.get(KpiState, STATE_ID, populate_existing=True)
    assert state is not None
    return state
