"""The KPI queries as SQL executed by the database (SQLAlchemy Core; SQLite and PostgreSQL).

Every query reads ``kpi_account_windows`` (see ``models.py``): per window variant, as-of
month and account, R(C), R(P), the movement between them and the account's group. One as-of
month is one contiguous primary-key range whose rows arrive ordered by (group, movement), so

- ``one_month`` reads everything a report needs of the month except a few individual
  amounts: the ``count``/``sum`` per (group, movement) with the group's names joined (the
  service rolls them up into the portfolio and the three breakdowns and turns each
  movement's sums into the fields of docs/kpis.md), the exact sum of R(C) squared for HHI,
  and a histogram of R(C) by bucket (digits and first three digits). PostgreSQL does it in one
  pass over the range (``GROUPING SETS``); SQLite in two queries (the sums from the range,
  the histogram from the rank index);
- ``concentration`` then reads the individual amounts of the at most three buckets a
  cut-off falls in;
- the series is the sums over the range of as-of months (``series_sums``).

A user who may not see everything gets the same queries restricted to the visible accounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Table,
    cast,
    func,
    literal,
    select,
    text,
    tuple_,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import Subquery

from accord.accounts.models import Account
from accord.core.models import User
from accord.kpis.formulas import (
    MOVE_CODE,
    SPLIT,
    SPLIT_BITS,
    Bucket,
    Concentration,
    Movement,
    Sums,
    buckets_to_open,
    concentration_of,
    square_sum_of_products,
    sum_of_squares,
)
from accord.kpis.models import KpiAccountWindow, KpiGroup
from accord.selection import rules
from accord.selection.queries import tier_select

account_windows: Table = KpiAccountWindow.__table__  # type: ignore[assignment]
kpi_groups: Table = KpiGroup.__table__  # type: ignore[assignment]
account_table = Account.__table__

NOT_KEY = rules.NOT_KEY


def account_tiers(session: Session) -> Subquery:
    """(account_id, tier) of every scored account: the selection matrix's quadrant from the
    latest scoring and the current cut lines, "not key" when deselected. Accounts absent from
    it are "not key".

    The engine stores each account's (manager, segment, tier) group in
    ``kpi_account_groups`` (``groups.py``), so a report never joins this at query time.
    Database triggers queue an account in ``kpi_group_changes`` whenever something its group
    depends on changes (its manager or segment, a scoring, a deselection or reselection, the
    cut lines or other selection settings); the next report re-synchronises the queued
    accounts only (migration 0007).
    """
    return tier_select(session)


def tune(session: Session) -> None:
    """Per-transaction settings for the report queries on PostgreSQL, in one round trip: no
    JIT compilation (it costs more than these short queries take), no parallel workers
    (measured: starting them costs more than they save on 100,000 rows on two cores)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(
            "SELECT set_config('jit', 'off', true), "
            "set_config('max_parallel_workers_per_gather', '0', true)"
        ))


def _where(variant: int, visible: ColumnElement[bool] | None, *conds: Any) -> list[Any]:
    out = [account_windows.c.variant == variant, *conds]
    if visible is not None:
        out.append(account_windows.c.account_id.in_(select(account_table.c.id).where(visible)))
    return out


Group = tuple[int | None, str | None, str]


@dataclass(frozen=True)
class OneMonth:
    """One as-of month as the report reads it: sums per (manager_id, segment, tier) group,
    the exact sum of R(C) squared (for HHI), the managers' e-mails and the histogram of R(C)."""

    groups: list[tuple[int | None, str | None, str, Sums]]
    squares: int
    emails: dict[int, str]  # manager id -> email, for the managers of these groups
    buckets: list[Bucket]  # buckets with R(C) > 0


def _movement_sums() -> list[Any]:
    return [
        account_windows.c.movement,
        func.count().label("n"),
        func.sum(account_windows.c.prev_cents).label("prev"),
        func.sum(account_windows.c.cur_cents).label("cur"),
    ]


def _sums(row: Any) -> Sums:
    return Sums.of_movement(int(row.movement), int(row.n), int(row.prev), int(row.cur))


