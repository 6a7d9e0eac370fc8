"""Selection matrix, relationship stages, health (owned by selection/relationships/health)

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from accord.core.database import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Default criteria (docs/kam_models.md), seeded as editable data (a frozen copy: later code may differ).
ATTRACTIVENESS = [
    (
        "Purchase volume (3-year potential)",
        25,
        "buys little in our categories",
        "a mid-sized buyer of what we sell",
        "among the largest buyers in our market",
    ),
    (
        "Growth potential",
        20,
        "shrinking or flat market",
        "growing with the market",
        "growing well ahead of its market",
    ),
    (
        "Profitability for us",
        20,
        "margin below our average",
        "average margin",
        "well above our average margin",
    ),
    (
        "Strategic fit",
        15,
        "needs we cannot serve",
        "partly matches our offer",
        "needs exactly what we are best at",
    ),
    (
        "Prestige / reference value",
        10,
        "no reference value",
        "a useful local reference",
        "a flagship reference for the market",
    ),
    (
        "Ease of access",
        10,
        "no access beyond purchasing",
        "access to some decision makers",
        "open doors up to the board",
    ),
]
BUYING = [
    (
        "Price",
        25,
        "far more expensive than alternatives",
        "priced like the market",
        "clearly the best value",
    ),
    ("Quality", 25, "below the client's standard", "meets the standard", "the benchmark"),
    ("Support", 20, "slow and hard to reach", "adequate", "proactive, always available"),
    ("Reliability", 15, "frequent failures or delays", "occasional issues", "never fails"),
    ("Know-how", 15, "no domain knowledge", "solid knowledge", "recognised experts"),
]


def _seed() -> None:
    now = datetime.now(UTC)
    criteria = sa.table(
        "selection_criteria",
        sa.column("kind", sa.String),
        sa.column("name", sa.String),
        sa.column("weight", sa.Integer),
        sa.column("anchor_0", sa.Text),
        sa.column("anchor_5", sa.Text),
        sa.column("anchor_10", sa.Text),
        sa.column("position", sa.Integer),
        sa.column("active", sa.Boolean),
        sa.column("created_at", UTCDateTime()),
    )
    rows = []
    for kind, items in (("attractiveness", ATTRACTIVENESS), ("buying", BUYING)):
        for position, (name, weight, a0, a5, a10) in enumerate(items):
            rows.append(
                {
                    "kind": kind,
                    "name": name,
                    "weight": weight,
                    "anchor_0": a0,
                    "anchor_5": a5,
                    "anchor_10": a10,
                    "position": position,
                    "active": True,
                    "created_at": now,
                }
            )
    op.bulk_insert(criteria, rows)
    version = sa.table(
        "kam_version", sa.column("id", sa.Integer), sa.column("version", sa.BigInteger)
    )
    op.bulk_insert(version, [{"id": 1, "version": 0}])


def upgrade() -> None:
    op.create_table(
        "kam_settings",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=254), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_kam_settings")),
    )
    op.create_table(
        "selection_criteria",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("anchor_0", sa.Text(), nullable=False),
        sa.Column("anchor_5", sa.Text(), nullable=False),
        sa.Column("anchor_10", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "kind in ('attractiveness','buying')", name=op.f("ck_selection_criteria_kind")
        ),
        sa.CheckConstraint("weight between 1 and 100", name=op.f("ck_selection_criteria_weight")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_selection_criteria")),
    )
    with op.batch_alter_table("selection_criteria", schema=None) as batch_op:
        batch_op.create_index("ix_selection_criteria_kind_active", ["kind", "active"], unique=False)

    op.create_table(
        "account_health",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("computed_on", sa.Date(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("band", sa.String(length=8), nullable=True),
        sa.Column("revenue_trend", sa.Float(), nullable=True),
        sa.Column("contact_freshness", sa.Float(), nullable=True),
        sa.Column("sentiment", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_account_health_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_account_health")),
    )
    op.create_table(
        "health_history",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("computed_on", sa.Date(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("band", sa.String(length=8), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_health_history_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "computed_on", name=op.f("pk_health_history")),
    )
    with op.batch_alter_table("health_history", schema=None) as batch_op:
        batch_op.create_index("ix_health_history_day", ["computed_on"], unique=False)

    op.create_table(
        "selection_deselections",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("deselected_by", sa.String(length=254), nullable=False),
        sa.Column("deselected_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_selection_deselections_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_selection_deselections")),
    )
    op.create_table(
        "selection_scorings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("scored_on", sa.Date(), nullable=False),
        sa.Column("scored_by_id", sa.Integer(), nullable=True),
        sa.Column("scored_by", sa.String(length=254), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("competitor_name", sa.String(length=200), nullable=False),
        sa.Column("attractiveness_milli", sa.Integer(), nullable=False),
        sa.Column("us_weighted", sa.Integer(), nullable=False),
        sa.Column("competitor_weighted", sa.Integer(), nullable=False),
        sa.Column("potential_override", sa.String(length=10), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "potential_override is null or potential_override in ('low','medium','high')",
            name=op.f("ck_selection_scorings_potential_override"),
        ),
        sa.CheckConstraint(
            "attractiveness_milli between 0 and 10000",
            name=op.f("ck_selection_scorings_attractiveness"),
        ),
        sa.CheckConstraint(
            "competitor_weighted > 0", name=op.f("ck_selection_scorings_competitor")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_selection_scorings_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scored_by_id"], ["users.id"], name=op.f("fk_selection_scorings_scored_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_selection_scorings")),
    )
    with op.batch_alter_table("selection_scorings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_selection_scorings_account", ["account_id", "scored_on", "id"], unique=False
        )

    op.create_table(
        "stage_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("assessed_by", sa.String(length=254), nullable=False),
        sa.Column("recorded_stage", sa.String(length=20), nullable=False),
        sa.Column("suggested_stage", sa.String(length=20), nullable=False),
        sa.Column("suggested_total", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "recorded_stage in ('Tactical','Cooperative','Interdependent','Strategic')",
            name=op.f("ck_stage_assessments_recorded_stage"),
        ),
        sa.CheckConstraint(
            "suggested_total between 6 and 24", name=op.f("ck_stage_assessments_total")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_stage_assessments_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_assessments")),
    )
    with op.batch_alter_table("stage_assessments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stage_assessments_account", ["account_id", "assessed_on", "id"], unique=False
        )

    op.create_table(
        "stage_overrides",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("criterion", sa.String(length=40), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("set_by", sa.String(length=254), nullable=False),
        sa.Column("set_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("score between 1 and 4", name=op.f("ck_stage_overrides_score")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_stage_overrides_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "criterion", name=op.f("pk_stage_overrides")),
    )
    op.create_table(
        "kam_revenue",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("current_cents", sa.BigInteger(), nullable=False),
        sa.Column("previous_cents", sa.BigInteger(), nullable=False),
        sa.Column("abc", sa.String(length=1), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_kam_revenue_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_kam_revenue")),
    )
    with op.batch_alter_table("kam_revenue", schema=None) as batch_op:
        batch_op.create_index("ix_kam_revenue_abc", ["abc"], unique=False)

    op.create_table(
        "kam_revenue_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Integer(), nullable=False),
        sa.Column("window_months", sa.Integer(), nullable=False),
        sa.Column("abc_a_bp", sa.Integer(), nullable=False),
        sa.Column("abc_b_bp", sa.Integer(), nullable=False),
        sa.Column("max_line_id", sa.BigInteger(), nullable=True),
        sa.Column("max_month", sa.Integer(), nullable=True),
        sa.Column("computed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kam_revenue_state")),
    )
    op.create_table(
        "selection_current",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("scoring_id", sa.Integer(), nullable=False),
        sa.Column("previous_scoring_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_selection_current_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["previous_scoring_id"],
            ["selection_scorings.id"],
            name=op.f("fk_selection_current_previous_scoring_id_selection_scorings"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["scoring_id"],
            ["selection_scorings.id"],
            name=op.f("fk_selection_current_scoring_id_selection_scorings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_selection_current")),
    )
    op.create_table(
        "kam_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kam_version")),
    )
    op.create_table(
        "kam_decisions_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("built_from", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kam_decisions_state")),
    )
    op.create_table(
        "kam_decisions",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(length=12), nullable=False),
        sa.Column("tier_order", sa.Integer(), nullable=False),
        sa.Column("attractiveness_milli", sa.Integer(), nullable=True),
        sa.Column("us_weighted", sa.Integer(), nullable=True),
        sa.Column("competitor_weighted", sa.Integer(), nullable=True),
        sa.Column("strength", sa.Float(), nullable=True),
        sa.Column("potential", sa.String(length=10), nullable=True),
        sa.Column("stage", sa.String(length=20), nullable=True),
        sa.Column("stage_on", sa.Date(), nullable=True),
        sa.Column("decision", sa.String(length=12), nullable=True),
        sa.Column("health", sa.Integer(), nullable=True),
        sa.Column("band", sa.String(length=8), nullable=True),
        sa.Column("revenue_cents", sa.BigInteger(), nullable=False),
        sa.Column("abc", sa.String(length=1), nullable=True),
        sa.Column("scored_on", sa.Date(), nullable=True),
        sa.Column("flag", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_kam_decisions_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_kam_decisions")),
    )
    with op.batch_alter_table("kam_decisions", schema=None) as batch_op:
        batch_op.create_index("ix_kam_decisions_health", ["health"], unique=False)
        batch_op.create_index("ix_kam_decisions_revenue", ["revenue_cents"], unique=False)
    _seed()


def downgrade() -> None:
    with op.batch_alter_table("kam_decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_kam_decisions_revenue")
        batch_op.drop_index("ix_kam_decisions_health")
    op.drop_table("kam_decisions")
    op.drop_table("kam_decisions_state")
    op.drop_table("kam_version")
    op.drop_table("selection_current")
    op.drop_table("kam_revenue_state")
    with op.batch_alter_table("kam_revenue", schema=None) as batch_op:
        batch_op.drop_index("ix_kam_revenue_abc")

    op.drop_table("kam_revenue")
    op.drop_table("stage_overrides")
    with op.batch_alter_table("stage_assessments", schema=None) as batch_op:
        batch_op.drop_index("ix_stage_assessments_account")

    op.drop_table("stage_assessments")
    with op.batch_alter_table("selection_scorings", schema=None) as batch_op:
        batch_op.drop_index("ix_selection_scorings_account")

    op.drop_table("selection_scorings")
    op.drop_table("selection_deselections")
    with op.batch_alter_table("health_history", schema=None) as batch_op:
        batch_op.drop_index("ix_health_history_day")

    op.drop_table("health_history")
    op.drop_table("account_health")
    with op.batch_alter_table("selection_criteria", schema=None) as batch_op:
        batch_op.drop_index("ix_selection_criteria_kind_active")

    op.drop_table("selection_criteria")
    op.drop_table("kam_settings")
