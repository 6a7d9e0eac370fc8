"""Licences and subscriptions' tables (issue 15, migration ``0022_licences``).

The services are the growth catalogue's SKUs (``growth.models.Sku``), which this issue gives
a billing period and an add-on parent. Here:

- ``licence_product_names``: the product display names a vendor's exports use ("Microsoft
  365 E3", "ENTERPRISE MOBILITY + SECURITY E5"), each mapped to a SKU; ``key`` is the name
  upper-cased with its spaces collapsed, what an import matches (longest first).
- ``subscriptions``: what an account bought of a service: status, start, term, end,
  auto-renewal, notice period, the installation's currency.
- ``subscription_terms``: the quantity and unit price in force from a date on: every change
  is a new row (effective-dated history, never an update), with who, when and why.
- ``quantity_requests``: a manager's request to change a quantity or a price, which billing
  approves (writing a term) or declines.
- ``subscription_mrr``: monthly recurring revenue per account and month, in cents, with the
  running total, the same shape as ``revenue.models.MonthlyRevenue`` so that the KPI engine
  reads either (the KPI setting ``source``); rebuilt when a subscription or term changes,
  never by a read.
- ``account_domains``: the e-mail domains of an account (an M365 tenant is tied to its
  account by them); a domain names one account.
- ``sku_services``: the workloads a product includes (a seat is active when any was used).
- ``licence_users``: the people at the client who hold seats (kept apart from contacts,
  optionally linked to one); ``seat_assignments``: who holds a seat of which service from
  when to when; ``seat_activity``: the last day each person used each workload.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
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
from accord.licences.rules import MAX_NOTICE_DAYS, MAX_QUANTITY, MAX_TERM_MONTHS

SUBSCRIPTION_STATES = ("trial", "active", "cancelled", "expired")
REQUEST_STATES = ("pending", "approved", "declined")
BILLING_PERIODS = ("month", "quarter", "year")


class ProductName(Base):
    __tablename__ = "licence_product_names"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: as an export writes it
    name: Mapped[str] = mapped_column(String(200))
    #: upper-cased, spaces collapsed: what an import matches
    key: Mapped[str] = mapped_column(String(200), unique=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Subscription(Base):
    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="active")
    start_on: Mapped[date] = mapped_column(Date)
    term_months: Mapped[int] = mapped_column(Integer, default=12)
    #: the last day of the current term (start + term, less a day; moved on at a renewal)
    end_on: Mapped[date] = mapped_column(Date)
    auto_renew: Mapped[bool] = mapped_column(Boolean, default=False)
    notice_days: Mapped[int] = mapped_column(Integer, default=0)
    #: ISO 4217; always the installation's (``licences`` setting ``currency``)
    currency: Mapped[str] = mapped_column(String(3))
    #: the subscription's number in the vendor's or the billing system's records
    reference: Mapped[str | None] = mapped_column(String(100))
    #: the day it was cancelled or expired (MRR stops after it)
    ended_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    __table_args__ = (
        CheckConstraint("status in ('trial','active','cancelled','expired')", name="status"),
        CheckConstraint(f"term_months between 1 and {MAX_TERM_MONTHS}", name="term"),
        CheckConstraint(f"notice_days between 0 and {MAX_NOTICE_DAYS}", name="notice"),
        CheckConstraint("end_on >= start_on", name="end_after_start"),
        UniqueConstraint("account_id", "reference", name="uq_subscriptions_reference"),
        # the account's Licences tab; the MRR rebuild per account
        Index("ix_subscriptions_account_status", "account_id", "status", "sku_id"),
        # renewals in the notice window
        Index("ix_subscriptions_status_end", "status", "end_on"),
    )


class SubscriptionTerm(Base):
    """Quantity and unit price (per billing period) in force from ``effective_on``."""

    __tablename__ = "subscription_terms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="CASCADE"))
    effective_on: Mapped[date] = mapped_column(Date)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the request this term carries out, when billing approved one
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("quantity_requests.id", ondelete="SET NULL"))

    __table_args__ = (
        UniqueConstraint("subscription_id", "effective_on", name="uq_subscription_terms_day"),
        CheckConstraint(f"quantity between 0 and {MAX_QUANTITY}", name="quantity"),
        CheckConstraint("unit_price >= 0", name="price"),
    )


class QuantityRequest(Base):
    __tablename__ = "quantity_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    #: NULL: the price in force stays
    unit_price: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    effective_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("status in ('pending','approved','declined')", name="status"),
        CheckConstraint(f"quantity between 0 and {MAX_QUANTITY}", name="quantity"),
        # the billing queue
        Index("ix_quantity_requests_status", "status", "requested_at"),
    )


class SubscriptionMrr(Base):
    """Monthly recurring revenue per account and month (cents), with the running total."""

    __tablename__ = "subscription_mrr"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    cumulative_cents: Mapped[int] = mapped_column(BigInteger)

    # WITHOUT ROWID on SQLite: the key's b-tree is the table (no second b-tree of rowids),
    # which a full rebuild fills in key order (``licences.mrr``)
    __table_args__ = (Index("ix_subscription_mrr_month", "month"),
                      {"sqlite_with_rowid": False})


class AccountDomain(Base):
    __tablename__ = "account_domains"

    domain: Mapped[str] = mapped_column(String(253), primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SkuService(Base):
    """A workload a product includes (Microsoft 365 E3: exchange, onedrive, sharepoint,
    teams…): a seat of the product is active when any of them was used lately."""

    __tablename__ = "sku_services"

    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id", ondelete="CASCADE"),
                                        primary_key=True)
    service: Mapped[str] = mapped_column(String(40), primary_key=True)


class LicenceUser(Base):
    """A person at the client who holds seats: kept apart from the relationship contacts (a
    tenant of 5,000 people must not flood them), optionally linked to one."""

    __tablename__ = "licence_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    #: the user principal name (sign-in), lower case
    principal: Mapped[str] = mapped_column(String(254))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    department: Mapped[str | None] = mapped_column(String(120))
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the day they left the tenant (their seats are freed from it)
    left_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("account_id", "principal", name="uq_licence_users_principal"),
        Index("ix_licence_users_account_left", "account_id", "left_on"),
    )


class SeatAssignment(Base):
    """A licence user holds a seat of a service from a day (to a day: NULL while held)."""

    __tablename__ = "seat_assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: the licence user's account, repeated for the per-account reads; no foreign key (a
    #: per-row check costs a seat import a third of its time): it is the licence user's,
    #: and the account's licence users, deleted with it, take their seats with them
    account_id: Mapped[int] = mapped_column(Integer)
    licence_user_id: Mapped[int] = mapped_column(
        ForeignKey("licence_users.id", ondelete="CASCADE"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id", ondelete="CASCADE"))
    from_on: Mapped[date] = mapped_column(Date)
    to_on: Mapped[date | None] = mapped_column(Date)
    #: ``manual`` (the seat grid, the API, the command line) or ``import`` (an export)
    source: Mapped[str] = mapped_column(String(10), default="manual")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        CheckConstraint("to_on is null or to_on >= from_on", name="span"),
        CheckConstraint("source in ('manual','import')", name="source"),
        # seats held per account and service (allocation), the seat grid
        Index("ix_seat_assignments_account_sku", "account_id", "sku_id", "to_on"),
    )


class SeatActivity(Base):
    """The last day a licence user used a service (a workload), as a usage report said."""

    __tablename__ = "seat_activity"

    licence_user_id: Mapped[int] = mapped_column(
        ForeignKey("licence_users.id", ondelete="CASCADE"), primary_key=True)
    service: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_active_on: Mapped[date | None] = mapped_column(Date)
    #: the report's refresh date
    reported_on: Mapped[date] = mapped_column(Date)
