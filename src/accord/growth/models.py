"""The catalogue (product lines → offerings → SKUs), the names revenue uses for product lines
mapped to them, the per-account, per-product-line monthly revenue summary, the whitespace
cells marked not relevant, and the client's needs.

Owned by issue 12's growth helper, who may add columns and tables (migration
``0017_growth``); the shapes other packages rely on are ``ProductLine.id``/``name``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
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


class ProductLine(Base):
    """A line of what we sell; ``name`` equals the ``product_line`` value revenue carries
    (or is mapped from it by ``ProductLineAlias``)."""

    __tablename__ = "product_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    list_price: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))


class Offering(Base):
    __tablename__ = "offerings"
    __table_args__ = (UniqueConstraint("product_line_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_line_id: Mapped[int] = mapped_column(
        ForeignKey("product_lines.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    list_price: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))


class Sku(Base):
    """A sellable unit of an offering (the licences issue adds its services here)."""

    __tablename__ = "skus"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    offering_id: Mapped[int] = mapped_column(
        ForeignKey("offerings.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    unit: Mapped[str] = mapped_column(String(40), default="unit")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    list_price: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    #: what a subscription's unit price is for: ``month``, ``quarter`` or ``year`` (issue 15)
    billing_period: Mapped[str] = mapped_column(String(8), default="year",
                                                server_default=text("'year'"))
    #: the service this one is an add-on of (issue 15)
    addon_of_id: Mapped[int | None] = mapped_column(ForeignKey("skus.id", ondelete="SET NULL"))

    __table_args__ = (
        CheckConstraint("billing_period in ('month','quarter','year')", name="billing_period"),
    )


class ProductLineRevenue(Base):
    """Revenue per account, product line and month (a month index, as ``monthly_revenue``),
    kept current on import by the growth package (a revenue-load listener). A revenue line
    whose product line is unknown to the catalogue is counted under no line here: it is
    listed for mapping (``growth``), never dropped from the account's revenue."""

    __tablename__ = "product_line_revenue"

    account_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_line_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    line_count: Mapped[int] = mapped_column(Integer)


class ProductLineAlias(Base):
    """A ``product_line`` value of revenue lines counted under a catalogue line (a value
    equal to a line's name maps to it without an alias)."""

    __tablename__ = "product_line_aliases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alias: Mapped[str] = mapped_column(String(100), unique=True)
    product_line_id: Mapped[int] = mapped_column(
        ForeignKey("product_lines.id", ondelete="CASCADE"), index=True)


class WhitespaceFlag(Base):
    """A whitespace cell (an account, a product line) marked not relevant, with the reason."""

    __tablename__ = "whitespace_flags"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    product_line_id: Mapped[int] = mapped_column(
        ForeignKey("product_lines.id", ondelete="CASCADE"), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Need(Base):
    """A client's need (free text and a category); one answered by no product line is a
    product gap."""

    __tablename__ = "growth_needs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(40))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NeedProductLine(Base):
    __tablename__ = "growth_need_product_lines"

    need_id: Mapped[int] = mapped_column(
        ForeignKey("growth_needs.id", ondelete="CASCADE"), primary_key=True)
    product_line_id: Mapped[int] = mapped_column(
        ForeignKey("product_lines.id", ondelete="CASCADE"), primary_key=True, index=True)


class PeerMedian(Base):
    """Per product line, segment and size band (``""`` for none): how many accounts bought
    the line in the KPI window ending at ``as_of`` and the lower median of their spend;
    refreshed with ``product_line_revenue``."""

    __tablename__ = "growth_peer_medians"

    product_line_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    segment: Mapped[str] = mapped_column(String(60), primary_key=True)
    size_band: Mapped[str] = mapped_column(String(20), primary_key=True)
    as_of: Mapped[int] = mapped_column(Integer)
    window_months: Mapped[int] = mapped_column(Integer)
    peers: Mapped[int] = mapped_column(Integer)
    median_cents: Mapped[int] = mapped_column(BigInteger)
