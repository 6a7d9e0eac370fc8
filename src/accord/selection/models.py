"""Selection matrix tables: criteria, scorings (every one kept), deselections, KAM revenue.

The KAM settings (``kam_settings``) are the policy store's table: ``core.policy_store``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from accord.core.database import Base, UTCDateTime, utcnow


class SelectionCriterion(Base):
    """One criterion of the attractiveness set or of the client's buying criteria.

    Replacing a set deactivates the old rows (scorings keep their own copy of names/weights).
    """

    __tablename__ = "selection_criteria"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(120))
    weight: Mapped[int] = mapped_column(Integer)
    anchor_0: Mapped[str] = mapped_column(Text, default="")
    anchor_5: Mapped[str] = mapped_column(Text, default="")
    anchor_10: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        CheckConstraint("kind in ('attractiveness','buying')", name="kind"),
        CheckConstraint("weight between 1 and 100", name="weight"),
        Index("ix_selection_criteria_kind_active", "kind", "active"),
    )


class Scoring(Base):
    """One scoring of an account. Sums are exact integers (scores in tenths × integer weights):
    ``attractiveness_milli`` is attractiveness in thousandths; strength is
    ``us_weighted ÷ competitor_weighted``."""

    __tablename__ = "selection_scorings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    scored_on: Mapped[date] = mapped_column(Date)
    scored_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    scored_by: Mapped[str] = mapped_column(String(254))
    comment: Mapped[str | None] = mapped_column(Text)
    competitor_name: Mapped[str] = mapped_column(String(200))
    attractiveness_milli: Mapped[int] = mapped_column(Integer)
    us_weighted: Mapped[int] = mapped_column(Integer)
    competitor_weighted: Mapped[int] = mapped_column(Integer)
    potential_override: Mapped[str | None] = mapped_column(String(10))
    #: the criteria as scored: names, weights and scores (a copy, so history survives edits)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_selection_scorings_account", "account_id", "scored_on", "id"),
        CheckConstraint("attractiveness_milli between 0 and 10000", name="attractiveness"),
        CheckConstraint("competitor_weighted > 0", name="competitor"),
        CheckConstraint(
            "potential_override is null or potential_override in ('low','medium','high')",
            name="potential_override",
        ),
    )


class Deselection(Base):
    """An account taken out of the key-account programme by hand (its tier is 'not key')."""

    __tablename__ = "selection_deselections"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    reason: Mapped[str] = mapped_column(Text)
    deselected_by: Mapped[str] = mapped_column(String(254))
    deselected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class KamRevenue(Base):
    """Derived, never edited: each account's current- and previous-window revenue and ABC
    class, refreshed from ``monthly_revenue`` when the data or the policy changed (see
    ``accord.selection.kam_revenue``). Accounts without revenue in either window have no row.
    """

    __tablename__ = "kam_revenue"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    current_cents: Mapped[int] = mapped_column(BigInteger)
    previous_cents: Mapped[int] = mapped_column(BigInteger)
    abc: Mapped[str | None] = mapped_column(String(1))

    __table_args__ = (Index("ix_kam_revenue_abc", "abc"),)


class KamRevenueState(Base):
    """What ``kam_revenue`` was computed from (one row): compared on read to detect staleness."""

    __tablename__ = "kam_revenue_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    as_of: Mapped[int] = mapped_column(Integer)
    window_months: Mapped[int] = mapped_column(Integer)
    abc_a_bp: Mapped[int] = mapped_column(Integer)
    abc_b_bp: Mapped[int] = mapped_column(Integer)
    max_load_id: Mapped[int | None] = mapped_column(BigInteger)
    max_month: Mapped[int | None] = mapped_column(Integer)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SelectionCurrent(Base):
    """Each scored account's latest and previous scoring, kept on every scoring write so the
    matrix and the decisions list need no ranking of the whole history (derived data)."""

    __tablename__ = "selection_current"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    scoring_id: Mapped[int] = mapped_column(ForeignKey("selection_scorings.id", ondelete="CASCADE"))
    previous_scoring_id: Mapped[int | None] = mapped_column(
        ForeignKey("selection_scorings.id", ondelete="SET NULL")
    )


class KamVersion(Base):
    """A counter bumped by every write that changes a decision (scoring, deselection, stage,
    health, settings): derived tables built from an older version are rebuilt on read."""

    __tablename__ = "kam_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)

