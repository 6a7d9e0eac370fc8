"""KPI engine: derived tables and indexes (owned by the kpis package)

Revision ID: 0002
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from accord.core.database import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kpi_account_windows",
        sa.Column("variant", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("gid", sa.Integer(), nullable=False),
        sa.Column("movement", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("cur_cents", sa.BigInteger(), nullable=False),
        sa.Column("prev_cents", sa.BigInteger(), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "variant", "month", "gid", "movement", "account_id",
            name=op.f("pk_kpi_account_windows"),
        ),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_kpi_account_windows_rank", "kpi_account_windows",
        ["variant", "month", "bucket", "cur_cents", "account_id"],
    )
    op.create_index(
        "ix_kpi_account_windows_account", "kpi_account_windows",
        ["account_id", "variant", "month"],
    )
    op.create_table(
        "kpi_groups",
        sa.Column("gid", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("gkey", sa.String(length=300), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=True),
        sa.Column("segment", sa.String(length=60), nullable=True),
        sa.Column("tier", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("gid", name=op.f("pk_kpi_groups")),
        sa.UniqueConstraint("gkey", name=op.f("uq_kpi_groups_gkey")),
    )
    op.create_table(
        "kpi_account_groups",
        sa.Column("account_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("gid", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_kpi_account_groups")),
    )
    op.create_table(
        "kpi_variants",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("window_months", sa.Integer(), nullable=False),
        sa.Column("basis", sa.String(length=10), nullable=False),
        sa.Column("built_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kpi_variants")),
    )
    op.create_table(
        "kpi_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("first_month", sa.Integer(), nullable=True),
        sa.Column("last_month", sa.Integer(), nullable=True),
        sa.Column("max_line_id", sa.BigInteger(), nullable=True),
        sa.Column("groups_audit_id", sa.BigInteger(), nullable=True),
        sa.Column("refreshed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kpi_state")),
    )
    op.create_table(
        "kpi_policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("window_months", sa.Integer(), nullable=False),
        sa.Column("basis", sa.String(length=10), nullable=False),
        sa.Column("abc_a", sa.Numeric(precision=5, scale=4), nullable=False),
        sa.Column("abc_b", sa.Numeric(precision=5, scale=4), nullable=False),
        sa.Column("as_of_month", sa.Integer(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=254), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kpi_policy")),
    )


def downgrade() -> None:
    op.drop_table("kpi_policy")
    op.drop_table("kpi_state")
    op.drop_table("kpi_variants")
    op.drop_table("kpi_account_groups")
    op.drop_table("kpi_groups")
    op.drop_index("ix_kpi_account_windows_account", table_name="kpi_account_windows")
    op.drop_index("ix_kpi_account_windows_rank", table_name="kpi_account_windows")
    op.drop_table("kpi_account_windows")
