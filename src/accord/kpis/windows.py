"""The SQL that derives ``kpi_account_windows`` rows from a source's monthly table (one
SELECT for every window variant): ``monthly_revenue`` (invoices) or any table of its shape
(account_id, month, amount_cents, cumulative_cents) passed as ``monthly``, such as the
licences' ``subscription_mrr``. Over each account's whole history with window functions
(``window_rows``: rebuilds, new variants, accounts that changed anywhere) or, for the last
months only, from running totals read by key (``recent_rows``). ``derived.py`` decides what
to compute and writes it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    String,
    Table,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)

from accord.kpis.formulas import MOVE_CODE, Basis, Movement
from accord.kpis.models import KpiAccountGroup
from accord.revenue.models import MonthlyRevenue

account_groups: Table = KpiAccountGroup.__table__  # type: ignore[assignment]
monthly_revenue: Table = MonthlyRevenue.__table__  # type: ignore[assignment]
#: (variant id, window months, basis)
Variant = tuple[int, int, Basis]
#: the columns of ``kpi_account_windows`` in the order the SELECTs give them
COLUMNS = ["variant", "month", "gid", "movement", "account_id", "cur_cents", "prev_cents",
           "bucket"]


def _bucket(cur: ColumnElement[Any]) -> ColumnElement[Any]:
    """Digits and first three digits of a positive amount: monotone in the amount."""
    digits = cast(cur, String)
    return case(
        (cur > 0, func.length(digits) * 1000 + cast(func.substr(digits, 1, 3), Integer)),
        else_=0,
    )


def _movement(cur: Any, prev: Any, back: Any) -> ColumnElement[int]:
    code = MOVE_CODE
    return case(
        (prev > 0, case(
            (cur == 0, code[Movement.CHURNED]),
            (cur < prev, code[Movement.CONTRACTED]),
            (cur > prev, code[Movement.EXPANDED]),
            else_=code[Movement.RETAINED],
        )),
        (cur > 0, case((back, code[Movement.REACTIVATED]), else_=code[Movement.NEW])),
        else_=0,
    )


def lookback(variants: list[Variant]) -> int:
    """How many months before an as-of month its row reads: 2W-1 (trailing), W (point)."""
    return max((2 * w - 1) if b is Basis.TRAILING else w for _, w, b in variants)


def window_rows(
    variants: list[Variant], last_month: int, scope: Table | None, recent_from: int = 0,
    monthly: Table = monthly_revenue,
) -> Any:
    """SELECT of the derived rows of every variant in one statement: each account's months
    (dense) up to ``last_month``, window sums as window functions, rows with revenue kept.

    ``scope`` (account_id, from_month) limits it to those accounts: every month of an
    account whose ``from_month`` is NULL, else only the months from ``from_month`` on (its
    months series then starts just early enough for their windows); accounts whose
    ``from_month`` is ``recent_from`` or later are left to ``recent_rows``."""
    if scope is None:
        raw = select(
            monthly.c.account_id.label("account_id"),
            func.min(monthly.c.month).label("first_month"),
            func.min(case((monthly.c.amount_cents > 0, monthly.c.month)))
            .label("first_sale"),
        ).group_by(monthly.c.account_id).subquery("raw_span")
        keep_from: Any = cast(null(), Integer)
        start: Any = raw.c.first_month
    else:  # per listed account: two seeks of the (account_id, month) key, on both databases
        own = monthly.c.account_id == scope.c.account_id
        raw = select(
            scope.c.account_id.label("account_id"), scope.c.from_month,
            select(func.min(monthly.c.month)).where(own).scalar_subquery()
            .label("first_month"),
            select(func.min(monthly.c.month)).where(own, monthly.c.amount_cents > 0)
            .scalar_subquery().label("first_sale"),
        ).where(or_(scope.c.from_month.is_(None), scope.c.from_month < recent_from)
                ).subquery("raw_span")
        keep_from = raw.c.from_month
        back = keep_from - lookback(variants)
        start = case((and_(keep_from.is_not(None), back > raw.c.first_month), back),
                     else_=raw.c.first_month)
    span = select(  # the group once per account, not per row
        raw.c.account_id, account_groups.c.gid, raw.c.first_sale, keep_from.label("keep_from"),
        start.label("start"),
    ).select_from(
        raw.join(account_groups, account_groups.c.account_id == raw.c.account_id)
    ).cte("span")
    first = select(func.min(span.c.start)).scalar_subquery()
    months = select(first.label("m")).cte("months", recursive=True)
    months = months.union_all(select((months.c.m + 1).label("m")).where(months.c.m < last_month))
    match = and_(monthly.c.account_id == span.c.account_id,
                 monthly.c.month == months.c.m)
    dense = select(
        span.c.account_id, span.c.gid, months.c.m.label("month"),
        func.coalesce(monthly.c.amount_cents, 0).label("amount"), span.c.first_sale,
        span.c.keep_from,
    ).select_from(
        span.join(months, months.c.m >= span.c.start).outerjoin(monthly, match)
    ).cte("dense")
    over: dict[str, Any] = {"partition_by": dense.c.account_id, "order_by": dense.c.month}
    branches: list[Select[Any]] = []
    for vid, window, basis in variants:
        if basis is Basis.POINT:
            cur_raw: Any = dense.c.amount
            prev_raw: Any = func.lag(dense.c.amount, window, 0).over(**over)
            p_start = dense.c.month - window
        else:
            cur_raw = cast(
                func.sum(dense.c.amount).over(**over, rows=(-(window - 1), 0)), BigInteger
            )
            prev_raw = cast(
                func.sum(dense.c.amount).over(**over, rows=(-(2 * window - 1), -window)),
                BigInteger,
            )
            p_start = dense.c.month - (2 * window - 1)
        branches.append(select(
            literal(vid, Integer).label("variant"), dense.c.account_id, dense.c.gid,
            dense.c.month, cur_raw.label("cur_raw"), func.coalesce(prev_raw, 0).label("prev_raw"),
            case((dense.c.first_sale < p_start, 1), else_=0).label("back"), dense.c.keep_from,
        ))
    return _final(branches, restrict=scope is not None)


def recent_rows(variants: list[Variant], last_month: int, scope: Table, recent_from: int,
                monthly: Table = monthly_revenue) -> Any:
    """SELECT of the rows of the ``scope`` accounts whose ``from_month`` is ``recent_from`` or
    later (a month or two per account, e.g. an import of the latest month): a window sum is
    the difference of two running totals of ``monthly`` (``cumulative_cents``, kept by
    every writer of the source), each one seek of the (account_id, month) key, instead of a
    window function over the account's whole history."""
    months = select(literal(recent_from, Integer).label("m")).cte("recent", recursive=True)
    months = months.union_all(select((months.c.m + 1).label("m")).where(months.c.m < last_month))
    own = monthly.c.account_id == scope.c.account_id
    pairs = select(
        scope.c.account_id, account_groups.c.gid, months.c.m.label("month"),
        select(func.min(monthly.c.month)).where(own, monthly.c.amount_cents > 0)
        .scalar_subquery().label("first_sale"),
    ).select_from(
        scope.join(account_groups, account_groups.c.account_id == scope.c.account_id)
        .join(months, months.c.m >= scope.c.from_month)
    ).where(scope.c.from_month >= recent_from).cte("pairs")

    def upto(month: Any) -> Any:  # the running total at ``month``: one seek of the key
        return func.coalesce(select(monthly.c.cumulative_cents).where(
            monthly.c.account_id == pairs.c.account_id, monthly.c.month <= month,
        ).order_by(monthly.c.month.desc()).limit(1).scalar_subquery(), 0)

    def at(month: Any) -> Any:
        return func.coalesce(select(monthly.c.amount_cents).where(
            monthly.c.account_id == pairs.c.account_id, monthly.c.month == month,
        ).scalar_subquery(), 0)

    m = pairs.c.month
    branches: list[Select[Any]] = []
    for vid, w, basis in variants:
        if basis is Basis.POINT:
            cur_raw, prev_raw, p_start = at(m), at(m - w), m - w
        else:
            cur_raw, prev_raw = upto(m) - upto(m - w), upto(m - w) - upto(m - 2 * w)
            p_start = m - (2 * w - 1)
        branches.append(select(
            literal(vid, Integer).label("variant"), pairs.c.account_id, pairs.c.gid, m,
            cast(cur_raw, BigInteger).label("cur_raw"),
            cast(prev_raw, BigInteger).label("prev_raw"),
            case((pairs.c.first_sale < p_start, 1), else_=0).label("back"),
            cast(null(), Integer).label("keep_from"),
        ))
    return _final(branches, restrict=False, materialize=True)


