"""Purchases of individual clients, read from ``revenue_lines`` in the database, grouped
there (a few GROUP BY statements, no row-by-row Python over revenue lines), on SQLite and
PostgreSQL alike.

A **purchase** is a day with at least one revenue line of a person account that is not a
credit note: ``amount_cents >= 0`` (a zero-priced line is a purchase, a negative line never
is); several lines on one day are one purchase, whose amount is their sum.

- :func:`calibration`: per person account with a purchase up to the calibration end
  (inclusive): its first and last purchase day (as days before the calibration end), the
  number of purchase days, the total, the first day's amount (so the mean spend of the
  REPEAT purchases is ``(total - first day) / x``), and the RFM inputs over the window of
  ``rfm_window_days`` days ending on the calibration end (purchase days and amount in it),
  in one statement; :func:`histories` the first part alone (what the fits need).
- :func:`holdout`: per client, the purchase days after the calibration end (exclusive) up
  to the holdout end (inclusive) — all repeat purchases of the clients of the calibration.
- :func:`weekly_repeats`: the repeat purchase days (every purchase day of a client but
  their first) of the clients of the calibration, counted per week from a start day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Select, and_, case, func, select, text
from sqlalchemy.orm import Session

from accord.accounts.models import Account, AccountKind
from accord.core.database import days_until, is_sqlite
from accord.revenue.models import RevenueLine

IntArray = npt.NDArray[np.int64]
LINES = RevenueLine.__table__.c


@dataclass(frozen=True)
class Histories:
    """When every client bought, up to ``calibration_end``: one entry per client with a
    purchase, in account id order (numpy arrays of one length). All the BG/NBD fit needs."""

    calibration_end: date
    account_ids: IntArray
    #: days from the first purchase to the calibration end (T in days)
    age_days: IntArray
    #: days from the last purchase to the calibration end (recency)
    recency_days: IntArray
    #: distinct purchase days (x + 1)
    purchase_days: IntArray

    def __len__(self) -> int:
        return int(self.account_ids.size)

    @property
    def x(self) -> IntArray:
        return self.purchase_days - 1

    @property
    def t_x_days(self) -> IntArray:
        return self.age_days - self.recency_days

    def first_purchase_on(self) -> list[date]:
        return _dates(self.calibration_end, self.age_days)

    def last_purchase_on(self) -> list[date]:
        return _dates(self.calibration_end, self.recency_days)


@dataclass(frozen=True)
class Amounts:
    """What every client of a :class:`Histories` spent (same order): the total, the first
    purchase day's amount, and the purchase days and amount in the RFM window."""

    rfm_window_days: int
    total_cents: IntArray
    first_cents: IntArray
    rfm_days: IntArray
    rfm_cents: IntArray


@dataclass(frozen=True)
class Calibration:
    """Both, for callers that want them at once."""

    histories: Histories
    amounts: Amounts


def repeat_mean_cents(histories: Histories, amounts: Amounts) -> IntArray:
    """The mean spend of a repeat purchase day, whole cents rounded half up (0 without a
    repeat purchase): ``(total - first day) / x`` in integer arithmetic."""
    x = histories.x
    repeat = amounts.total_cents - amounts.first_cents
    safe = np.where(x > 0, x, 1)
    return np.where(x > 0, (2 * repeat + safe) // (2 * safe), 0).astype(np.int64)


def _dates(end: date, days_before: IntArray) -> list[date]:
    known: dict[int, date] = {}
    out = []
    for d in days_before.tolist():
        day = known.get(d)
        if day is None:
            day = known[d] = end - timedelta(days=d)
        out.append(day)
    return out


def _columns(rows: Sequence[Any], width: int) -> list[IntArray]:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in range(width)]
    return [np.asarray([int(v or 0) for v in c], dtype=np.int64) for c in columns]


def _per_client(end: date, table: Any = None) -> Select[Any]:
    """Person accounts joined to their purchase lines up to ``end`` (``table``: the lines or
    an alias of them), grouped by account: the lines are read account by account in key
    order, so the grouping needs no sort."""
    table = RevenueLine.__table__ if table is None else table
    return (select(Account.id.label("account_id"))
            .select_from(Account)
            .join(table, table.c.account_id == Account.id)
            .where(Account.kind == AccountKind.PERSON.value, table.c.amount_cents >= 0,
                   table.c.date <= end)
            .group_by(Account.id))


