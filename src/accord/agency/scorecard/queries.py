"""The scorecard's SQL: on-time counts, median turnaround, rounds and effort over a period of
first deliveries, grouped by department, by account, by month or not at all — one statement
per table, whatever the number of briefs (no loop over rows).

Every figure reads what a brief's first delivery recorded (``rules.first_delivery``):
``first_delivered_on``, ``due_with_blocks_on`` (the agreed due date extended by the working
days the brief was blocked by a client input), ``original_with_blocks_on``,
``turnaround_days``; plus ``rounds`` and the hours. Visibility is ``access.brief_filter`` over
``Brief`` joined to ``Account`` (the join left out where the condition needs no account: a
role that sees every account).

The on-time figures per department make one pass over the briefs of the period: a histogram
(``histogram``: per key and turnaround, the count, the on-time counts and the rounds), read
twice in the same statement — per key (paged) and merged per turnaround, over all. Per
account (thousands of keys) the histogram is counted for the page's accounts only
(``by_account``). The median turnaround is portable SQL
(SQLite and PostgreSQL) over that histogram: window sums place each turnaround's briefs in
the ordered list, and the one or two middle positions are picked by integer comparisons
(``_summary``). ``median`` beside it is the pure twin (``tests/test_agency_scorecard_sql.py``
holds them equal on both databases).

Speed: the period is a range on ``ix_briefs_department_delivered`` (department_id,
first_delivered_on, then every column the figures read: covering), driven department by
department (``department_id IN (…)``); docs/agency-scorecard.md, "Speed".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CTE,
    BigInteger,
    ColumnElement,
    Float,
    Integer,
    Select,
    Subquery,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.agency.models import Brief, Department

# ---------------------------------------------------------------- the median and its SQL


def median(values: Iterable[int | None]) -> Decimal | None:
    """The median of the values that are not None (the mean of the two middle ones for an
    even count); None for none. Exact (a Decimal ending in .5 at most)."""
    ordered = sorted(v for v in values if v is not None)
    n = len(ordered)
    if not n:
        return None
    middle = ordered[(n - 1) // 2: n // 2 + 1]
    return Decimal(sum(middle)) / Decimal(len(middle))


def median_of(total: Any, count: Any) -> Decimal | None:
    """The median from the sum and the count of the middle values (None: nothing counted)."""
    if not count:
        return None
    return Decimal(int(total)) / Decimal(int(count))


def _summary(hist: Any, keyed: bool) -> Subquery:
    """Per ``hist.c.k`` (``keyed``) or over all rows: the sums of a histogram of briefs —
    rows (k, v: a turnaround, c: how many briefs had it, ot, oo, r, wr: their sums) — and the
    median of v weighted by c as (median_sum, median_count).

    The running count ``cum`` of the non-NULL values up to a row (ordered by v, NULLs last)
    and their number ``n`` place the row's briefs at positions cum − c + 1 … cum; the lower
    middle position (n + 1) div 2 lies there when 2·(cum − c + 1) ≤ n + 1 and n ≤ 2·cum, the
    upper one (n + 2) div 2 when 2·(cum − c + 1) ≤ n + 2 and n + 1 ≤ 2·cum. The median is
    the sum of the values found there ÷ 2 (plain SQL: window sums, no division)."""
    part = [hist.c.k] if keyed else None
    known = case((hist.c.v.is_not(None), hist.c.c), else_=0)
    order = (case((hist.c.v.is_(None), 1), else_=0), hist.c.v, hist.c.k)
    inner = select(
        hist.c.k, hist.c.v, hist.c.c, hist.c.ot, hist.c.oo, hist.c.r, hist.c.wr,
        func.sum(known).over(partition_by=part, order_by=order, rows=(None, 0)).label("cum"),
        func.sum(known).over(partition_by=part).label("n"),
    ).subquery()
    v, c, cum, n = inner.c.v, inner.c.c, inner.c.cum, inner.c.n
    first = 2 * (cum - c + 1)
    lower = and_(v.is_not(None), first <= n + 1, n <= 2 * cum)
    upper = and_(v.is_not(None), first <= n + 2, n + 1 <= 2 * cum)
    columns = [
        func.coalesce(func.sum(c), 0).label("delivered"),
        func.coalesce(func.sum(inner.c.ot), 0).label("on_time"),
        func.coalesce(func.sum(inner.c.oo), 0).label("on_time_original"),
        func.coalesce(func.sum(inner.c.r), 0).label("rounds"),
        func.coalesce(func.sum(inner.c.wr), 0).label("with_rounds"),
        (func.coalesce(func.sum(case((lower, v), else_=0)), 0)
         + func.coalesce(func.sum(case((upper, v), else_=0)), 0)).label("median_sum"),
        (func.coalesce(func.sum(case((lower, 1), else_=0)), 0)
         + func.coalesce(func.sum(case((upper, 1), else_=0)), 0)).label("median_count"),
    ]
    if keyed:
        return select(inner.c.k, *columns).group_by(inner.c.k).subquery()
    return select(*columns).subquery()


def median_sql(source: Subquery) -> Select[Any]:
    """The median of ``source.c.v`` per ``source.c.k`` as rows (k, median_sum,
    median_count) for ``median_of``: the SQL twin of ``median`` (over any subquery with
    columns k and v), the same SQL as the figures' median."""
    zero = literal(0, Integer)
    hist = select(source.c.k, source.c.v, func.count().label("c"), zero.label("ot"),
                  zero.label("oo"), zero.label("r"), zero.label("wr")
                  ).group_by(source.c.k, source.c.v).subquery()
    summary = _summary(hist, keyed=True)
    return select(summary.c.k, summary.c.median_sum, summary.c.median_count)


