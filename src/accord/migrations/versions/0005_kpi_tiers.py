"""KPI engine: autovacuum settings that keep kpi_account_windows clean after partial refreshes

The tier breakdown needs no new column (the tier is part of each account's stored group, see
``accord.kpis.groups``); what the tier work changed is how often derived rows are rewritten:
a new scoring, a cut-line change or a deselection moves an account's rows to another group,
and an import rewrites the rows of its accounts. Each account has one row per as-of month,
so rewriting a few hundred accounts leaves dead rows in a large share of every month's pages
and clears their "all visible" bit. PostgreSQL's default autovacuum waits until 20 % of the table has
changed (500,000 rows of the 100,000-account portfolio), which partial imports may never
reach: the month scans keep stepping over dead rows, and the index-only scans (the opened
concentration buckets, the drill-down counts; measured on 100,000 accounts: an index-only
histogram 10 ms of server time on a vacuumed table, 31 ms after refreshing 1,000 accounts)
fetch heap pages. These storage parameters make autovacuum visit the table after about 2,000
changed or inserted rows instead (a vacuum of a mostly all-visible table skips those pages).
PostgreSQL only (SQLite has no visibility map); nothing changes where autovacuum is off.

Revision ID: 0005_kpi_tiers
Revises: 0004_account_search
"""

from __future__ import annotations

from alembic import op

revision = "0005_kpi_tiers"
down_revision = "0004_account_search"
branch_labels = None
depends_on = None

TABLE = "kpi_account_windows"
#: the same values as ``accord.kpis.models.AUTOVACUUM`` (copied: migrations never change)
SETTINGS = {
    "autovacuum_vacuum_scale_factor": "0",
    "autovacuum_vacuum_threshold": "2000",
    "autovacuum_vacuum_insert_scale_factor": "0",
    "autovacuum_vacuum_insert_threshold": "2000",
}


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        values = ", ".join(f"{k} = {v}" for k, v in SETTINGS.items())
        op.execute(f"ALTER TABLE {TABLE} SET ({values})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {TABLE} RESET ({', '.join(SETTINGS)})")
