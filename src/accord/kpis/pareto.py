"""The Pareto curve and per-account ABC classes, computed by the database.

Accounts are ranked by current-window revenue R_i(C) (descending, ties by account id
ascending, as KPIS.md ranks them for concentration). The curve is the cumulative share of
revenue against the share of accounts, downsampled in SQL to about ``points`` points (every
k-th rank plus the last), so a 100,000-account portfolio still sends ~200 rows to Python.
The ABC boundaries are the number of accounts in class A and in classes A or B, from the
cumulative share of the accounts ranked *before* each one (cut-offs from the policy).

Window revenues are summed from ``monthly_revenue`` (the imported data itself), with the
visibility of the asking user applied through ``accord.core.visibility.visible_accounts``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.core.models import User
from accord.core.periods import format_month
from accord.core.visibility import visible_accounts
from accord.kpis import service
from accord.kpis.formulas import Policy, Windows, basis_points, ratio
from accord.revenue.models import MonthlyRevenue

MR = MonthlyRevenue.__table__
A = Account.__table__
DEFAULT_POINTS = 200


def current_revenue(w: Windows, visible: ColumnElement[bool]) -> Select[Any]:
    """(account_id, cur) for visible accounts with R(C) > 0 (a negative window sum is zero)."""
    first, last = w.current
    cur = func.sum(MR.c.amount_cents)
    return (
        select(MR.c.account_id.label("account_id"), cur.label("cur"))
        .select_from(MR.join(A, A.c.id == MR.c.account_id))
        .where(MR.c.month >= first, MR.c.month <= last, visible)
        .group_by(MR.c.account_id)
        .having(cur > 0)
    )


def ranked(w: Windows, visible: ColumnElement[bool]) -> Any:
    """Subquery: account_id, cur, rn, cum (up to and including), n, total."""
    sums = current_revenue(w, visible).subquery("sums")
    order = (sums.c.cur.desc(), sums.c.account_id.asc())
    return select(
        sums.c.account_id,
        sums.c.cur,
        func.row_number().over(order_by=order).label("rn"),
        func.sum(sums.c.cur).over(order_by=order, rows=(None, 0)).label("cum"),
        func.count().over().label("n"),
        func.sum(sums.c.cur).over().label("total"),
    ).subquery("ranked")


def _class(r: Any, policy: Policy) -> ColumnElement[Any]:
    before = r.c.cum - r.c.cur
    return case(
        (before * 10000 < basis_points(policy.abc_a) * r.c.total, "A"),
        (before * 10000 < basis_points(policy.abc_b) * r.c.total, "B"),
        else_="C",
    )


def curve_query(session: Session, w: Windows, policy: Policy, visible: ColumnElement[bool],
                points: int = DEFAULT_POINTS) -> dict[str, Any]:
    """The curve (downsampled), the totals and the ABC boundaries for one window."""
    r = ranked(w, visible)
    cls = _class(r, policy)
    summary = session.execute(select(
        func.count().label("n"),
        func.coalesce(func.sum(r.c.cur), 0).label("total"),
        func.count(case((cls == "A", 1))).label("a"),
        func.count(case((cls != "C", 1))).label("ab"),
    )).one()
    n, total = int(summary.n), int(summary.total)
    sample: list[tuple[int, int]] = []
    if n:
        step = max(1, -(-n // max(points, 1)))  # ceil(n / points)
        rows = session.execute(
            select(r.c.rn, r.c.cum)
            .where((r.c.rn % step == 0) | (r.c.rn == n) | (r.c.rn == 1))
            .order_by(r.c.rn)
        )
        sample = [(int(row.rn), int(row.cum)) for row in rows]
    return {"n": n, "total": total, "a": int(summary.a), "ab": int(summary.ab),
            "sample": sample}


def pareto_curve(
    session: Session,
    user: User,
    *,
    today: date,
    as_of: str | None = None,
    window: int | None = None,
    basis: str | None = None,
    points: int = DEFAULT_POINTS,
) -> dict[str, Any]:
    """The Pareto curve of what ``user`` may see: points as (account share, revenue share)."""
    res = service.resolve(session, as_of=as_of, window=window, basis=basis, today=today)
    w, policy = res.windows, res.policy
    raw = curve_query(session, w, policy, visible_accounts(user), points)
    n, total = raw["n"], raw["total"]
    return {
        "as_of": format_month(w.as_of),
        "window_months": w.window,
        "basis": w.basis.value,
        "accounts": n,
        "total_revenue_cents": total,
        "cutoffs": {"A": policy.abc_a, "B": policy.abc_b},
        "boundaries": {"A": raw["a"], "B": raw["ab"]},
        "classes": {"A": raw["a"], "B": raw["ab"] - raw["a"], "C": n - raw["ab"]},
        "points": [(ratio(rn, n), ratio(cum, total)) for rn, cum in raw["sample"]],
    }


def abc_classes(
    session: Session, user: User, w: Windows, policy: Policy, account_ids: Iterable[int]
) -> dict[int, str]:
    """ABC class per account (among what ``user`` may see); accounts without R(C) > 0 absent."""
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    r = ranked(w, visible_accounts(user))
    rows = session.execute(
        select(r.c.account_id, _class(r, policy).label("abc")).where(r.c.account_id.in_(ids))
    )
    return {int(row.account_id): str(row.abc) for row in rows}
