"""What the account rhythm (``calendar``, above health) tells the health score.

Health sits below the calendar, so it cannot read the cadence or the follow-ups; the calendar
registers providers here and the assembly (``accord.app.wiring``) connects them:

- the touch interval of an account (contact freshness = days since the last qualifying
  touch ÷ this interval): for many accounts an SQL expression (``IntervalSql``: it joins what
  it needs to the health query over ``Account`` and answers the interval), for one account
  its pure twin (``IntervalOne``: the interval in days and how it was chosen);
- the overdue commitments of an account: for many accounts a ``Select(account_id,
  overdue)`` listing the accounts with any, for one account the count. Several capabilities
  contribute, each under its own name (the calendar: overdue follow-ups; agency work: client
  inputs past their due date and briefs past their agreed due date); the measure is their
  sum.

With nothing connected there is no touch interval (freshness left out) and overdue
commitments stay "no data", as before the calendar existed. The two sides of each pair must
agree (``tests/test_health_bulk.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

#: (session, query over Account, account id column, tier column, kind column)
#: -> (the query with its joins, the touch interval in days: NULL for none)
IntervalSql = Callable[[Session, Select, Any, Any, Any], tuple[Select, Any]]
#: (session, account id, tier, kind, today) -> (touch interval in days or None, where from)
IntervalOne = Callable[[Session, int, str, str, date], tuple[int | None, str]]
#: (session, today) -> Select(account_id, overdue) of the accounts with any
OverdueSql = Callable[[Session, date], Select]
#: (session, account id, today) -> the number overdue
OverdueOne = Callable[[Session, int, date], int]


@dataclass
class _Providers:
    interval_sql: IntervalSql | None = None
    interval_one: IntervalOne | None = None
    #: name -> (many accounts, one account), in the order connected
    overdue: dict[str, tuple[OverdueSql, OverdueOne]] = field(default_factory=dict)


_providers = _Providers()


def connect_interval(sql: IntervalSql, one: IntervalOne) -> None:
    """Register the touch interval (the last one connected answers; idempotent)."""
    _providers.interval_sql, _providers.interval_one = sql, one


def connect_overdue(sql: OverdueSql, one: OverdueOne, name: str = "follow_ups") -> None:
    """Register one kind of overdue commitment under ``name`` (idempotent: the same name
    replaces its earlier provider)."""
    _providers.overdue[name] = (sql, one)


def disconnect() -> None:
    """Forget every provider (tests)."""
    _providers.interval_sql = _providers.interval_one = None
    _providers.overdue.clear()


def interval_sql() -> IntervalSql | None:
    return _providers.interval_sql


def interval_one(
    session: Session, account_id: int, tier: str, kind: str, today: date
) -> tuple[int | None, str]:
    if _providers.interval_one is None:
        return None, "no contact cadence connected"
    return _providers.interval_one(session, account_id, tier, kind, today)


def overdue_sql() -> OverdueSql | None:
    """Every connected kind as one ``Select(account_id, overdue)`` (the sum per account of
    the accounts with any); None while nothing is connected."""
    found = list(_providers.overdue.values())
    if not found:
        return None
    if len(found) == 1:
        return found[0][0]

    def combined(session: Session, today: date) -> Select:
        parts = union_all(*(sql(session, today) for sql, _ in found)).subquery("commitments")
        return select(parts.c.account_id, func.sum(parts.c.overdue).label("overdue")).group_by(
            parts.c.account_id)

    return combined


def overdue_one(session: Session, account_id: int, today: date) -> int | None:
    """The account's overdue commitments (every kind, summed); None while nothing is
    connected."""
    found = list(_providers.overdue.values())
    if not found:
        return None
    return sum(one(session, account_id, today) for _, one in found)
