"""Relationship stage tables: the manager's criterion overrides and the stage assessments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
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