def _final(branches: list[Select[Any]], restrict: bool, materialize: bool = False) -> Any:
    """The stored columns from (variant, account_id, gid, month, cur_raw, prev_raw, back,
    keep_from) rows: windows clamped at zero, movement, bucket; rows with revenue only (and,
    when ``restrict``, only the months from ``keep_from`` on). ``materialize``: the sums are
    computed once (not repeated, as SQLite would, for every use of a window sum)."""
    body = branches[0] if len(branches) == 1 else union_all(*branches)
    sums = body.cte("sums").prefix_with("MATERIALIZED") if materialize else body.subquery("sums")
    clamped = select(
        sums.c.variant, sums.c.account_id, sums.c.gid, sums.c.month, sums.c.back,
        case((sums.c.cur_raw > 0, sums.c.cur_raw), else_=0).label("cur"),
        case((sums.c.prev_raw > 0, sums.c.prev_raw), else_=0).label("prev"),
    )
    if restrict:
        clamped = clamped.where(
            or_(sums.c.keep_from.is_(None), sums.c.month >= sums.c.keep_from)
        )
    row = clamped.subquery("clamped").c
    return select(
        row.variant, row.month, row.gid, _movement(row.cur, row.prev, row.back == 1),
        row.account_id, row.cur, row.prev, _bucket(row.cur),
    ).where(or_(row.cur > 0, row.prev > 0))
