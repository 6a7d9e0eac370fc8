"""Tables of the KPI engine: derived per-account window figures, groups, state, policy.

``kpi_account_windows`` is derived from ``monthly_revenue`` (never edited by hand). For one
window variant (window length W and basis, e.g. the policy's 12 months trailing) it holds, per
account and as-of month M, the account's two window revenues R(C) and R(P) (clamped at zero),
its movement between them (``movement``: 1 churned, 2 contracted, 3 expanded, 4 retained,
5 new, 6 reactivated) and the account's group (``gid``: manager, segment, tier). Rows where
both window revenues are zero contribute to no figure and are not stored. The primary key
(variant, month, gid, movement, account_id) makes one as-of month one contiguous range whose
rows arrive already grouped, so the database sums it without sorting or joining; ``bucket``
(the number of digits and the first three digits of R(C)) lets the concentration figures
find their cut-offs from a small histogram instead of ranking every account.

``kpi_groups`` / ``kpi_account_groups`` map each account to its (manager, segment, tier)
group. ``kpi_group_changes`` queues the accounts whose group may have changed: triggers on
``accounts``, ``selection_current``, ``selection_deselections``, ``selection_scorings`` and
``kam_settings`` (migration 0007) add them in the writing transaction, and the next report
takes exactly the rows it sees and re-synchronises those accounts (``groups.py``).
``kpi_variants`` lists the window variants held. A variant is a source (``invoices``: rows
from ``monthly_revenue``; ``subscriptions``: from the licences' ``subscription_mrr``, same
shape), a window length and a basis (migration 0023): every report reads one variant, so the
rows of both sources live side by side in ``kpi_account_windows`` and choosing the source is
choosing the variant (``derived.variant_id``).
``kpi_state`` (one row per source: 1 invoices, 2 subscriptions) records the data version —
bumped by every refresh, so cached reports are keyed by it — and the month range of the
source's data. ``kpi_policy`` (one row) holds the policy settings: window, basis, source and
an optional pinned as-of month (the ABC cut-offs are the selection settings'
``abc_a``/``abc_b``, the one ABC setting; migration 0013).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, String, Table, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from accord.core.database import Base, UTCDateTime, utcnow

#: PostgreSQL storage parameters of ``kpi_account_windows`` (migration 0005): autovacuum after
#: about 2,000 changed or inserted rows, not 20 % of the table, so that the pages rewritten by
#: a refresh or a group change are soon "all visible" again and the report's index-only scans
#: need no heap fetches
AUTOVACUUM = {
    "autovacuum_vacuum_scale_factor": 0,
    "autovacuum_vacuum_threshold": 2000,
    "autovacuum_vacuum_insert_scale_factor": 0,
    "autovacuum_vacuum_insert_threshold": 2000,
}


class KpiAccountWindow(Base):
    __tablename__ = "kpi_account_windows"

    variant: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    gid: Mapped[int] = mapped_column(Integer, primary_key=True)
    movement: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: no foreign key: a check per inserted row would dominate a rebuild; rows of deleted
    #: accounts are removed when the groups are re-synchronised (a trigger queues deletions)
    account_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cur_cents: Mapped[int] = mapped_column(BigInteger)  # R(C), clamped at zero
    prev_cents: Mapped[int] = mapped_column(BigInteger)  # R(P), clamped at zero
    bucket: Mapped[int] = mapped_column(Integer)  # digits * 1000 + first 3 digits of R(C)

    __table_args__ = (
        Index("ix_kpi_account_windows_rank", "variant", "month", "bucket", "cur_cents",
              "account_id"),
        Index("ix_kpi_account_windows_account", "account_id", "variant", "month"),
        {"sqlite_with_rowid": False, "postgresql_with": AUTOVACUUM},
    )


class KpiGroup(Base):
    __tablename__ = "kpi_groups"

    gid: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    #: "tier|manager id or -|-  or =segment": one string, so accounts find their group by
    #: an indexed equality (NULL-safe, hashable) instead of a three-column NULL-safe match
    gkey: Mapped[str] = mapped_column(String(300), unique=True)
    manager_id: Mapped[int | None] = mapped_column(Integer)
    segment: Mapped[str | None] = mapped_column(String(60))
    tier: Mapped[str] = mapped_column(String(40))


class KpiAccountGroup(Base):
    __tablename__ = "kpi_account_groups"

    #: no foreign key either, so that a deleted account is still listed here until the next
    #: synchronisation removes its derived rows
    account_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    gid: Mapped[int] = mapped_column(Integer)


class KpiGroupChange(Base):
    """An account whose group may have changed since the last synchronisation (NULL: every
    account, e.g. after a change of the cut lines); written by triggers only (migration 0007),
    deleted by the synchronisation that handled it."""

    __tablename__ = "kpi_group_changes"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    account_id: Mapped[int | None] = mapped_column(Integer)


class KpiVariant(Base):
    __tablename__ = "kpi_variants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    window_months: Mapped[int] = mapped_column(Integer)
    basis: Mapped[str] = mapped_column(String(10))
    #: what r_i(m) is: ``invoices`` (monthly_revenue) or ``subscriptions`` (subscription_mrr)
    source: Mapped[str] = mapped_column(String(16), default="invoices",
                                        server_default="invoices")
    built_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class KpiState(Base):
    __tablename__ = "kpi_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    first_month: Mapped[int | None] = mapped_column(Integer)
    last_month: Mapped[int | None] = mapped_column(Integer)
    #: newest revenue load folded in (``revenue_loads.id``); a newer one: incremental refresh
    max_load_id: Mapped[int | None] = mapped_column(BigInteger)
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class KpiPolicy(Base):
    __tablename__ = "kpi_policy"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    window_months: Mapped[int] = mapped_column(Integer, default=12)
    basis: Mapped[str] = mapped_column(String(10), default="trailing")
    source: Mapped[str] = mapped_column(String(16), default="invoices",
                                        server_default="invoices")
    #: pinned as-of month index; null means "the last complete month in the data"
    as_of_month: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(254))


def temporary_table(session: Session, name: str, columns: list[str], key: str) -> Table:
    """A new temporary table of integer columns (``*_cents``: BIGINT) for one refresh,
    dropped first if the transaction already has one."""
    types = {c: BigInteger if c.endswith("cents") else Integer for c in columns}
    session.execute(text(f"DROP TABLE IF EXISTS {name}"))
    session.execute(text(f"CREATE TEMP TABLE {name} (" + ", ".join(
        f"{c} {'BIGINT' if t is BigInteger else 'INTEGER'}" for c, t in types.items()
    ) + f", PRIMARY KEY ({key}))"))
    return Table(name, MetaData(), *(Column(c, t) for c, t in types.items()))
