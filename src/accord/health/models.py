"""Health: the current score per account (for sorting and the decisions page) and its history."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from accord.core.database import Base


class AccountHealth(Base):
    """The latest computed health of each account, with the measure values behind it."""

    __tablename__ = "account_health"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    computed_on: Mapped[date] = mapped_column(Date)
    score: Mapped[int | None] = mapped_column(Integer)
    band: Mapped[str | None] = mapped_column(String(8))
    revenue_trend: Mapped[float | None] = mapped_column(Float)
    contact_freshness: Mapped[float | None] = mapped_column(Float)
    #: active seats ÷ seats purchased (``health.utilisation``); NULL without subscriptions
    licence_utilisation: Mapped[float | None] = mapped_column(Float)
    sentiment: Mapped[int | None] = mapped_column(Integer)


class HealthHistory(Base):
    """One score per account and day it was computed (daily or on demand): the trend."""

    __tablename__ = "health_history"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    computed_on: Mapped[date] = mapped_column(Date, primary_key=True)
    score: Mapped[int | None] = mapped_column(Integer)
    band: Mapped[str | None] = mapped_column(String(8))

    __table_args__ = (Index("ix_health_history_day", "computed_on"),)
