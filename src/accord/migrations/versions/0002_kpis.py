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
        "kpi_account_months",
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("cumulative_cents", sa.BigInteger(), nullable=False),
        sa.Column("first_sale_month", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"],
            name=op.f("fk_kpi_account_months_account_id_accounts"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("month", "account_id", name=op.f("pk_kpi_account_months")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "kpi_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("first_month", sa.Integer(), nullable=True),
        sa.Column("last_month", sa.Integer(), nullable=True),
        sa.Column("max_line_id", sa.BigInteger(), nullable=True),
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
    op.drop_table("kpi_account_months")
