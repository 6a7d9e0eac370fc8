"""Accounts, contacts (linked to several accounts), team members, interactions."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.schema import DDL

from accord.core.database import Base, UTCDateTime, utcnow
from accord.core.versions import versioned


class AccountKind(StrEnum):
    COMPANY = "company"
    PERSON = "person"


class AccountStatus(StrEnum):
    PROSPECT = "prospect"
    ONBOARDING = "onboarding"
    ACTIVE = "active"
    LAPSED = "lapsed"
    CHURNED = "churned"


class SizeBand(StrEnum):
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"
    ENTERPRISE = "enterprise"


class BuyingRole(StrEnum):
    DECISION_MAKER = "decision_maker"
    INFLUENCER = "influencer"
    CHAMPION = "champion"
    USER = "user"
    BLOCKER = "blocker"


class Stance(StrEnum):
    SUPPORTER = "supporter"
    NEUTRAL = "neutral"
    OPPONENT = "opponent"


class Seniority(StrEnum):
    EXECUTIVE = "executive"
    DIRECTOR = "director"
    MANAGER = "manager"
    STAFF = "staff"


class InteractionKind(StrEnum):
    CALL = "call"
    MEETING = "meeting"
    EMAIL = "email"
    NOTE = "note"
    BUSINESS_REVIEW = "business_review"


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(10), default=AccountKind.COMPANY)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    segment: Mapped[str | None] = mapped_column(String(60), index=True)
    business_line: Mapped[str | None] = mapped_column(String(60))
    size_band: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), default=AccountStatus.ACTIVE, index=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    country: Mapped[str | None] = mapped_column(String(60))
    industry: Mapped[str | None] = mapped_column(String(100))
    estimated_spend_cents: Mapped[int | None] = mapped_column(BigInteger)
    estimated_spend_source: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    name_key: Mapped[str] = mapped_column(String(200))
    #: date of the latest interaction, kept by the interaction service (sortable, cheap)
    last_touch_on: Mapped[date | None] = mapped_column(Date, index=True)
    #: date of the latest *qualifying* touch (a call, meeting, e-mail or business review with
    #: a client contact: ``calendar.cadence``), kept by the interaction service like the above
    last_qualifying_touch_on: Mapped[date | None] = mapped_column(Date, index=True)
    #: the client contract's end date and its notice period in days (renewals, issue 13;
    #: the relationship rubric's forecast-horizon evidence)
    contract_end_on: Mapped[date | None] = mapped_column(Date, index=True)
    notice_days: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: raised by every change of an editable field (optimistic concurrency, core.versions)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    __table_args__ = (
        Index("ix_accounts_name_key_id", "name_key", "id"),
        Index("ix_accounts_manager_name", "manager_id", "name_key"),
        # the segments a manager or head sees (filter choices), without reading the rows
        Index("ix_accounts_manager_segment", "manager_id", "segment"),
        # a manager's renewals (calendar.renewals, the feed's notice deadlines)
        Index("ix_accounts_manager_contract_end", "manager_id", "contract_end_on"),
        # a manager's workload (accord.team.workload): every account of the managers in
        # reach read for its kind and segment from the index alone (docs/team.md)
        Index("ix_accounts_manager_kind_segment", "manager_id", "kind", "segment", "id"),
        # Search (accounts.search): a trigram index answers LIKE '%needle%' on PostgreSQL.
        # SQLite has no such index and scans the narrow ones above instead; the declaration
        # is shared, so there it is an empty partial index (WHERE 0) that costs nothing.
        Index(
            "ix_accounts_name_key_trgm",
            "name_key",
            postgresql_using="gin",
            postgresql_ops={"name_key": "gin_trgm_ops"},
            sqlite_where=text("0"),
        ),
        CheckConstraint("kind in ('company','person')", name="kind"),
        CheckConstraint(
            "status in ('prospect','onboarding','active','lapsed','churned')", name="status"
        ),
    )


# The trigram operator class comes from pg_trgm: create it with the tables when they are made
# from the models rather than by the migrations (which do the same in 0004).
event.listen(
    Account.__table__,
    "before_create",
    DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"),
)


class AccountExternalId(Base):
    """Ids an account carries in other systems (Salesforce, HubSpot...)."""

    __tablename__ = "account_external_ids"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(String(30))
    value: Mapped[str] = mapped_column(String(100))

    __table_args__ = (UniqueConstraint("source", "value"),)


class AccountMember(Base):
    """Team members of an account besides its responsible manager."""

    __tablename__ = "account_members"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(60), default="member")


class Contact(Base):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(60))
    function: Mapped[str | None] = mapped_column(String(60))
    seniority: Mapped[str | None] = mapped_column(String(20))
    stance: Mapped[str | None] = mapped_column(String(20))
    influence: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    __table_args__ = (
        CheckConstraint("influence is null or (influence between 1 and 5)", name="influence"),
    )


class AccountContact(Base):
    """A person's link to one account, with the role they play there."""

    __tablename__ = "account_contacts"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    buying_role: Mapped[str | None] = mapped_column(String(20))
    title: Mapped[str | None] = mapped_column(String(120))


class Interaction(Base):
    __tablename__ = "interactions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    occurred_on: Mapped[date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(Text)
    sentiment: Mapped[int | None] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_interactions_account_day", "account_id", "occurred_on"),
        CheckConstraint("kind in ('call','meeting','email','note','business_review')", name="kind"),
        # the account's qualifying touches, newest first (cadence: calendar.cadence)
        Index("ix_interactions_account_kind_day", "account_id", "kind", "occurred_on"),
        CheckConstraint("sentiment is null or (sentiment between 0 and 10)", name="sentiment"),
    )


class InteractionContact(Base):
    __tablename__ = "interaction_contacts"

    interaction_id: Mapped[int] = mapped_column(
        ForeignKey("interactions.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class InteractionUser(Base):
    __tablename__ = "interaction_users"

    interaction_id: Mapped[int] = mapped_column(
        ForeignKey("interactions.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)


# optimistic concurrency (core.versions): the fields people edit raise the row's version
versioned(
    Account,
    (
        "external_id", "kind", "name", "parent_id", "segment", "business_line", "size_band",
        "status", "manager_id", "country", "industry", "estimated_spend_cents",
        "estimated_spend_source", "notes", "contract_end_on", "notice_days",
    ),
)
versioned(
    Contact,
    ("external_id", "name", "email", "phone", "function", "seniority", "stance", "influence"),
)
