"""Hand-offs: one per transition of an account to its manager, its checklist items and the
events of its flow."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
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


class Handoff(Base):
    """A hand-off of one account, from its author (sales, or the leaving manager) to the
    receiving manager (the account's responsible manager)."""

    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(10), default="draft")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    receiver_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the leaving manager of a hand-off between managers
    from_manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the deadline: working days after submission (work calendar)
    due_on: Mapped[date | None] = mapped_column(Date)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    return_reason: Mapped[str | None] = mapped_column(Text)
    #: share of the items answered with evidence rather than "not applicable", at acceptance
    quality: Mapped[Decimal | None] = mapped_column(Numeric(5, 4))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    __table_args__ = (
        Index("ix_handoffs_account", "account_id", "state"),
        Index("ix_handoffs_receiver", "receiver_id", "state", "due_on"),
        Index("ix_handoffs_author", "author_id", "state"),
        Index("ix_handoffs_state_due", "state", "due_on"),
        CheckConstraint("kind in ('sales','manager')", name="kind"),
        CheckConstraint(
            "state in ('draft','submitted','accepted','returned')", name="state"
        ),
        CheckConstraint("quality is null or (quality between 0 and 1)", name="quality"),
    )


class HandoffItem(Base):
    """One checklist item of a hand-off (copied from the template when it is opened) and its
    answer."""

    __tablename__ = "handoff_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    handoff_id: Mapped[int] = mapped_column(ForeignKey("handoffs.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(200))
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer)
    hint: Mapped[str | None] = mapped_column(String(500))
    answer_kind: Mapped[str | None] = mapped_column(String(16))
    answer: Mapped[str | None] = mapped_column(Text)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    interaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("interactions.id", ondelete="SET NULL")
    )
    na_reason: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("handoff_id", "key"),
        CheckConstraint(
            "answer_kind is null or answer_kind in "
            "('text','contact','interaction','file','link','not_applicable')",
            name="answer_kind",
        ),
    )


class HandoffEvent(Base):
    """One step of a hand-off's flow (opened, submitted, accepted, returned)."""

    __tablename__ = "handoff_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    handoff_id: Mapped[int] = mapped_column(
        ForeignKey("handoffs.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_state: Mapped[str | None] = mapped_column(String(10))
    to_state: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(Text)


# optimistic concurrency (core.versions): the flow and the receiver raise the version; an
# answered item raises it too (service: versions.bump)
versioned(Handoff, ("state", "receiver_id", "author_id", "due_on", "return_reason"))
