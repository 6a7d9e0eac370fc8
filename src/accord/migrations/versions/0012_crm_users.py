"""CRM user map for account imports (issue 9, B12)

- ``crm_user_map``: a CRM's user id (Salesforce ``OwnerId``, HubSpot owner id) per source,
  mapped to an Accord user, so an accounts import can place an owner given by id.

Revision ID: 0012_crm_users
Revises: 0011_single_flight
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from accord.core.database import UTCDateTime

revision = "0012_crm_users"
down_revision = "0011_single_flight"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crm_user_map",
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("crm_user_id", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_crm_user_map_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("source", "crm_user_id", name=op.f("pk_crm_user_map")),
    )
    with op.batch_alter_table("crm_user_map", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_crm_user_map_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("crm_user_map", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crm_user_map_user_id"))
    op.drop_table("crm_user_map")