def histories(session: Session, calibration_end: date) -> Histories:
    """First and last purchase day and the number of purchase days of every client, up to
    ``calibration_end`` (inclusive): one GROUP BY over the person accounts' lines."""
    per_client = (_per_client(calibration_end)
                  .add_columns(func.min(LINES.date).label("first_on"),
                               func.max(LINES.date).label("last_on"),
                               func.count(func.distinct(LINES.date)).label("days"))
                  .subquery("per_client"))
    rows = session.execute(select(
        per_client.c.account_id,
        -days_until(session, calibration_end, per_client.c.first_on),
        -days_until(session, calibration_end, per_client.c.last_on),
        per_client.c.days,
    ).order_by(per_client.c.account_id)).all()
    ids, age, recency, days = _columns(rows, 4)
    return Histories(calibration_end, ids, age, recency, days)


def calibration(session: Session, calibration_end: date, rfm_window_days: int) -> Calibration:
    """Everything a scores fit reads, in one statement: one GROUP BY over the person
    accounts' lines (first and last purchase day, purchase days, total, and the purchase days
    and amount in the RFM window, the ``rfm_window_days`` days ending on ``calibration_end``),
    and per client the lines of its first purchase day summed by a lookup on the key's
    account part."""
    rfm_start = calibration_end - timedelta(days=rfm_window_days - 1)
    in_window = LINES.date >= rfm_start
    per_client = (_per_client(calibration_end)
                  .add_columns(func.min(LINES.date).label("first_on"),
                               func.max(LINES.date).label("last_on"),
                               func.count(func.distinct(LINES.date)).label("days"),
                               func.sum(LINES.amount_cents).label("total"),
                               func.count(func.distinct(case((in_window, LINES.date))))
                               .label("rfm_days"),
                               func.sum(case((in_window, LINES.amount_cents), else_=0))
                               .label("rfm_cents"))
                  .subquery("per_client"))
    first_day = RevenueLine.__table__.alias("first_day")
    first_cents = (select(func.sum(first_day.c.amount_cents))
                   .where(first_day.c.account_id == per_client.c.account_id,
                          first_day.c.date == per_client.c.first_on,
                          first_day.c.amount_cents >= 0)
                   .scalar_subquery())
    c = per_client.c
    if not is_sqlite(session):  # planned as costly (a lookup per client): compiling it costs
        session.execute(text("SET LOCAL jit = off"))  # more than running it
    rows = session.execute(select(
        c.account_id, -days_until(session, calibration_end, c.first_on),
        -days_until(session, calibration_end, c.last_on), c.days, c.total, first_cents,
        c.rfm_days, c.rfm_cents,
    ).order_by(c.account_id)).all()
    ids, age, recency, days, total, first, rfm_days, rfm_cents = _columns(rows, 8)
    return Calibration(Histories(calibration_end, ids, age, recency, days),
                       Amounts(rfm_window_days, total, first, rfm_days, rfm_cents))


def holdout(session: Session, calibration_end: date, holdout_end: date) -> dict[int, int]:
    """Purchase days per client after ``calibration_end`` up to ``holdout_end`` (inclusive);
    clients without one are left out. The caller keeps the clients of the calibration."""
    rows = session.execute(
        _per_client(holdout_end).add_columns(func.count(func.distinct(LINES.date)))
        .where(LINES.date > calibration_end))
    return {int(a): int(n) for a, n in rows}


def weekly_repeats(session: Session, start: date, calibration_end: date,
                   end: date) -> IntArray:
    """Repeat purchase days (every purchase day but the client's first) of the clients whose
    first purchase is on or before ``calibration_end``, counted per week from ``start``
    (week 1: ``start`` to ``start`` + 6) up to ``end`` (inclusive): one count per week,
    zeros included. Grouped by day in the database (purchase days per day), by week here."""
    weeks = max((end - start).days // 7 + 1, 0)
    lines = RevenueLine.__table__.alias("first_lines")
    firsts = (_per_client(end, lines).add_columns(func.min(lines.c.date).label("first_on"))
              .having(func.min(lines.c.date) <= calibration_end).subquery("firsts"))
    rows = session.execute(
        select(days_until(session, start, LINES.date), func.count(func.distinct(LINES.account_id)))
        .select_from(firsts)
        .join(RevenueLine.__table__, and_(LINES.account_id == firsts.c.account_id,
                                          LINES.date > firsts.c.first_on))
        .where(LINES.amount_cents >= 0, LINES.date >= start, LINES.date <= end)
        .group_by(LINES.date)
    )
    out = np.zeros(weeks, dtype=np.int64)
    for day, count in rows:
        week = int(day) // 7
        if 0 <= week < weeks:
            out[week] += int(count)
    return out


def first_purchase(session: Session) -> date | None:
    """The first purchase day of any client (None: no client ever bought)."""
    return session.scalar(
        select(func.min(LINES.date)).select_from(Account)
        .join(RevenueLine.__table__, LINES.account_id == Account.id)
        .where(Account.kind == AccountKind.PERSON.value, LINES.amount_cents >= 0))
