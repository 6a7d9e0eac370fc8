"""Targets for managers: one value per manager, period and metric (``rules.METRICS``)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from accord.core.database import Base, UTCDateTime, utcnow
from accord.core.versions import versioned


class ManagerTarget(Base):
    """What a manager is to reach in a period (a month, quarter or year): set by their head
    or an admin; the actual is computed from Accord's own figures, never stored."""

    __tablename__ = "manager_targets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    manager_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    metric: Mapped[str] = mapped_column(String(20))
    target: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: raised by every change of the target (optimistic concurrency, core.versions)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    __table_args__ = (
        UniqueConstraint("manager_id", "period_start", "period_end", "metric"),
        Index("ix_manager_targets_period", "period_start", "period_end"),
        CheckConstraint(
            "metric in ('book_revenue','book_nrr','new_key_accounts','plans_complete')",
            name="metric",
        ),
        CheckConstraint("period_end >= period_start", name="period"),
        CheckConstraint("target > 0", name="target"),
    )


versioned(ManagerTarget, ("target",))
