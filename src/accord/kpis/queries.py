"""The KPI queries as SQL executed by the database (SQLAlchemy Core; SQLite and PostgreSQL).

Every query reads ``kpi_account_windows`` (see ``models.py``): per window variant, as-of
month and account, R(C), R(P) and the movement between them. One as-of month is one
contiguous primary-key range whose rows arrive ordered by (group, movement), so

- the retention sums are ``count``/``sum`` per (group, movement): one range scan, no sort,
  no join (``grouped_sums``); the service rolls the groups up into the portfolio and the
  three breakdowns, and turns each movement's sums into the KPIS.md fields;
- the series is the same query over the range of as-of months (``series_sums``);
- concentration reads a histogram of R(C) by bucket (digits and first three digits) from the
  rank index, then the individual amounts of the at most three buckets a cut-off falls in
  (``concentration``); the sum of squares for HHI is summed exactly in integer parts.

A user who may not see everything gets the same queries restricted to the visible accounts.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, String, Table, func, literal_column, select, text
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.core.models import User
from accord.kpis.formulas import (
    MOVE_CODE,
    SPLIT,
    Bucket,
    Concentration,
    Movement,
    Sums,
    buckets_to_open,
    concentration_of,
    sum_of_squares,
)
from accord.kpis.models import KpiAccountWindow, KpiGroup

KW: Table = KpiAccountWindow.__table__  # type: ignore[assignment]
G: Table = KpiGroup.__table__  # type: ignore[assignment]
A = Account.__table__

NOT_KEY = "not key"


def tier_of(accounts: Any) -> ColumnElement[str]:
    """The account's tier (selection-matrix quadrant) as a SQL expression over ``accounts``.

    Until the selection matrix exists every account is "not key"; issue 4 replaces this
    one function (e.g. with a correlated lookup of the account's quadrant). The engine keeps
    each account's (manager, segment, tier) group in ``kpi_account_groups``, re-synchronised
    when the audit log moves on: a tier change must therefore be an audited write.
    """
    return literal_column(f"'{NOT_KEY}'", String)


def tune(session: Session) -> None:
    """Per-transaction settings for the report queries on PostgreSQL: no JIT compilation (it
    costs more than these short queries take), no parallel workers (measured: starting them
    costs more than they save on 100,000 rows on two cores)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off"))
        session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))


def _where(variant: int, visible: ColumnElement[bool] | None, *conds: Any) -> list[Any]:
    out = [KW.c.variant == variant, *conds]
    if visible is not None:
        out.append(KW.c.account_id.in_(select(A.c.id).where(visible)))
    return out


Group = tuple[int | None, str | None, str]


def _groups(session: Session, gids: set[int]) -> dict[int, Group]:
    if not gids:
        return {}
    rows = session.execute(
        select(G.c.gid, G.c.manager_id, G.c.segment, G.c.tier).where(G.c.gid.in_(sorted(gids)))
    )
    return {r.gid: (r.manager_id, r.segment, r.tier) for r in rows}


def _movement_sums() -> list[Any]:
    return [
        KW.c.movement,
        func.count().label("n"),
        func.sum(KW.c.prev_cents).label("prev"),
        func.sum(KW.c.cur_cents).label("cur"),
    ]


def _sums(row: Any) -> Sums:
    return Sums.of_movement(int(row.movement), int(row.n), int(row.prev), int(row.cur))


def _square_parts() -> list[Any]:
    cur = KW.c.cur_cents
    hi, lo = cur // SPLIT, cur % SPLIT
    return [func.sum(hi * hi).label("hh"), func.sum(hi * lo).label("hl"),
            func.sum(lo * lo).label("ll")]


def grouped_sums(
    session: Session, variant: int, month: int, visible: ColumnElement[bool] | None
) -> tuple[list[tuple[int | None, str | None, str, Sums]], int]:
    """Sums per (manager_id, segment, tier) group for one as-of month, and the exact sum of
    R(C) squared over all of them (for HHI; read here, where the rows are read anyway)."""
    stmt = (
        select(KW.c.gid, *_movement_sums(), *_square_parts())
        .where(*_where(variant, visible, KW.c.month == month))
        .group_by(KW.c.gid, KW.c.movement)
    )
    per_gid: dict[int, Sums] = {}
    hh = hl = ll = 0
    for row in session.execute(stmt):
        per_gid[row.gid] = per_gid.get(row.gid, Sums()) + _sums(row)
        hh, hl, ll = hh + int(row.hh), hl + int(row.hl), ll + int(row.ll)
    names = _groups(session, set(per_gid))
    return [(*names[gid], sums) for gid, sums in per_gid.items()], sum_of_squares(hh, hl, ll)


def series_sums(
    session: Session, variant: int, first: int, last: int, visible: ColumnElement[bool] | None
) -> dict[int, Sums]:
    """Portfolio sums for every as-of month from ``first`` to ``last``, in one query."""
    stmt = (
        select(KW.c.month, KW.c.gid, *_movement_sums())
        .where(*_where(variant, visible, KW.c.month >= first, KW.c.month <= last))
        .group_by(KW.c.month, KW.c.gid, KW.c.movement)
    )
    out = {m: Sums() for m in range(first, last + 1)}
    for row in session.execute(stmt):
        out[row.month] = out[row.month] + _sums(row)
    return out


def concentration(
    session: Session,
    variant: int,
    month: int,
    visible: ColumnElement[bool] | None,
    abc: tuple[Any, Any],
    squares: int,
) -> Concentration:
    """Top-20 % revenue, HHI and ABC counts over the accounts with R(C) > 0 (``squares``:
    the sum of R(C) squared, from ``grouped_sums``)."""
    cur = KW.c.cur_cents
    histogram = (
        select(KW.c.bucket, func.count().label("n"), func.sum(cur).label("revenue"))
        .where(*_where(variant, visible, KW.c.month == month, KW.c.bucket > 0))
        .group_by(KW.c.bucket)
    )
    buckets = [Bucket(int(r.bucket), int(r.n), int(r.revenue))
               for r in session.execute(histogram)]
    keys = buckets_to_open(buckets, abc)
    amounts: dict[int, list[int]] = {k: [] for k in keys}
    if keys:
        rows = session.execute(
            select(KW.c.bucket, cur).where(
                *_where(variant, visible, KW.c.month == month, KW.c.bucket.in_(keys))
            )
        )
        for bucket, amount in rows:
            amounts[int(bucket)].append(int(amount))
    return concentration_of(buckets, amounts, squares, abc)


def movement_accounts(
    session: Session,
    variant: int,
    month: int,
    visible: ColumnElement[bool] | None,
    movement: Movement,
    *,
    limit: int,
    offset: int,
) -> tuple[int, list[Any]]:
    """Accounts with one movement, largest change first: total count and one page."""
    cond = _where(variant, visible, KW.c.month == month, KW.c.movement == MOVE_CODE[movement])
    count = session.scalar(select(func.count()).select_from(KW).where(*cond)) or 0
    change = KW.c.cur_cents - KW.c.prev_cents
    magnitude = func.abs(change)
    users = User.__table__
    stmt = (
        select(
            KW.c.account_id, A.c.name, A.c.segment, G.c.tier,
            users.c.email.label("manager"),
            KW.c.prev_cents.label("prev"), KW.c.cur_cents.label("cur"),
        )
        .select_from(
            KW.join(A, A.c.id == KW.c.account_id)
            .join(G, G.c.gid == KW.c.gid)
            .outerjoin(users, users.c.id == A.c.manager_id)
        )
        .where(*cond)
        .order_by(magnitude.desc(), KW.c.account_id)
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
