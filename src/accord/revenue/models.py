"""Revenue lines (invoices, credit notes) and monthly revenue per account.

Amounts are integer cents (exact, sum as fast as floats). ``monthly_revenue`` is kept up to
date by every import: one row per account and month with revenue lines, plus the running
total up to that month (``cumulative_cents``) so that any window sum is two lookups.

A revenue line is identified by its account and ``line_key``: that pair is the primary key
(on SQLite a ``WITHOUT ROWID`` table, one B-tree). Every load is numbered
(``revenue_loads``); the monthly rows it wrote carry its number, which tells later readers
what changed since they last looked.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from accord.core.database import Base, UTCDateTime, utcnow


class RevenueLine(Base):
    __tablename__ = "revenue_lines"

    #: no foreign key (per-row checks cost more than the rest of an import): the importer checks
    #: its accounts set-based, and a trigger on accounts deletes their lines (migration 0006)
    account_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: identity of the line within its account: ``#<line_id>`` or ``<date>|<product_line>``
    line_key: Mapped[str] = mapped_column(String(140), primary_key=True)
    date: Mapped[date] = mapped_column(Date)
    month: Mapped[int] = mapped_column(Integer)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    product_line: Mapped[str | None] = mapped_column(String(100))
    line_id: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = {"sqlite_with_rowid": False}


class MonthlyRevenue(Base):
    __tablename__ = "monthly_revenue"

    account_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # no FK: see RevenueLine
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    cumulative_cents: Mapped[int] = mapped_column(BigInteger)
    line_count: Mapped[int] = mapped_column(Integer)
    #: the load (``revenue_loads.id``) that last changed this row
    load_id: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (Index("ix_monthly_revenue_month", "month", "account_id"),)


class RevenueLoad(Base):
    """One row per load of revenue lines (an import, the demo): its number is the watermark
    the KPI engine and the KAM models compare with what they last folded in."""

    __tablename__ = "revenue_loads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lines: Mapped[int] = mapped_column(BigInteger)  # input lines read
    inserted: Mapped[int] = mapped_column(BigInteger)
    updated: Mapped[int] = mapped_column(BigInteger)
    accounts: Mapped[int] = mapped_column(Integer)  # accounts whose monthly revenue changed
