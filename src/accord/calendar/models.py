"""The account rhythm's tables (issue 13, migration ``0020_rhythm``).

- ``cadence_overrides``: an account's own touch and review intervals, with the reason
  ("this client wants a call every day", "reports only": no touch interval).
- ``follow_ups``: a task on an account (what, due date, optional due time in its owner's time
  zone, owner, where it came from), open / snoozed / done / cancelled.
- ``calendar_events`` and ``event_attendees``: scheduled events (a business review, a meeting,
  a call…), one-off or recurring (an RFC 5545 RRULE), with their attendees (users, contacts),
  agenda and the interaction each produced (``event_occurrences``: one row per occurrence
  that was held or cancelled).
- ``renewal_reminders``: the renewal reminder of an account's contract end date, recorded
  once with the renewal opportunity it opened.
- ``imported_meetings``: meetings read from an ``.ics`` file, by UID (an import is
  idempotent).
- ``feed_tokens``: a user's iCalendar feed token (its SHA-256; revocable).
- ``digests_sent``: one digest per user per day, recorded before it is sent.
- ``jobs``: the job runs (claimed by one process, retried when they fail).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from accord.core.database import Base, UTCDateTime, utcnow

FOLLOW_UP_STATES = ("open", "snoozed", "done", "cancelled")
FOLLOW_UP_SOURCES = ("interaction", "plan_action", "opportunity", "event", "renewal",
                     "input_request")
EVENT_KINDS = ("business_review", "meeting", "call", "renewal", "other")
EVENT_STATES = ("scheduled", "cancelled")
OCCURRENCE_STATES = ("held", "cancelled")
JOB_STATES = ("due", "running", "done", "failed")


class CadenceOverride(Base):
    __tablename__ = "cadence_overrides"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    #: days between touches; NULL: no touch cadence ("reports only")
    touch_days: Mapped[int | None] = mapped_column(Integer)
    #: days between business reviews; NULL: no reviews
    review_days: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    __table_args__ = (
        CheckConstraint("touch_days is null or (touch_days between 1 and 3660)", name="touch"),
        CheckConstraint("review_days is null or (review_days between 1 and 3660)",
                        name="review"),
    )


class FollowUp(Base):
    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text, default="")
    #: the calendar date it is due (in its owner's time zone)
    due_on: Mapped[date] = mapped_column(Date)
    #: optional wall-clock time that day, in ``time_zone``
    due_time: Mapped[time | None] = mapped_column(Time)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    #: the instant ``due_on`` + ``due_time`` in ``time_zone`` (UTC); NULL without a time
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="open")
    #: while snoozed: the date it comes back (it is due again that day)
    snoozed_until: Mapped[date | None] = mapped_column(Date)
    source_kind: Mapped[str | None] = mapped_column(String(20))
    source_id: Mapped[int | None] = mapped_column(Integer)
    #: the interaction that closed it (logging an interaction can close its follow-up)
    closed_by_interaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("interactions.id", ondelete="SET NULL"))
    closed_on: Mapped[date | None] = mapped_column(Date)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    __table_args__ = (
        CheckConstraint("status in ('open','snoozed','done','cancelled')", name="status"),
        CheckConstraint(
            "source_kind is null or source_kind in "
            "('interaction','plan_action','opportunity','event','renewal','input_request')",
            name="source_kind"),
        # My day and the overdue list: an owner's open items by due date
        Index("ix_follow_ups_owner_open", "owner_id", "status", "due_on"),
        Index("ix_follow_ups_account_open", "account_id", "status", "due_on"),
    )


class CalendarEvent(Base):
    __tablename__ = "calendar_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: stable iCalendar UID (feeds and imports)
    uid: Mapped[str] = mapped_column(String(120), unique=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="meeting")
    title: Mapped[str] = mapped_column(String(200))
    agenda: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    #: first occurrence's start and end (UTC); the series repeats them by ``rrule``
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: the time zone the event was planned in (a recurring event keeps its wall-clock time)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    #: RFC 5545 RRULE value (``FREQ=MONTHLY;INTERVAL=3``), NULL for a one-off event
    rrule: Mapped[str | None] = mapped_column(String(500))
    #: the last day the series may reach (from UNTIL/COUNT; NULL: open-ended) — for queries
    last_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="scheduled")
    organiser_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: generated from the cadence (a business review the rhythm scheduled)
    generated: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    __table_args__ = (
        CheckConstraint(
            "kind in ('business_review','meeting','call','renewal','other')", name="kind"),
        CheckConstraint("status in ('scheduled','cancelled')", name="status"),
        CheckConstraint("ends_at >= starts_at", name="span"),
        Index("ix_calendar_events_account_kind", "account_id", "kind", "starts_at"),
    )


class EventAttendee(Base):
    __tablename__ = "event_attendees"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("calendar_events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True)

    __table_args__ = (
        CheckConstraint("(user_id is null) <> (contact_id is null)", name="one"),
        UniqueConstraint("event_id", "user_id", "contact_id"),
    )


class EventOccurrence(Base):
    """One occurrence of an event that was held (with the interaction it produced) or
    cancelled; occurrences not listed are as the series says."""

    __tablename__ = "event_occurrences"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("calendar_events.id", ondelete="CASCADE"), primary_key=True)
    #: the occurrence's original start (UTC), its RECURRENCE-ID
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    status: Mapped[str] = mapped_column(String(10))
    interaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("interactions.id", ondelete="SET NULL"))

    __table_args__ = (CheckConstraint("status in ('held','cancelled')", name="status"),)


class RenewalReminder(Base):
    __tablename__ = "renewal_reminders"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    contract_end_on: Mapped[date] = mapped_column(Date, primary_key=True)
    due_on: Mapped[date] = mapped_column(Date)
    opportunity_id: Mapped[int | None] = mapped_column(
        ForeignKey("opportunities.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ImportedMeeting(Base):
    __tablename__ = "imported_meetings"

    uid: Mapped[str] = mapped_column(String(255), primary_key=True)
    interaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("interactions.id", ondelete="SET NULL"))
    imported_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FeedToken(Base):
    __tablename__ = "feed_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    prefix: Mapped[str] = mapped_column(String(16))
    #: SHA-256 of the secret (the secret is shown once)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DigestSent(Base):
    __tablename__ = "digests_sent"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: sent, skipped (empty), failed
    outcome: Mapped[str] = mapped_column(String(10), default="sent")
    items: Mapped[int] = mapped_column(Integer, default=0)


class Job(Base):
    """A job run: ``name`` due at ``due_at``; claimed by one process (``FOR UPDATE SKIP
    LOCKED`` on PostgreSQL, an IMMEDIATE transaction on SQLite), retried when it fails."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), default="due")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (
        CheckConstraint("status in ('due','running','done','failed')", name="status"),
        UniqueConstraint("name", "due_at"),
        Index("ix_jobs_status_due", "status", "due_at"),
    )