def _square_parts() -> list[Any]:
    """hi*hi, hi*lo, lo*lo of R(C) = hi * SPLIT + lo: each fits in 64 bits, and so does the
    sum of each over a million accounts (SQLite's sum() refuses to overflow)."""
    cur = account_windows.c.cur_cents
    hi, lo = cur // SPLIT, cur % SPLIT
    return [func.sum(hi * hi).label("hh"), func.sum(hi * lo).label("hl"),
            func.sum(lo * lo).label("ll")]


def _groups_with_names(sums: Any) -> Any:
    """Each summed row with its group's manager, segment, tier and the manager's e-mail."""
    users = User.__table__
    return sums.outerjoin(kpi_groups, kpi_groups.c.gid == sums.c.gid).outerjoin(
        users, users.c.id == kpi_groups.c.manager_id
    )


def _named_columns() -> list[Any]:
    return [
        kpi_groups.c.manager_id, kpi_groups.c.segment, kpi_groups.c.tier, User.__table__.c.email
    ]


class _Groups:
    """Rolls summed rows up per group id."""

    def __init__(self) -> None:
        self.per_gid: dict[int, tuple[Group, Sums]] = {}
        self.emails: dict[int, str] = {}

    def add(self, row: Any) -> None:
        group, before = self.per_gid.get(row.gid) or (
            (row.manager_id, row.segment, row.tier), Sums()
        )
        self.per_gid[row.gid] = (group, before + _sums(row))
        if row.manager_id is not None and row.email is not None:
            self.emails[row.manager_id] = row.email

    def groups(self) -> list[tuple[int | None, str | None, str, Sums]]:
        return [(*group, total) for group, total in self.per_gid.values()]


def one_month(
    session: Session, variant: int, month: int, visible: ColumnElement[bool] | None
) -> OneMonth:
    """Everything the report reads of one as-of month except the opened buckets.

    PostgreSQL: one query, one pass over the month's rows: ``GROUPING SETS ((gid,
    movement), (bucket))`` sums per group and builds the histogram together, the group names
    joined to the result. It reads the heap (a bitmap scan of one primary-key range), so it
    costs the same whether or not the visibility map is up to date (an index-only histogram
    is faster on a freshly vacuumed table and much slower after a refresh).
    SQLite: two queries over the same clustered range (the sums, the histogram from the rank
    index), the names joined to the sums.
    """
    if session.get_bind().dialect.name == "postgresql":
        return _one_month_in_one_pass(session, variant, month, visible)
    sums = (
        select(account_windows.c.gid, *_movement_sums(), *_square_parts())
        .where(*_where(variant, visible, account_windows.c.month == month))
        .group_by(account_windows.c.gid, account_windows.c.movement)
        .subquery("sums")
    )
    stmt = select(*sums.c, *_named_columns()).select_from(_groups_with_names(sums))
    rolled = _Groups()
    hh = hl = ll = 0
    for row in session.execute(stmt).all():
        rolled.add(row)
        hh, hl, ll = hh + int(row.hh), hl + int(row.hl), ll + int(row.ll)
    histogram = (
        select(account_windows.c.bucket, func.count(), func.sum(account_windows.c.cur_cents))
        .where(*_where(
            variant, visible, account_windows.c.month == month, account_windows.c.bucket > 0
        ))
        .group_by(account_windows.c.bucket)
        .order_by(account_windows.c.bucket.desc())
    )
    buckets = list(map(Bucket._make, session.execute(histogram).all()))
    return OneMonth(rolled.groups(), sum_of_squares(hh, hl, ll), rolled.emails, buckets)


