"""Agency work's tables (issue 14, migration ``0021_agency``).

- ``departments``: the departments that do the work (creative, media, production…): a lead,
  a time zone, working weekdays on top of the company calendar (NULL: the company's), a
  default turnaround in working days and the sections of its brief template.
- ``department_members``: who belongs to a department (any role; a ``specialist`` sees
  nothing but their departments' briefs).
- ``department_holidays``: the department's own days off, on top of the company holidays.
- ``deliverable_types``: a kind of deliverable (media plan, report, creative) and the
  checklist the manager completes before approving it.
- ``briefs``: a brief from an account manager to a department; its state, the original and
  the agreed due date, a due date the department proposed, rounds of changes, effort, and
  what was recorded at its first delivery (the day, the working days it was blocked by a
  client input, the due date those extend, the turnaround) — the figures the on-time rate
  reads, written when the brief is delivered, never by a read.
- ``brief_transitions``: every change of state, timestamped (the log the on-time rate can
  be recomputed from).
- ``input_requests``: what the team waits for from the client (a brand book, a promo code),
  from which contact, for which brief, by when, chased every ``chase_days`` working days;
  escalated to the head after ``escalate_after`` unanswered chases.
- ``input_chases``: each chase generated for a request, with its follow-up and whether it
  was sent (and the interaction that logged it).
- ``account_chase_defaults``: an account's agreed chase interval, used by its requests that
  give none.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
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

BRIEF_STATES = ("draft", "sent", "accepted", "in_progress", "delivered", "approved",
                "cancelled")
PRIORITIES = ("low", "normal", "high", "urgent")
INPUT_STATES = ("open", "received", "cancelled")
CHASE_STATES = ("due", "sent", "closed")


class Department(Base):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    lead_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    #: working weekdays (0 = Monday … 6 = Sunday); NULL: the company calendar's
    weekdays: Mapped[list[int] | None] = mapped_column(JSON)
    turnaround_days: Mapped[int] = mapped_column(Integer, default=5)
    #: the brief template: [{"key": "objective", "label": "Objective", "hint": "…"}, …]
    sections: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    __table_args__ = (
        CheckConstraint("turnaround_days between 1 and 365", name="turnaround"),
    )


class DepartmentMember(Base):
    __tablename__ = "department_members"

    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)


class DepartmentHoliday(Base):
    __tablename__ = "department_holidays"

    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), default="")


class DeliverableType(Base):
    __tablename__ = "deliverable_types"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    #: the checklist: [{"key": "budget_matches", "label": "Budget matches the brief"}, …]
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))


class Brief(Base):
    __tablename__ = "briefs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    title: Mapped[str] = mapped_column(String(200))
    #: the template's sections as written: {"objective": "…", "audience": "…"}
    sections: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    #: [{"name": "Brand book", "url": "https://…"}]
    attachments: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    deliverable_type: Mapped[str | None] = mapped_column(
        ForeignKey("deliverable_types.key", ondelete="SET NULL"))
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    status: Mapped[str] = mapped_column(String(12), default="draft")
    #: the due date the brief was written with (kept when another is agreed)
    original_due_on: Mapped[date] = mapped_column(Date)
    #: the agreed due date (the original, or the department's proposal once approved)
    due_on: Mapped[date] = mapped_column(Date)
    proposed_due_on: Mapped[date | None] = mapped_column(Date)
    proposed_reason: Mapped[str | None] = mapped_column(Text)
    estimated_hours: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    actual_hours: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    rounds: Mapped[int] = mapped_column(Integer, default=0)
    #: the checklist as completed: {"item key": true}
    checks: Mapped[dict[str, bool]] = mapped_column(JSON, default=dict)
    approval_note: Mapped[str | None] = mapped_column(Text)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    sent_on: Mapped[date | None] = mapped_column(Date)
    # recorded at the first delivery (the on-time rate's inputs; rules.first_delivery)
    first_delivered_on: Mapped[date | None] = mapped_column(Date)
    blocked_days: Mapped[int | None] = mapped_column(Integer)
    due_with_blocks_on: Mapped[date | None] = mapped_column(Date)
    original_with_blocks_on: Mapped[date | None] = mapped_column(Date)
    turnaround_days: Mapped[int | None] = mapped_column(Integer)
    approved_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    __table_args__ = (
        CheckConstraint(
            "status in ('draft','sent','accepted','in_progress','delivered','approved',"
            "'cancelled')", name="status"),
        CheckConstraint("priority in ('low','normal','high','urgent')", name="priority"),
        CheckConstraint("rounds >= 0", name="rounds"),
        # the department board: a department's briefs by status and due date
        Index("ix_briefs_department_status_due", "department_id", "status", "due_on"),
        # the on-time rate of a department over a period of first deliveries: covering what
        # the scorecard reads, so a year of deliveries is read from the index alone
        Index("ix_briefs_department_delivered", "department_id", "first_delivered_on",
              "due_with_blocks_on", "original_with_blocks_on", "turnaround_days", "rounds",
              "account_id"),
        # the account's Work tab, the health model's late briefs, the board of a manager
        # (counted by state from their accounts' briefs: covering)
        Index("ix_briefs_account_status", "account_id", "status", "due_on", "department_id"),
        Index("ix_briefs_status_due", "status", "due_on"),
    )


class BriefTransition(Base):
    __tablename__ = "brief_transitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    brief_id: Mapped[int] = mapped_column(
        ForeignKey("briefs.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    #: what happened: create, send, accept, propose, agree, decline_date, start, deliver,
    #: request_changes, approve, cancel
    action: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the day it happened in the acting side's calendar (the department's for its steps)
    on: Mapped[date] = mapped_column(Date)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(Text)
    #: a due date the step proposed or agreed
    due_on: Mapped[date | None] = mapped_column(Date)


class InputRequest(Base):
    __tablename__ = "input_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"))
    brief_id: Mapped[int | None] = mapped_column(ForeignKey("briefs.id", ondelete="SET NULL"))
    #: why: which deliverable waits on it (free text beside the brief)
    reason: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[date] = mapped_column(Date)
    #: the agreed chase interval in working days; NULL: the account's default
    chase_days: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="open")
    requested_on: Mapped[date] = mapped_column(Date)
    #: who chases (the account's manager unless another is named)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: chases generated and not answered (the client answers by delivering)
    chases: Mapped[int] = mapped_column(Integer, default=0)
    next_chase_on: Mapped[date | None] = mapped_column(Date)
    escalated_on: Mapped[date | None] = mapped_column(Date)
    escalated_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    closed_on: Mapped[date | None] = mapped_column(Date)
    close_note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    __table_args__ = (
        CheckConstraint("status in ('open','received','cancelled')", name="status"),
        CheckConstraint("chase_days is null or chase_days between 1 and 260", name="chase"),
        Index("ix_input_requests_account_status", "account_id", "status", "due_on"),
        # a brief's blocks; "blocked by client input since" on the board's cards (covering)
        Index("ix_input_requests_brief", "brief_id", "status", "requested_on"),
        # the chase job: open requests by next chase; overdue inputs by due date
        Index("ix_input_requests_status_chase", "status", "next_chase_on"),
        Index("ix_input_requests_status_due", "status", "due_on"),
    )


class InputChase(Base):
    __tablename__ = "input_chases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("input_requests.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    follow_up_id: Mapped[int | None] = mapped_column(
        ForeignKey("follow_ups.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="due")
    sent_on: Mapped[date | None] = mapped_column(Date)
    interaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("interactions.id", ondelete="SET NULL"))

    __table_args__ = (
        UniqueConstraint("request_id", "number", name="uq_input_chases_number"),
        CheckConstraint("status in ('due','sent','closed')", name="status"),
    )


class AccountChaseDefault(Base):
    __tablename__ = "account_chase_defaults"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    chase_days: Mapped[int] = mapped_column(Integer)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        CheckConstraint("chase_days between 1 and 260", name="chase"),
    )
