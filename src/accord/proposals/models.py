"""Proposals, their versions, the offers and benefits of each version, and the opportunities
a proposal asks for.

The stored ``status`` is ``draft``, ``sent``, ``accepted`` or ``declined``; ``expired`` is
never stored: it is computed on read (``rules.shown_status``) once ``valid_until`` has passed.
Every edit of a sent proposal makes a new version; the earlier ones are kept, read-only.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from accord.core.database import Base, UTCDateTime, utcnow
from accord.core.versions import versioned


class Proposal(Base):
    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    valid_until: Mapped[date] = mapped_column(Date)
    #: the number of the version shown and edited (the latest)
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    sent_on: Mapped[date | None] = mapped_column(Date)
    decided_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: optimistic concurrency (core.versions)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    __table_args__ = (
        CheckConstraint("status in ('draft','sent','accepted','declined')", name="status"),
        CheckConstraint("current_version >= 1", name="current_version"),
    )


versioned(Proposal, ("title", "status", "valid_until", "current_version"))


class ProposalVersion(Base):
    __tablename__ = "proposal_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: set when this version was sent: from then on it is read-only
    sent_on: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (UniqueConstraint("proposal_id", "number"),)


class ProposalOffer(Base):
    """One line of a version's offer: a product line or a SKU, in the company's currency;
    ``discount`` is an amount off the unit price (never above it), ``tax_rate`` per cent."""

    __tablename__ = "proposal_offers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("proposal_versions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    product_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_lines.id", ondelete="SET NULL"))
    sku_id: Mapped[int | None] = mapped_column(ForeignKey("skus.id", ondelete="SET NULL"))
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    discount: Mapped[Decimal] = mapped_column(Numeric(18, 2), default=Decimal(0))
    tax_rate: Mapped[Decimal] = mapped_column(Numeric(7, 4), default=Decimal(0))

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint("unit_price >= 0", name="unit_price"),
        CheckConstraint("discount >= 0 and discount <= unit_price", name="discount"),
        CheckConstraint("tax_rate >= 0 and tax_rate <= 100", name="tax_rate"),
    )


class ProposalBenefit(Base):
    """A benefit for this client, tied to a goal or pain point of the account's plan."""

    __tablename__ = "proposal_benefits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("proposal_versions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    plan_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_entries.id", ondelete="SET NULL"))


class ProposalOpportunity(Base):
    """An opportunity the proposal asks for (accepting the proposal wins it)."""

    __tablename__ = "proposal_opportunities"

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), primary_key=True, index=True)
