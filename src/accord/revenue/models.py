"""Revenue lines (invoices, credit notes) and monthly revenue per account.

Amounts are integer cents (exact, sum as fast as floats). ``monthly_revenue`` is kept up to
date by every import: one row per account and month with revenue lines, plus the running
total up to that month (``cumulative_cents``) so that any window sum is two lookups.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from accord.core.database import Base


class RevenueLine(Base):
    __tablename__ = "revenue_lines"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    #: no foreign key (per-row checks cost more than the rest of an import): the importer checks
    #: its accounts set-based, and a trigger on accounts deletes their lines (migration 0006)
    account_id: Mapped[int] = mapped_column(Integer)
    #: identity of the line within its account: ``#<line_id>`` or ``<date>|<product_line>``
    line_key: Mapped[str] = mapped_column(String(140))
    date: Mapped[date] = mapped_column(Date)
    month: Mapped[int] = mapped_column(Integer)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    product_line: Mapped[str | None] = mapped_column(String(100))
    line_id: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (Index("uq_revenue_lines_account_key", "account_id", "line_key", unique=True),)


class MonthlyRevenue(Base):
    __tablename__ = "monthly_revenue"

    account_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # no FK: see RevenueLine
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    cumulative_cents: Mapped[int] = mapped_column(BigInteger)
    line_count: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_monthly_revenue_month", "month", "account_id"),)
