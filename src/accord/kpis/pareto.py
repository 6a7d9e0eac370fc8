"""The Pareto curve and per-account ABC classes, computed by the database.

Accounts are ranked by current-window revenue R_i(C) (descending, ties by account id
ascending, as docs/kpis.md ranks them for concentration). The curve is the cumulative share of
revenue against the share of accounts, downsampled in SQL to about ``points`` points (every
k-th rank plus the last), so a 100,000-account portfolio still sends ~200 rows to Python.
The ABC boundaries are the number of accounts in class A and in classes A or B, from the
cumulative share of the accounts ranked *before* each one (cut-offs from the policy).

Window revenues are summed from the policy's source — ``monthly_revenue`` (the imported
data itself) or the subscriptions' monthly table (``derived.source_table``) —, with the
visibility of the asking user applied through ``accord.accounts.visibility.visible_accounts``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.core.models import AuditEntry, User
from accord.core.periods import format_month
from accord.kpis import derived, service
from accord.kpis.formulas import Policy, Windows, ratio
from accord.revenue.models import MonthlyRevenue
from accord.selection.kam_revenue import abc_sql
from accord.selection.rules import basis_points

monthly_revenue = MonthlyRevenue.__table__
account_table = Account.__table__
DEFAULT_POINTS = 200


def current_revenue(
    w: Windows, visible: ColumnElement[bool] | None, monthly: Any = monthly_revenue
) -> Select[Any]:
    """(account_id, cur) for visible accounts with R(C) > 0 (a negative window sum is zero),
    from ``monthly`` (a source's monthly table).

    ``visible`` None means every account (no join with ``accounts``).
    """
    first, last = w.current
    cur = func.sum(monthly.c.amount_cents)
    stmt = select(monthly.c.account_id.label("account_id"), cur.label("cur"))
    if visible is not None:
        stmt = stmt.select_from(monthly.join(
            account_table, account_table.c.id == monthly.c.account_id
        )).where(visible)
    return (
        stmt.where(monthly.c.month >= first, monthly.c.month <= last)
        .group_by(monthly.c.account_id)
        .having(cur > 0)
    )


def ranked(w: Windows, visible: ColumnElement[bool] | None, policy: Policy) -> Any:
    """Subquery: account_id, cur, rn, cum (up to and including), n, total (the policy's
    source)."""
    monthly = derived.source_table(policy.source)
    sums = current_revenue(w, visible, monthly).subquery("sums")
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
    return abc_sql(
        r.c.cum - r.c.cur, r.c.total, basis_points(policy.abc_a), basis_points(policy.abc_b)
    )


def curve_query(session: Session, w: Windows, policy: Policy,
                visible: ColumnElement[bool] | None, points: int = DEFAULT_POINTS
                ) -> dict[str, Any]:
    """The curve (downsampled), the totals and the ABC boundaries, in one query.

    Kept rows: the first and last rank, every rank where ``rank * points // n`` steps up
    (about ``points`` rows), and every rank whose ABC class differs from the one before it
    (the boundaries). n and the total are those of the last row.
    """
    r = ranked(w, visible, policy)
    cls = _class(r, policy).label("cls")
    classed = select(r.c.rn, r.c.cum, r.c.n, r.c.total, cls).subquery("classed")
    prev_cls = func.lag(classed.c.cls).over(order_by=classed.c.rn)
    marked = select(
        classed.c.rn, classed.c.cum, classed.c.n, classed.c.total, classed.c.cls,
        prev_cls.label("prev_cls"),
        ((classed.c.rn * points) // classed.c.n).label("slot"),
        (((classed.c.rn - 1) * points) // classed.c.n).label("prev_slot"),
    ).subquery("marked")
    rows = list(session.execute(
        select(marked.c.rn, marked.c.cum, marked.c.n, marked.c.total, marked.c.cls)
        .where(or_(marked.c.rn == 1, marked.c.rn == marked.c.n, marked.c.slot != marked.c.prev_slot,
                   marked.c.prev_cls != marked.c.cls))
        .order_by(marked.c.rn)
    ))
    if not rows:
        return {"n": 0, "total": 0, "a": 0, "ab": 0, "sample": []}
    n, total = int(rows[-1].n), int(rows[-1].total)
    first_b = next((int(x.rn) for x in rows if x.cls in ("B", "C")), n + 1)
    first_c = next((int(x.rn) for x in rows if x.cls == "C"), n + 1)
    return {"n": n, "total": total, "a": first_b - 1, "ab": first_c - 1,
            "sample": [(int(x.rn), int(x.cum)) for x in rows]}


_CACHE: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
_CACHE_LOCK = threading.Lock()


def pareto_curve(
    session: Session,
    user: User,
    *,
    today: date,
    as_of: str | None = None,
    window: int | None = None,
    basis: str | None = None,
    points: int = DEFAULT_POINTS,
    within: User | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """The Pareto curve of what ``user`` may see (``within``: and a chosen manager sees too,
    ``service.scope``): points as (account share, revenue share).

    Cached in this process until the data changes (the KPI data version, the newest audit
    entry: any account, team or policy change is audited).
    """
    newest_audit = session.scalar(select(func.max(AuditEntry.id)))
    res = service.resolve(session, as_of=as_of, window=window, basis=basis, today=today,
                          source=source)
    w, policy = res.windows, res.policy
    visible, scope = service.scope(user, within)
    bind: Any = session.get_bind()
    key = (str(bind.url), res.state.version, res.state.refreshed_at, newest_audit, scope, w,
           policy, points)
    with _CACHE_LOCK:
        raw = _CACHE.get(key)
    if raw is None:
        raw = curve_query(session, w, policy, visible, points)
        with _CACHE_LOCK:
            _CACHE[key] = raw
            while len(_CACHE) > 64:
                _CACHE.popitem(last=False)
    n, total = raw["n"], raw["total"]
    return {
        "as_of": format_month(w.as_of),
        "window_months": w.window,
        "basis": w.basis.value,
        "source": policy.source.value,
        "accounts": n,
        "total_revenue_cents": total,
        "cutoffs": {"A": policy.abc_a, "B": policy.abc_b},
        "boundaries": {"A": raw["a"], "B": raw["ab"]},
        "classes": {"A": raw["a"], "B": raw["ab"] - raw["a"], "C": n - raw["ab"]},
        "points": [(ratio(rn, n), ratio(cum, total)) for rn, cum in raw["sample"]],
    }


def clear_cache() -> None:
    with _CACHE_LOCK:
        _CACHE.clear()


def abc_classes(
    session: Session, user: User, w: Windows, policy: Policy, account_ids: Iterable[int],
    within: User | None = None,
) -> dict[int, str]:
    """ABC class per account (among what ``user`` may see, ``within`` as in ``service.scope``);
    accounts without R(C) > 0 absent."""
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    r = ranked(w, service.scope(user, within)[0], policy)
    rows = session.execute(
        select(r.c.account_id, _class(r, policy).label("abc")).where(r.c.account_id.in_(ids))
    )
    return {int(row.account_id): str(row.abc) for row in rows}