def _one_month_in_one_pass(
    session: Session, variant: int, month: int, visible: ColumnElement[bool] | None
) -> OneMonth:
    cur = account_windows.c.cur_cents
    sums = (
        select(
            account_windows.c.gid, account_windows.c.movement, account_windows.c.bucket,
            func.count().label("n"),
            cast(func.sum(account_windows.c.prev_cents), BigInteger).label("prev"),
            cast(func.sum(cur), BigInteger).label("cur"),
            # R(C)**2 = (R(C) * hi) * SPLIT + R(C) * lo: two 64-bit products per row (fewer
            # operations than three parts; PostgreSQL sums 64-bit integers without overflow)
            func.sum(cur * cur.bitwise_rshift(literal(SPLIT_BITS, Integer))).label("sq_hi"),
            func.sum(cur * cur.bitwise_and(literal(SPLIT - 1, BigInteger))).label("sq_lo"),
        )
        .where(*_where(variant, visible, account_windows.c.month == month))
        .group_by(func.grouping_sets(
            tuple_(account_windows.c.gid, account_windows.c.movement),
            tuple_(account_windows.c.bucket),
        ))
        .subquery("sums")
    )
    stmt = select(*sums.c, *_named_columns()).select_from(_groups_with_names(sums))
    rolled = _Groups()
    buckets: list[Bucket] = []
    sq_hi = sq_lo = 0
    for row in session.execute(stmt).all():
        gid, _, bucket, n, _, cur_sum = row[:6]  # by position: thousands of histogram rows
        if gid is None:  # the (bucket) grouping set: one histogram bar
            if bucket > 0:
                buckets.append(Bucket(bucket, n, cur_sum))
            continue
        rolled.add(row)
        sq_hi, sq_lo = sq_hi + int(row.sq_hi), sq_lo + int(row.sq_lo)
    return OneMonth(rolled.groups(), square_sum_of_products(sq_hi, sq_lo), rolled.emails,
                    buckets)


def series_sums(
    session: Session, variant: int, first: int, last: int, visible: ColumnElement[bool] | None
) -> dict[int, Sums]:
    """Portfolio sums for every as-of month from ``first`` to ``last``, in one query."""
    stmt = (
        select(account_windows.c.month, account_windows.c.gid, *_movement_sums())
        .where(*_where(
            variant, visible, account_windows.c.month >= first, account_windows.c.month <= last
        ))
        .group_by(account_windows.c.month, account_windows.c.gid, account_windows.c.movement)
    )
    out = {m: Sums() for m in range(first, last + 1)}
    for row in session.execute(stmt).all():
        out[row.month] = out[row.month] + _sums(row)
    return out


def concentration(
    session: Session,
    variant: int,
    month: int,
    visible: ColumnElement[bool] | None,
    abc: tuple[Any, Any],
    read: OneMonth,
) -> Concentration:
    """Top-20 % revenue, HHI and ABC counts over the accounts with R(C) > 0, from the
    histogram and the sum of squares of ``one_month`` and the individual amounts of the (at
    most three) buckets a cut-off falls in."""
    keys = buckets_to_open(read.buckets, abc)
    amounts: dict[int, list[int]] = {k: [] for k in keys}
    if keys:
        rows = session.execute(
            select(account_windows.c.bucket, account_windows.c.cur_cents).where(
                *_where(variant, visible, account_windows.c.month == month,
                        account_windows.c.bucket.in_(keys))
            )
        ).all()
        for bucket, amount in rows:
            amounts[int(bucket)].append(int(amount))
    return concentration_of(read.buckets, amounts, read.squares, abc)


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
    cond = _where(variant, visible, account_windows.c.month == month,
                  account_windows.c.movement == MOVE_CODE[movement])
    count = session.scalar(select(func.count()).select_from(account_windows).where(*cond)) or 0
    change = account_windows.c.cur_cents - account_windows.c.prev_cents
    magnitude = func.abs(change)
    users = User.__table__
    stmt = (
        select(
            account_windows.c.account_id, account_table.c.name, account_table.c.segment,
            kpi_groups.c.tier,
            users.c.email.label("manager"),
            account_windows.c.prev_cents.label("prev"), account_windows.c.cur_cents.label("cur"),
        )
        .select_from(
            account_windows.join(account_table, account_table.c.id == account_windows.c.account_id)
            .join(kpi_groups, kpi_groups.c.gid == account_windows.c.gid)
            .outerjoin(users, users.c.id == account_table.c.manager_id)
        )
        .where(*cond)
        .order_by(magnitude.desc(), account_windows.c.account_id)
        .limit(limit)
        .offset(offset)
    )
    return int(count), list(session.execute(stmt))
