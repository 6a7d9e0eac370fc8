"""Account plans (issue 11): plans, sections, key people, objectives, actions, share links

One current plan per account (a partial unique index), earlier plans kept as history.

Revision ID: 0015_plans
Revises: 0014_handoffs
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from accord.core.database import UTCDateTime

revision = "0015_plans"
down_revision = "0014_handoffs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("horizon_months", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("business", sa.Text(), nullable=False),
        sa.Column("strategy", sa.Text(), nullable=False),
        sa.Column("budgets", sa.Text(), nullable=False),
        sa.Column("value_to_us", sa.Text(), nullable=False),
        sa.Column("shared_sections", sa.JSON(), nullable=False),
        sa.Column("last_reviewed_on", sa.Date(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("archived_at", UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint("ends_on > starts_on", name=op.f("ck_account_plans_period")),
        sa.CheckConstraint("horizon_months in (6, 12, 18)", name=op.f("ck_account_plans_horizon")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_account_plans_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_account_plans_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_plans")),
    )
    op.create_index(
        op.f("ix_account_plans_account_id"), "account_plans", ["account_id"], unique=False
    )
    op.create_index(
        "uq_account_plans_current",
        "account_plans",
        ["account_id"],
        unique=True,
        sqlite_where=sa.text("is_current = 1"),
        postgresql_where=sa.text("is_current"),
    )
    op.create_table(
        "plan_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "section in ('goals','pain_points','strengths','weaknesses','opportunities','threats','risks')",
            name=op.f("ck_plan_entries_section"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["account_plans.id"],
            name=op.f("fk_plan_entries_plan_id_account_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_entries")),
    )
    op.create_index(
        "ix_plan_entries_plan", "plan_entries", ["plan_id", "section", "position"], unique=False
    )
    op.create_table(
        "plan_key_people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("buying_role", sa.String(length=20), nullable=True),
        sa.Column("reports_to_contact_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_plan_key_people_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["account_plans.id"],
            name=op.f("fk_plan_key_people_plan_id_account_plans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reports_to_contact_id"],
            ["contacts.id"],
            name=op.f("fk_plan_key_people_reports_to_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_key_people")),
    )
    op.create_index(
        "uq_plan_key_people_contact", "plan_key_people", ["plan_id", "contact_id"], unique=True
    )
    op.create_table(
        "plan_objectives",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("metric", sa.String(length=24), nullable=False),
        sa.Column("baseline", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("target", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "metric in ('revenue_12m','nrr','share_of_wallet','health','key_people_touched','manual')",
            name=op.f("ck_plan_objectives_metric"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_plan_objectives_owner_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["account_plans.id"],
            name=op.f("fk_plan_objectives_plan_id_account_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_objectives")),
    )
    op.create_index(
        "ix_plan_objectives_plan", "plan_objectives", ["plan_id", "position"], unique=False
    )
    op.create_table(
        "plan_share_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_plan_share_links_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["account_plans.id"],
            name=op.f("fk_plan_share_links_plan_id_account_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_share_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_plan_share_links_token_hash")),
    )
    op.create_index("ix_plan_share_links_plan", "plan_share_links", ["plan_id"], unique=False)
    op.create_table(
        "objective_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("objective_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("noted_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["by_id"], ["users.id"], name=op.f("fk_objective_updates_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["objective_id"],
            ["plan_objectives.id"],
            name=op.f("fk_objective_updates_objective_id_plan_objectives"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objective_updates")),
    )
    op.create_index(
        "ix_objective_updates_objective",
        "objective_updates",
        ["objective_id", "noted_on", "id"],
        unique=False,
    )
    op.create_table(
        "plan_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("objective_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "status in ('open','done','cancelled')", name=op.f("ck_plan_actions_status")
        ),
        sa.ForeignKeyConstraint(
            ["objective_id"],
            ["plan_objectives.id"],
            name=op.f("fk_plan_actions_objective_id_plan_objectives"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_plan_actions_owner_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_actions")),
    )
    op.create_index(
        "ix_plan_actions_objective", "plan_actions", ["objective_id", "due_on"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_plan_actions_objective", table_name="plan_actions")
    op.drop_table("plan_actions")
    op.drop_index("ix_objective_updates_objective", table_name="objective_updates")
    op.drop_table("objective_updates")
    op.drop_index("ix_plan_share_links_plan", table_name="plan_share_links")
    op.drop_table("plan_share_links")
    op.drop_index("ix_plan_objectives_plan", table_name="plan_objectives")
    op.drop_table("plan_objectives")
    op.drop_index("uq_plan_key_people_contact", table_name="plan_key_people")
    op.drop_table("plan_key_people")
    op.drop_index("ix_plan_entries_plan", table_name="plan_entries")
    op.drop_table("plan_entries")
    op.drop_index(
        "uq_account_plans_current",
        table_name="account_plans",
        sqlite_where=sa.text("is_current = 1"),
        postgresql_where=sa.text("is_current"),
    )
    op.drop_index(op.f("ix_account_plans_account_id"), table_name="account_plans")
    op.drop_table("account_plans")
