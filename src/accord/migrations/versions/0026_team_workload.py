"""Team workload (issue 17): an index holding each account's manager, kind and segment, so
the Team page reads the accounts of the managers in reach from the index alone.

Revision ID: 0026_team_workload
Revises: 0025_clients
"""
from __future__ import annotations

from alembic import op

revision = "0026_team_workload"
down_revision = "0025_clients"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_accounts_manager_kind_segment", "accounts",
                    ["manager_id", "kind", "segment", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_accounts_manager_kind_segment", table_name="accounts")
