"""The KPI queries as SQL executed by the database (SQLAlchemy Core; SQLite and PostgreSQL).

Every window revenue is read from ``kpi_account_months`` with at most three equality lookups
per account: R(C) = cum(M) - cum(M-W) and R(P) = cum(M-W) - cum(M-2W) (trailing basis), or
the month amounts at M and M-W (point basis). A missing row means "before the account's
first month", i.e. a cumulative of zero. Sums are grouped by (manager, segment, tier) in one
pass; the service rolls the groups up into the portfolio and the three breakdowns.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal_column,
    select,
)
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.core.models import User
from accord.kpis.formulas import (
    Basis,
    Concentration,
    Movement,
    Sums,
    Windows,
    basis_points,
    top_count,
)
from accord.kpis.models import KpiAccountMonth

K = KpiAccountMonth.__table__
A = Account.__table__

NOT_KEY = "not key"


def tier_of(accounts: Any) -> ColumnElement[str]:
    """The account's tier (selection-matrix quadrant) as a SQL expression over ``accounts``.

    Until the selection matrix exists every account is "not key"; issue 4 replaces this
    one function (e.g. with a correlated lookup of the account's quadrant).
    """
    return literal_column(f"'{NOT_KEY}'", String)


def _positive(expr: ColumnElement[Any]) -> ColumnElement[Any]:
    """A window revenue below zero counts as zero."""
    return case((expr > 0, expr), else_=0)


def window_values(w: Windows, visible: ColumnElement[bool]) -> Select[Any]:
    """One row per account with any revenue up to M: cur = R(C), prev = R(P), returning flag."""
    c0, c1, c2 = K.alias("c0"), K.alias("c1"), K.alias("c2")
    prev_end = w.as_of - w.window
    join = c0.join(A, A.c.id == c0.c.account_id).outerjoin(
        c1, and_(c1.c.month == prev_end, c1.c.account_id == c0.c.account_id)
    )
    if w.basis is Basis.POINT:
        cur = _positive(c0.c.amount_cents)
        prev = _positive(func.coalesce(c1.c.amount_cents, 0))
    else:
        join = join.outerjoin(
            c2, and_(c2.c.month == prev_end - w.window, c2.c.account_id == c0.c.account_id)
        )
        middle = func.coalesce(c1.c.cumulative_cents, 0)
        cur = _positive(c0.c.cumulative_cents - middle)
        prev = _positive(middle - func.coalesce(c2.c.cumulative_cents, 0))
    back = case((c0.c.first_sale_month < w.before_previous, 1), else_=0)
    return (
        select(
            c0.c.account_id.label("account_id"),
            cur.label("cur"),
            prev.label("prev"),
            back.label("back"),
            A.c.manager_id.label("manager_id"),
            A.c.segment.label("segment"),
            tier_of(A).label("tier"),
        )
        .select_from(join)
        .where(c0.c.month == w.as_of, visible)
    )


def _sum(expr: ColumnElement[Any]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(expr), 0)


def _count(cond: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.count(case((cond, 1)))


def _sums_columns(cur: Any, prev: Any, returning: Any) -> list[ColumnElement[Any]]:
    entering = and_(prev == 0, cur > 0)
    return [
        _count(prev > 0).label("accounts_at_start"),
        _sum(prev).label("starting"),
        _count(and_(prev > 0, cur == 0)).label("churned_accounts"),
        _sum(case((cur == 0, prev), else_=0)).label("churned"),
        _sum(case((and_(cur > 0, cur < prev), prev - cur), else_=0)).label("contraction"),
        _sum(case((and_(prev > 0, cur > prev), cur - prev), else_=0)).label("expansion"),
        _sum(case((and_(entering, returning == 0), cur), else_=0)).label("new"),
        _sum(case((and_(entering, returning == 1), cur), else_=0)).label("reactivated"),
        _sum(cur).label("ending"),
        _count(and_(entering, returning == 0)).label("new_accounts"),
        _count(and_(entering, returning == 1)).label("reactivated_accounts"),
        _count(cur > 0).label("paying_accounts"),
    ]


SUM_NAMES = (
    "accounts_at_start", "starting", "churned_accounts", "churned", "contraction", "expansion",
    "new", "reactivated", "ending", "new_accounts", "reactivated_accounts", "paying_accounts",
)


def _to_sums(row: Any) -> Sums:
    return Sums(**{name: int(getattr(row, name)) for name in SUM_NAMES})


def grouped_sums(
    session: Session, w: Windows, visible: ColumnElement[bool]
) -> tuple[list[tuple[int | None, str | None, str, Sums]], float]:
    """Sums per (manager_id, segment, tier) and the sum of squared R(C) (for HHI)."""
    v = window_values(w, visible).subquery("v")
    stmt = select(
        v.c.manager_id, v.c.segment, v.c.tier,
        *_sums_columns(v.c.cur, v.c.prev, v.c.back),
        _sum(cast(v.c.cur, Float) * cast(v.c.cur, Float)).label("squares"),
    ).group_by(v.c.manager_id, v.c.segment, v.c.tier)
    groups = []
    squares = 0.0
    for row in session.execute(stmt):
        groups.append((row.manager_id, row.segment, row.tier, _to_sums(row)))
        squares += float(row.squares)
    return groups, squares


def concentration(
    session: Session,
    w: Windows,
    visible: ColumnElement[bool],
    *,
    paying: int,
    total: int,
    squares: float,
    abc: tuple[Any, Any],
) -> Concentration:
    """Top-20 % revenue and ABC counts from one ranking (R(C) desc, account id asc)."""
    if paying == 0:
        return Concentration(0, 0, 0, 0.0, 0, 0, 0)
    v = window_values(w, visible).subquery("v")
    order = (v.c.cur.desc(), v.c.account_id.asc())
    ranked = (
        select(
            v.c.cur.label("cur"),
            func.row_number().over(order_by=order).label("rn"),
            func.sum(v.c.cur).over(order_by=order, rows=(None, 0)).label("upto"),
        )
        .where(v.c.cur > 0)
        .subquery("r")
    )
    before = ranked.c.upto - ranked.c.cur
    a_bp, b_bp = basis_points(abc[0]), basis_points(abc[1])
    stmt = select(
        _sum(case((ranked.c.rn <= top_count(paying), ranked.c.cur), else_=0)).label("top"),
        _count(before * 10000 < a_bp * total).label("a"),
        _count(before * 10000 < b_bp * total).label("ab"),
    )
    row = session.execute(stmt).one()
    a, ab = int(row.a), int(row.ab)
    return Concentration(paying, total, int(row.top), squares, a, ab - a, paying - ab)


def portfolio_series(
    session: Session, months: list[int], window: int, basis: Basis, visible: ColumnElement[bool]
) -> list[tuple[int, Sums]]:
    """Portfolio sums for each as-of month (one grouped query per month)."""
    result = []
    for month in months:
        v = window_values(Windows(month, window, basis), visible).subquery("v")
        row = session.execute(select(*_sums_columns(v.c.cur, v.c.prev, v.c.back))).one()
        result.append((month, _to_sums(row)))
    return result


MOVEMENT_FILTERS = {
    Movement.CHURNED: lambda cur, prev, ret: and_(prev > 0, cur == 0),
    Movement.CONTRACTED: lambda cur, prev, ret: and_(cur > 0, cur < prev),
    Movement.EXPANDED: lambda cur, prev, ret: and_(prev > 0, cur > prev),
    Movement.RETAINED: lambda cur, prev, ret: and_(prev > 0, cur == prev),
    Movement.NEW: lambda cur, prev, ret: and_(prev == 0, cur > 0, ret == 0),
    Movement.REACTIVATED: lambda cur, prev, ret: and_(prev == 0, cur > 0, ret == 1),
}


def movement_accounts(
    session: Session,
    w: Windows,
    visible: ColumnElement[bool],
    movement: Movement,
    *,
    limit: int,
    offset: int,
) -> tuple[int, list[Any]]:
    """Accounts with one movement, largest change first: total count and one page."""
    v = window_values(w, visible).subquery("v")
    cond = MOVEMENT_FILTERS[movement](v.c.cur, v.c.prev, v.c.back)
    count = session.scalar(select(func.count()).select_from(v).where(cond)) or 0
    change = v.c.cur - v.c.prev
    magnitude = case((change < 0, -change), else_=change)
    stmt = (
        select(
            v.c.account_id, A.c.name, A.c.segment, v.c.tier,
            User.__table__.c.email.label("manager"),
            v.c.prev, v.c.cur,
        )
        .select_from(
            v.join(A, A.c.id == v.c.account_id).outerjoin(
                User.__table__, User.__table__.c.id == v.c.manager_id
            )
        )
        .where(cond)
        .order_by(magnitude.desc(), v.c.account_id)
        .limit(limit)
        .offset(offset)
    )
    return int(count), list(session.execute(stmt))


def manager_emails(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    users = User.__table__
    rows = session.execute(select(users.c.id, users.c.email).where(users.c.id.in_(sorted(ids))))
    return {r.id: r.email for r in rows}
