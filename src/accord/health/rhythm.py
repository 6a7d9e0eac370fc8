"""What the account rhythm (``calendar``, above health) tells the health score.

Health sits below the calendar, so it cannot read the cadence or the follow-ups; the calendar
registers providers here and the assembly (``accord.app.wiring``) connects them:

- the touch interval of an account (contact freshness = days since the last qualifying
  touch ÷ this interval): for many accounts an SQL expression (``IntervalSql``: it joins what
  it needs to the health query over ``Account`` and answers the interval), for one account
  its pure twin (``IntervalOne``: the interval in days and how it was chosen);
- the overdue commitments of an account (the overdue follow-ups): for many accounts a
  ``Select(account_id, overdue)`` listing the accounts with any, for one account the count.

With nothing connected there is no touch interval (freshness left out) and overdue
commitments stay "no data", as before the calendar existed. The two sides of each pair must
agree (``tests/test_health_bulk.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

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
    overdue_sql: OverdueSql | None = None
    overdue_one: OverdueOne | None = None


_providers = _Providers()


def connect_interval(sql: IntervalSql, one: IntervalOne) -> None:
    """Register the touch interval (the last one connected answers; idempotent)."""
    _providers.interval_sql, _providers.interval_one = sql, one


def connect_overdue(sql: OverdueSql, one: OverdueOne) -> None:
    """Register the overdue commitments (idempotent)."""
    _providers.overdue_sql, _providers.overdue_one = sql, one


def disconnect() -> None:
    """Forget every provider (tests)."""
    _providers.interval_sql = _providers.interval_one = None
    _providers.overdue_sql = _providers.overdue_one = None


def interval_sql() -> IntervalSql | None:
    return _providers.interval_sql


def interval_one(
    session: Session, account_id: int, tier: str, kind: str, today: date
) -> tuple[int | None, str]:
    if _providers.interval_one is None:
        return None, "no contact cadence connected"
    return _providers.interval_one(session, account_id, tier, kind, today)


def overdue_sql() -> OverdueSql | None:
    return _providers.overdue_sql


def overdue_one(session: Session, account_id: int, today: date) -> int | None:
    """The account's overdue commitments; None while nothing is connected."""
    if _providers.overdue_one is None:
        return None
    return _providers.overdue_one(session, account_id, today)
