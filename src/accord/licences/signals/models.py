"""The licence signals' derived store (issue 15, migration ``0024_licence_signals``).

``licence_usage``: per account and service (SKU), the seats purchased, assigned, reported
(covered by a usage report) and active on the day it was last evaluated, the shares in
ten-thousandths (allocation, adoption, utilisation; NULL when the divisor is 0), the signal
(``upsell``, ``risk`` or NULL) and the up-sell opportunity it opened. Rebuilt by
``signals.service.refresh`` when seats, usage or subscriptions change and by the daily job,
never by a read: the portfolio Licences page reads it as it is.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from accord.core.database import Base

SIGNALS = ("upsell", "risk")


class LicenceUsage(Base):
    __tablename__ = "licence_usage"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id", ondelete="CASCADE"),
                                        primary_key=True)
    evaluated_on: Mapped[date] = mapped_column(Date)
    purchased: Mapped[int] = mapped_column(Integer)
    assigned: Mapped[int] = mapped_column(Integer)
    reported: Mapped[int] = mapped_column(Integer)
    active: Mapped[int] = mapped_column(Integer)
    #: shares in ten-thousandths (0.9 is 9000); NULL when the divisor is 0
    allocation_e4: Mapped[int | None] = mapped_column(Integer)
    adoption_e4: Mapped[int | None] = mapped_column(Integer)
    utilisation_e4: Mapped[int | None] = mapped_column(Integer)
    signal: Mapped[str | None] = mapped_column(String(8))
    #: the up-sell opportunity the signal opened (the last one)
    opportunity_id: Mapped[int | None] = mapped_column(
        ForeignKey("opportunities.id", ondelete="SET NULL"))

    __table_args__ = (
        CheckConstraint("signal is null or signal in ('upsell','risk')", name="signal"),
        # the Licences page's up-sell and risk lists
        Index("ix_licence_usage_signal", "signal", "account_id"),
    )
