"""Tables of the KPI engine: derived monthly data, its version, and the policy settings.

``kpi_account_months`` is derived from ``monthly_revenue`` (never edited by hand): one row per
account and month, dense from the account's first month with revenue lines to the last month
in the data, holding the month's amount, the running total up to and including the month and
the account's first month with positive revenue. Any window sum is then two equality lookups
(``cum(b) - cum(a - 1)``), which both databases answer with index seeks or hash joins.

``kpi_state`` (one row) records the data version — bumped by every refresh, so cached
reports are keyed by it — and the month range of the data. ``kpi_policy`` (one row) holds
the policy settings: window, basis, ABC cut-offs and an optional pinned as-of month.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, ForeignKey, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from accord.core.database import Base, UTCDateTime, utcnow


class KpiAccountMonth(Base):
    __tablename__ = "kpi_account_months"

    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    cumulative_cents: Mapped[int] = mapped_column(BigInteger)
    #: the account's first month with positive revenue (null: none yet)
    first_sale_month: Mapped[int | None] = mapped_column(Integer)

    # clustered by (month, account_id) on SQLite: one as-of month is one contiguous range
    __table_args__ = {"sqlite_with_rowid": False}


class KpiState(Base):
    __tablename__ = "kpi_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    first_month: Mapped[int | None] = mapped_column(Integer)
    last_month: Mapped[int | None] = mapped_column(Integer)
    #: highest revenue line id folded in; newer lines trigger an incremental refresh
    max_line_id: Mapped[int | None] = mapped_column(BigInteger)
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class KpiPolicy(Base):
    __tablename__ = "kpi_policy"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    window_months: Mapped[int] = mapped_column(Integer, default=12)
    basis: Mapped[str] = mapped_column(String(10), default="trailing")
    abc_a: Mapped[Decimal] = mapped_column(Numeric(5, 4), default=Decimal("0.8000"))
    abc_b: Mapped[Decimal] = mapped_column(Numeric(5, 4), default=Decimal("0.9500"))
    #: pinned as-of month index; null means "the last complete month in the data"
    as_of_month: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(254))
