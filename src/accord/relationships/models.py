"""Relationship stage tables: the manager's criterion overrides and the stage assessments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from accord.core.database import Base, UTCDateTime, utcnow


class StageOverride(Base):
    """The manager's score for one rubric criterion, with the reason (replaces the evidence)."""

    __tablename__ = "stage_overrides"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    criterion: Mapped[str] = mapped_column(String(40), primary_key=True)
    score: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    set_by: Mapped[str] = mapped_column(String(254))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (CheckConstraint("score between 1 and 4", name="score"),)


class StageAssessment(Base):
    """A recorded stage with the rubric as it stood that day (the stage history)."""

    __tablename__ = "stage_assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    assessed_on: Mapped[date] = mapped_column(Date)
    assessed_by: Mapped[str] = mapped_column(String(254))
    recorded_stage: Mapped[str] = mapped_column(String(20))
    suggested_stage: Mapped[str] = mapped_column(String(20))
    suggested_total: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    #: the six criteria: computed score, evidence, override and reason
    detail: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_stage_assessments_account", "account_id", "assessed_on", "id"),
        CheckConstraint("suggested_total between 6 and 24", name="total"),
        CheckConstraint(
            "recorded_stage in ('Tactical','Cooperative','Interdependent','Strategic')",
            name="recorded_stage",
        ),
    )


class KamDecision(Base):
    """Derived, never edited: one row per key-or-large account with everything the decisions
    list shows except what lives on the account (name, segment, manager). Rebuilt in SQL when
    the KAM version or the revenue snapshot changed (see ``decisions.ensure_built``)."""

    __tablename__ = "kam_decisions"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    tier: Mapped[str] = mapped_column(String(12))
    tier_order: Mapped[int] = mapped_column(Integer)
    attractiveness_milli: Mapped[int | None] = mapped_column(Integer)
    us_weighted: Mapped[int | None] = mapped_column(Integer)
    competitor_weighted: Mapped[int | None] = mapped_column(Integer)
    strength: Mapped[float | None] = mapped_column(Float)
    potential: Mapped[str | None] = mapped_column(String(10))
    stage: Mapped[str | None] = mapped_column(String(20))
    stage_on: Mapped[date | None] = mapped_column(Date)
    decision: Mapped[str | None] = mapped_column(String(12))
    health: Mapped[int | None] = mapped_column(Integer)
    band: Mapped[str | None] = mapped_column(String(8))
    revenue_cents: Mapped[int] = mapped_column(BigInteger)
    abc: Mapped[str | None] = mapped_column(String(1))
    scored_on: Mapped[date | None] = mapped_column(Date)
    flag: Mapped[str | None] = mapped_column(String(16))

    __table_args__ = (
        Index("ix_kam_decisions_health", "health"),
        Index("ix_kam_decisions_revenue", "revenue_cents"),
    )


class KamDecisionState(Base):
    """What ``kam_decisions`` was built from (one row)."""

    __tablename__ = "kam_decisions_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    built_from: Mapped[str] = mapped_column(String(200))
