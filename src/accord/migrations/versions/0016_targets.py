"""Targets for managers per period (issue 11)

- ``manager_targets``: one target per manager, period (first and last day of a month,
  quarter or year) and metric (``book_revenue``, ``book_nrr``, ``new_key_accounts``,
  ``plans_complete``), set by the manager's head or an admin; versioned for optimistic
  concurrency. Actuals are computed, never stored (``accord.plans.targets.actuals``).

Revision ID: 0016_targets
Revises: 0015_plans
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from accord.core.database import UTCDateTime

revision = "0016_targets"
down_revision = "0015_plans"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "manager_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("metric", sa.String(length=20), nullable=False),
        sa.Column("target", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "metric in ('book_revenue','book_nrr','new_key_accounts','plans_complete')",
            name=op.f("ck_manager_targets_metric"),
        ),
        sa.CheckConstraint("period_end >= period_start", name=op.f("ck_manager_targets_period")),
        sa.CheckConstraint("target > 0", name=op.f("ck_manager_targets_target")),
        sa.ForeignKeyConstraint(
            ["manager_id"], ["users.id"], name=op.f("fk_manager_targets_manager_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["set_by_id"], ["users.id"], name=op.f("fk_manager_targets_set_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manager_targets")),
        sa.UniqueConstraint(
            "manager_id", "period_start", "period_end", "metric",
            name=op.f("uq_manager_targets_manager_id_period_start_period_end_metric"),
        ),
    )
    with op.batch_alter_table("manager_targets", schema=None) as batch_op:
        batch_op.create_index("ix_manager_targets_period", ["period_start", "period_end"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("manager_targets", schema=None) as batch_op:
        batch_op.drop_index("ix_manager_targets_period")
    op.drop_table("manager_targets")
