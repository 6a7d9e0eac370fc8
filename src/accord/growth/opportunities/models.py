"""Opportunities and the product lines each one is about.

Owned by issue 12's opportunities helper (migration ``0018_opportunities``); the shapes the
whitespace matrix and proposals rely on: ``Opportunity.id``, ``account_id``, ``kind``,
``stage``, ``value``, ``probability``, ``expected_close_on``, ``owner_id`` and the
``opportunity_product_lines`` link; ``objective_opportunities`` lists the opportunities an
objective of an account plan counts (its progress adds up their won value).
"""

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
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from accord.core.database import Base, UTCDateTime, utcnow
from accord.core.versions import versioned

KINDS = ("upsell", "cross_sell", "renewal", "new_vertical")
STAGES = ("identified", "qualified", "proposed", "negotiation", "won", "lost")
OPEN_STAGES = ("identified", "qualified", "proposed", "negotiation")


class Opportunity(Base):
    __tablename__ = "opportunities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    stage: Mapped[str] = mapped_column(String(20), default="identified")
    #: in the company's currency
    value: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    #: 0–100 (per cent), defaulted from the stage (the stages setting)
    probability: Mapped[int] = mapped_column(Integer)
    expected_close_on: Mapped[date | None] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                 index=True)
    next_step: Mapped[str] = mapped_column(Text, default="")
    next_step_on: Mapped[date | None] = mapped_column(Date)
    lost_reason: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    __table_args__ = (
        CheckConstraint("kind in ('upsell','cross_sell','renewal','new_vertical')",
                        name="kind"),
        CheckConstraint("stage in ('identified','qualified','proposed','negotiation','won',"
                        "'lost')", name="stage"),
        CheckConstraint("probability >= 0 and probability <= 100", name="probability"),
        CheckConstraint("value >= 0", name="value"),
        Index("ix_opportunities_stage_close", "stage", "expected_close_on"),
    )


class OpportunityProductLine(Base):
    __tablename__ = "opportunity_product_lines"

    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), primary_key=True)
    product_line_id: Mapped[int] = mapped_column(
        ForeignKey("product_lines.id", ondelete="CASCADE"), primary_key=True, index=True)


class ObjectiveOpportunity(Base):
    """An opportunity listed under an objective of its account's plan."""

    __tablename__ = "objective_opportunities"

    objective_id: Mapped[int] = mapped_column(
        ForeignKey("plan_objectives.id", ondelete="CASCADE"), primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), primary_key=True, index=True)


versioned(Opportunity, ("title", "kind", "stage", "value", "probability", "expected_close_on",
                        "owner_id", "next_step", "next_step_on", "lost_reason"))