# ---------------------------------------------------------------- on-time figures


@dataclass(frozen=True)
class Figures:
    """One group's sums (``key`` None: everything in view)."""

    key: int | None
    name: str
    delivered: int
    on_time: int
    on_time_original: int
    rounds: int
    with_rounds: int
    median_turnaround: Decimal | None
    is_active: bool = True
    rows: int = 0  # how many groups the whole (unpaged) table holds


def delivered_in(start: date, end: date) -> list[ColumnElement[bool]]:
    return [Brief.first_delivered_on.is_not(None), Brief.first_delivered_on >= start,
            Brief.first_delivered_on <= end]


def _flag(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _counts() -> list[Any]:
    """A group of briefs' count, on-time counts and rounds (the histogram's c, ot, oo, r,
    wr)."""
    return [func.count().label("c"),
            _flag(Brief.first_delivered_on <= Brief.due_with_blocks_on).label("ot"),
            _flag(Brief.first_delivered_on <= Brief.original_with_blocks_on).label("oo"),
            func.coalesce(func.sum(Brief.rounds), 0).label("r"),
            _flag(Brief.rounds > 0).label("wr")]


def histogram(where: Sequence[ColumnElement[bool]], key: Any, *,
              join_account: bool, name: str = "hist") -> CTE:
    """The briefs matching ``where`` counted per key (None: all as one) and turnaround, with
    their on-time counts and rounds: one pass over the briefs that the figures read (a CTE,
    read by key and over all)."""
    k = key if key is not None else literal(0, Integer)
    stmt = _briefs(select(k.label("k"), Brief.turnaround_days.label("v"), *_counts()),
                   join_account)
    group = [Brief.turnaround_days] if key is None else [key, Brief.turnaround_days]
    return stmt.where(*where).group_by(*group).cte(name)


def _figures(row: Any, key: int | None, name: str, **extra: Any) -> Figures:
    delivered = int(row.delivered or 0)
    return Figures(
        key=key, name=name, delivered=delivered, on_time=int(row.on_time or 0),
        on_time_original=int(row.on_time_original or 0), rounds=int(row.rounds or 0),
        with_rounds=int(row.with_rounds or 0),
        median_turnaround=median_of(row.median_sum, row.median_count) if delivered else None,
        **extra)


SUMS = ("delivered", "on_time", "on_time_original", "rounds", "with_rounds", "median_sum",
        "median_count")


def _order(sort: str, name: Any, key: Any, delivered: Any, on_time: Any) -> list[Any]:
    descending = sort.startswith("-")
    field = sort.lstrip("-")
    if field == "delivered":
        first = [delivered.desc() if descending else delivered.asc()]
    elif field == "rate":
        rate = cast(on_time, Float) / func.nullif(cast(delivered, Float), 0)
        first = [case((delivered == 0, 1), else_=0), rate.desc() if descending else rate.asc()]
    else:
        first = []
    by_name = name.desc() if field == "name" and descending else name.asc()
    return [*first, by_name, key.asc()]


def _merged(hist: CTE) -> Subquery:
    """The histogram with its keys merged: one row per turnaround (a few dozen rows, whatever
    the number of keys), what the figures over all keys read."""
    return select(
        literal(0, Integer).label("k"), hist.c.v, func.sum(hist.c.c).label("c"),
        *[func.sum(hist.c[c]).label(c) for c in ("ot", "oo", "r", "wr")],
    ).group_by(hist.c.v).subquery()


def _with_total(session: Session, paged: Subquery, everything: Subquery | CTE
                ) -> tuple[Figures, list[Figures]]:
    """The paged rows and the figures over all of them (from ``everything``: the histogram
    per turnaround of every brief counted): one statement (a union ordered by the rows'
    place; the total's place is 0)."""
    total = _summary(everything, keyed=False)
    union = union_all(
        select(paged.c.id, paged.c.name, paged.c.is_active,
               *[paged.c[c] for c in SUMS], paged.c.rows, paged.c.pos),
        select(cast(null(), Integer).label("id"), literal("All").label("name"),
               true().label("is_active"), *[total.c[c] for c in SUMS],
               literal(0, BigInteger).label("rows"), literal(0, BigInteger).label("pos")),
    ).subquery()
    found = session.execute(select(union).order_by(union.c.pos)).all()
    overall = _figures(found[0], None, "All")
    return overall, [_figures(r, int(r.id), r.name, is_active=bool(r.is_active),
                              rows=int(r.rows)) for r in found[1:]]


def by_department(
    session: Session, where: Sequence[ColumnElement[bool]], *,
    departments: ColumnElement[bool], sort: str, limit: int, offset: int, join_account: bool,
) -> tuple[Figures, list[Figures]]:
    """The figures of every brief matching ``where``, and one row per department in
    ``departments`` (a condition on ``Department``) that is active or delivered something
    matching ``where``, sorted and paged in SQL (every row carries the unpaged count). One
    statement (``where`` drives the index by naming the departments:
    ``department_id IN (…)``)."""
    hist = histogram(where, Brief.department_id, join_account=join_account)
    per = _summary(hist, keyed=True)
    delivered = func.coalesce(per.c.delivered, 0)
    order = _order(sort, Department.name, Department.id, delivered,
                   func.coalesce(per.c.on_time, 0))
    paged = (
        select(Department.id, Department.name, Department.is_active,
               *[func.coalesce(per.c[c], 0).label(c) for c in SUMS],
               func.count().over().label("rows"),
               func.row_number().over(order_by=order).label("pos"))
        .select_from(Department).outerjoin(per, per.c.k == Department.id)
        .where(departments, or_(Department.is_active.is_(True), per.c.delivered > 0))
        .order_by(*order).limit(limit).offset(offset)).subquery()
    return _with_total(session, paged, _merged(hist))


def by_account(
    session: Session, where: Sequence[ColumnElement[bool]], *, sort: str, limit: int,
    offset: int, join_account: bool,
) -> tuple[Figures, list[Figures]]:
    """The figures of every brief matching ``where``, and one row per account with a brief
    matching it, sorted and paged in SQL (every row carries the unpaged count). One
    statement.

    The accounts are many (thousands in a year, ten turnarounds each): a histogram per
    account and turnaround would be large, and the median's window sums over it slow (1 s
    for a year of 200,000 briefs). So: the briefs' sums per account sort and page the
    accounts; the histogram per turnaround of all of them gives the figures over all; and
    the histogram per account and turnaround is counted for the page's accounts only, for
    their medians — three light passes over the same range of
    ``ix_briefs_department_delivered``."""
    plain = ("delivered", "on_time", "on_time_original", "rounds", "with_rounds")
    sums = _briefs(select(Brief.account_id.label("k"), *[
        c.label(name) for c, name in zip(_counts(), plain, strict=True)]), join_account
    ).where(*where).group_by(Brief.account_id).subquery()
    order = _order(sort, Account.name, Account.id, sums.c.delivered, sums.c.on_time)
    page = (
        select(sums.c.k.label("id"), Account.name, *[sums.c[c] for c in plain],
               func.count().over().label("rows"),
               func.row_number().over(order_by=order).label("pos"))
        .select_from(sums).join(Account, Account.id == sums.c.k)
        .order_by(*order).limit(limit).offset(offset)).cte("page")
    hist = histogram([*where, Brief.account_id.in_(select(page.c.id))], Brief.account_id,
                     join_account=join_account)
    medians = _summary(hist, keyed=True)
    paged = (
        select(page.c.id, page.c.name, true().label("is_active"),
               *[page.c[c] for c in plain], medians.c.median_sum, medians.c.median_count,
               page.c.rows, page.c.pos)
        .select_from(page).join(medians, medians.c.k == page.c.id)).subquery()
    return _with_total(session, paged, histogram(where, None, join_account=join_account,
                                                  name="everything"))


# ---------------------------------------------------------------- months, late briefs


def month_sql(day: Any) -> ColumnElement[int]:
    """A date column's month index (``year * 12 + month - 1``, ``core.periods``), in SQL that
    SQLite and PostgreSQL both run (``EXTRACT``; SQLite: ``strftime``)."""
    return cast(cast(func.extract("year", day), Integer) * 12
                + cast(func.extract("month", day), Integer) - 1, Integer)


def _briefs(stmt: Select[Any], join_account: bool) -> Select[Any]:
    stmt = stmt.select_from(Brief)
    return stmt.join(Account, Account.id == Brief.account_id) if join_account else stmt


def monthly(session: Session, where: Sequence[ColumnElement[bool]], *, join_account: bool
            ) -> dict[int, tuple[int, int]]:
    """{month index: (delivered, on time)} of the briefs matching ``where``, by the month of
    their first delivery (one grouped statement)."""
    month = month_sql(Brief.first_delivered_on)
    rows = session.execute(_briefs(
        select(month.label("m"), func.count(),
               _flag(Brief.first_delivered_on <= Brief.due_with_blocks_on)), join_account)
        .where(*where).group_by(month)).all()
    return {int(m): (int(d), int(o)) for m, d, o in rows}


def late_briefs(session: Session, where: Sequence[ColumnElement[bool]], limit: int
                ) -> list[Any]:
    """The briefs matching ``where`` first delivered after their extended due date, latest
    first."""
    return list(session.execute(
        select(Brief.id, Brief.title, Brief.account_id, Account.name.label("account_name"),
               Brief.first_delivered_on, Brief.due_on, Brief.due_with_blocks_on,
               Brief.blocked_days, Brief.rounds)
        .select_from(Brief).join(Account, Account.id == Brief.account_id)
        .where(*where, Brief.first_delivered_on > Brief.due_with_blocks_on)
        .order_by(Brief.first_delivered_on.desc(), Brief.id.desc()).limit(limit)).all())


# ---------------------------------------------------------------- effort


def _hundredths(column: Any) -> Any:
    """Hours as whole hundredths (exact sums on both databases)."""
    return func.coalesce(func.sum(cast(func.round(column * 100), BigInteger)), 0)


def hours(hundredths: Any) -> Decimal:
    return (Decimal(int(hundredths or 0)) / 100).quantize(Decimal("0.01"))


def _effort_sums() -> list[Any]:
    return [func.count().label("briefs"),
            func.count(Brief.estimated_hours).label("estimated_briefs"),
            func.count(Brief.actual_hours).label("actual_briefs"),
            _hundredths(Brief.estimated_hours).label("estimated"),
            _hundredths(Brief.actual_hours).label("actual")]


EFFORT = ("briefs", "estimated_briefs", "actual_briefs", "estimated", "actual")


def effort(session: Session, where: Sequence[ColumnElement[bool]], *, limit: int,
           offset: int, join_account: bool) -> tuple[Any, list[Any]]:
    """Effort of every brief matching ``where``, and per account and month of first delivery
    (latest month first, then account name), paged; each row also carries the unpaged count
    (``rows``). One statement (a union: the sum's place is 0)."""
    month = month_sql(Brief.first_delivered_on)
    sums = _briefs(select(Brief.account_id.label("account_id"), month.label("month"),
                          *_effort_sums()), join_account
                   ).where(*where).group_by(Brief.account_id, month).cte("effort")
    order = (sums.c.month.desc(), Account.name, Account.id)
    paged = (select(sums, Account.name.label("account_name"),
                    func.count().over().label("rows"),
                    func.row_number().over(order_by=order).label("pos"))
             .join(Account, Account.id == sums.c.account_id)
             .order_by(*order).limit(limit).offset(offset)).subquery()
    union = union_all(
        select(paged.c.account_id, paged.c.month, *[paged.c[c] for c in EFFORT],
               paged.c.account_name, paged.c.rows, paged.c.pos),
        select(cast(null(), Integer).label("account_id"), cast(null(), Integer).label("month"),
               *[func.coalesce(func.sum(sums.c[c]), 0).label(c) for c in EFFORT],
               literal("All").label("account_name"), literal(0, BigInteger).label("rows"),
               literal(0, BigInteger).label("pos")),
    ).subquery()
    found = session.execute(select(union).order_by(union.c.pos)).all()
    return found[0], list(found[1:])
