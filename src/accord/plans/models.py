"""Account plans: one current plan per account (earlier ones kept read-only as history),
its entries (goals, pain points, SWOT, risks), key people, objectives with their manual
updates and actions, and the links that show the shareable sections to the client."""

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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from accord.core.database import Base, UTCDateTime, utcnow
from accord.core.versions import versioned


class AccountPlan(Base):
    """A plan of one account over its horizon; ``is_current`` on at most one per account."""

    __tablename__ = "account_plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    horizon_months: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    #: the client's business: what they do
    business: Mapped[str] = mapped_column(Text, default="")
    strategy: Mapped[str] = mapped_column(Text, default="")
    budgets: Mapped[str] = mapped_column(Text, default="")
    value_to_us: Mapped[str] = mapped_column(Text, default="")
    #: the section names (rules.SECTIONS) the manager marks shareable with the client
    shared_sections: Mapped[list[Any]] = mapped_column(JSON, default=list)
    last_reviewed_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: raised by every change of an editable field (optimistic concurrency, core.versions)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    __table_args__ = (
        Index(
            "uq_account_plans_current",
            "account_id",
            unique=True,
            sqlite_where=text("is_current = 1"),
            postgresql_where=text("is_current"),
        ),
        CheckConstraint("horizon_months in (6, 12, 18)", name="horizon"),
        CheckConstraint("ends_on > starts_on", name="period"),
    )


class PlanEntry(Base):
    """One line of a list section: a goal, a pain point, a SWOT item or a risk."""

    __tablename__ = "plan_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("account_plans.id", ondelete="CASCADE"))
    section: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        Index("ix_plan_entries_plan", "plan_id", "section", "position"),
        CheckConstraint(
            "section in ('goals','pain_points','strengths','weaknesses','opportunities',"
            "'threats','risks')",
            name="section",
        ),
    )


class PlanKeyPerson(Base):
    """A contact of the account who matters for the plan, with a "reports to" link."""

    __tablename__ = "plan_key_people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("account_plans.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    buying_role: Mapped[str | None] = mapped_column(String(20))
    reports_to_contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL")
    )
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("uq_plan_key_people_contact", "plan_id", "contact_id", unique=True),)


class PlanObjective(Base):
    """A SMART objective: a metric (tied to Accord's figures, or ``manual``), baseline,
    target, owner and due date."""

    __tablename__ = "plan_objectives"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("account_plans.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    metric: Mapped[str] = mapped_column(String(24))
    baseline: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    target: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_on: Mapped[date | None] = mapped_column(Date)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    __table_args__ = (
        Index("ix_plan_objectives_plan", "plan_id", "position"),
        CheckConstraint(
            "metric in ('revenue_12m','nrr','share_of_wallet','health','key_people_touched',"
            "'manual')",
            name="metric",
        ),
    )


class ObjectiveUpdate(Base):
    """A value of a manual objective noted on a day; the latest is the current value."""

    __tablename__ = "objective_updates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("plan_objectives.id", ondelete="CASCADE"))
    value: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    noted_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    __table_args__ = (Index("ix_objective_updates_objective", "objective_id", "noted_on", "id"),)


class PlanAction(Base):
    """Something to do towards an objective: owner, due date, status."""

    __tablename__ = "plan_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("plan_objectives.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open")
    done_on: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        Index("ix_plan_actions_objective", "objective_id", "due_on"),
        # My day: an owner's open actions by due date (calendar.myday)
        Index("ix_plan_actions_owner_open", "owner_id", "status", "due_on"),
        CheckConstraint("status in ('open','done','cancelled')", name="status"),
    )


class PlanShareLink(Base):
    """A link that shows the client the plan's shareable sections: the random token is
    given once and stored only as its SHA-256 (as API tokens are)."""

    __tablename__ = "plan_share_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("account_plans.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_plan_share_links_plan", "plan_id"),)


# optimistic concurrency (core.versions)
versioned(
    AccountPlan,
    (
        "horizon_months",
        "starts_on",
        "ends_on",
        "business",
        "strategy",
        "budgets",
        "value_to_us",
        "shared_sections",
        "last_reviewed_on",
        "archived_at",
        "is_current",
    ),
)
versioned(PlanObjective, ("title", "metric", "baseline", "target", "owner_id", "due_on"))
