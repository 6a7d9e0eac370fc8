"""Hand-offs (issue 11): checklists, hand-offs and their items; draft hand-offs for accounts in onboarding

A company account already in ``onboarding`` gets a draft hand-off from sales with the
default checklist (the items as they were when this migration was written), written and
received by its responsible manager, so it can become ``active`` the one way left: accepting
its hand-off.

Revision ID: 0014_handoffs
Revises: 0013_one_abc_setting
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from accord.core.database import UTCDateTime

revision = "0014_handoffs"
down_revision = "0013_one_abc_setting"
branch_labels = None
depends_on = None

#: the default checklist of a hand-off from sales, frozen as of this revision
SALES_ITEMS = (
    (
        "decision_makers",
        "Decision makers and their roles",
        "Who decides, who signs, who influences: a contact of the account or a note.",
    ),
    (
        "sold_and_promised",
        "What was sold and promised",
        "Products, volumes, prices and every promise made during the sale.",
    ),
    (
        "contract_term",
        "Contract term and renewal date",
        "Start, end, notice period; the contract file or a link to it.",
    ),
    (
        "success_criteria",
        "Success criteria agreed with the client",
        "How the client will judge that the purchase worked.",
    ),
    (
        "open_issues",
        "Open issues",
        "Anything unresolved at signature: discounts pending, legal points, integrations.",
    ),
    ("billing_contact", "Billing contact", "Who receives invoices (a contact of the account)."),
    (
        "first_review",
        "Date of the first review",
        "When the manager and the client first review the account together.",
    ),
)


def upgrade() -> None:
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("receiver_id", sa.Integer(), nullable=True),
        sa.Column("from_manager_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("accepted_at", UTCDateTime(), nullable=True),
        sa.Column("accepted_by_id", sa.Integer(), nullable=True),
        sa.Column("returned_at", UTCDateTime(), nullable=True),
        sa.Column("return_reason", sa.Text(), nullable=True),
        sa.Column("quality", sa.Numeric(precision=5, scale=4), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint("kind in ('sales','manager')", name=op.f("ck_handoffs_kind")),
        sa.CheckConstraint(
            "state in ('draft','submitted','accepted','returned')", name=op.f("ck_handoffs_state")
        ),
        sa.CheckConstraint(
            "quality is null or (quality between 0 and 1)", name=op.f("ck_handoffs_quality")
        ),
        sa.ForeignKeyConstraint(
            ["accepted_by_id"], ["users.id"], name=op.f("fk_handoffs_accepted_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_handoffs_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_handoffs_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["from_manager_id"], ["users.id"], name=op.f("fk_handoffs_from_manager_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["receiver_id"], ["users.id"], name=op.f("fk_handoffs_receiver_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoffs")),
    )
    op.create_index("ix_handoffs_account", "handoffs", ["account_id", "state"], unique=False)
    op.create_index("ix_handoffs_author", "handoffs", ["author_id", "state"], unique=False)
    op.create_index(
        "ix_handoffs_receiver", "handoffs", ["receiver_id", "state", "due_on"], unique=False
    )
    op.create_index("ix_handoffs_state_due", "handoffs", ["state", "due_on"], unique=False)
    op.create_table(
        "handoff_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("from_state", sa.String(length=10), nullable=True),
        sa.Column("to_state", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["by_id"], ["users.id"], name=op.f("fk_handoff_events_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["handoff_id"],
            ["handoffs.id"],
            name=op.f("fk_handoff_events_handoff_id_handoffs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_events")),
    )
    op.create_index(
        op.f("ix_handoff_events_handoff_id"), "handoff_events", ["handoff_id"], unique=False
    )
    op.create_table(
        "handoff_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("hint", sa.String(length=500), nullable=True),
        sa.Column("answer_kind", sa.String(length=16), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("interaction_id", sa.Integer(), nullable=True),
        sa.Column("na_reason", sa.Text(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "answer_kind is null or answer_kind in ('text','contact','interaction','file','link','not_applicable')",
            name=op.f("ck_handoff_items_answer_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["answered_by_id"], ["users.id"], name=op.f("fk_handoff_items_answered_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_handoff_items_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["handoff_id"],
            ["handoffs.id"],
            name=op.f("fk_handoff_items_handoff_id_handoffs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interactions.id"],
            name=op.f("fk_handoff_items_interaction_id_interactions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_items")),
        sa.UniqueConstraint("handoff_id", "key", name=op.f("uq_handoff_items_handoff_id_key")),
    )
    _backfill()


def _backfill() -> None:
    """A draft hand-off (with the default items and its opening event) for every company
    account in onboarding, in three INSERT … SELECT statements."""
    now = datetime.now(UTC)
    accounts = sa.table(
        "accounts",
        sa.column("id", sa.Integer()),
        sa.column("kind", sa.String()),
        sa.column("status", sa.String()),
        sa.column("manager_id", sa.Integer()),
    )
    handoffs = sa.table(
        "handoffs",
        sa.column("id", sa.Integer()),
        sa.column("account_id", sa.Integer()),
        sa.column("kind", sa.String()),
        sa.column("state", sa.String()),
        sa.column("author_id", sa.Integer()),
        sa.column("receiver_id", sa.Integer()),
        sa.column("created_at", UTCDateTime()),
        sa.column("version", sa.Integer()),
    )
    items = sa.table(
        "handoff_items",
        sa.column("handoff_id", sa.Integer()),
        sa.column("key", sa.String()),
        sa.column("label", sa.String()),
        sa.column("required", sa.Boolean()),
        sa.column("position", sa.Integer()),
        sa.column("hint", sa.String()),
    )
    events = sa.table(
        "handoff_events",
        sa.column("handoff_id", sa.Integer()),
        sa.column("at", UTCDateTime()),
        sa.column("from_state", sa.String()),
        sa.column("to_state", sa.String()),
        sa.column("reason", sa.String()),
    )
    op.execute(
        sa.insert(handoffs).from_select(
            ["account_id", "kind", "state", "author_id", "receiver_id", "created_at", "version"],
            sa.select(
                accounts.c.id,
                sa.literal("sales"),
                sa.literal("draft"),
                accounts.c.manager_id,
                accounts.c.manager_id,
                sa.literal(now, UTCDateTime()),
                sa.literal(1),
            )
            .where(accounts.c.kind == "company", accounts.c.status == "onboarding")
            .order_by(accounts.c.id),
        )
    )
    for position, (key, label, hint) in enumerate(SALES_ITEMS, start=1):
        op.execute(
            sa.insert(items).from_select(
                ["handoff_id", "key", "label", "required", "position", "hint"],
                sa.select(
                    handoffs.c.id,
                    sa.literal(key),
                    sa.literal(label),
                    sa.true(),
                    sa.literal(position),
                    sa.literal(hint),
                ),
            )
        )
    op.execute(
        sa.insert(events).from_select(
            ["handoff_id", "at", "from_state", "to_state", "reason"],
            sa.select(
                handoffs.c.id,
                sa.literal(now, UTCDateTime()),
                sa.null(),
                sa.literal("draft"),
                sa.literal("opened by the upgrade: the account was in onboarding"),
            ),
        )
    )


def downgrade() -> None:
    op.drop_table("handoff_items")
    op.drop_index(op.f("ix_handoff_events_handoff_id"), table_name="handoff_events")
    op.drop_table("handoff_events")
    op.drop_index("ix_handoffs_state_due", table_name="handoffs")
    op.drop_index("ix_handoffs_receiver", table_name="handoffs")
    op.drop_index("ix_handoffs_author", table_name="handoffs")
    op.drop_index("ix_handoffs_account", table_name="handoffs")
    op.drop_table("handoffs")
