"""Team workload (issue 17): an index holding each account's manager, kind and segment, so
the Team page reads the accounts of the managers in reach from the index alone. Individual
clients (issue 16): ``client_scores.fit_id`` loses its index (every row holds the latest
fit's id; each refit paid for keeping it up to date) and gains one covering the RFM grid
(SQLite; an empty partial index on PostgreSQL).

Revision ID: 0026_team_workload
Revises: 0025_clients
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026_team_workload"
down_revision = "0025_clients"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_accounts_manager_kind_segment", "accounts",
                    ["manager_id", "kind", "segment", "id"], unique=False)
    op.drop_index("ix_client_scores_fit_id", table_name="client_scores")
    op.create_index("ix_client_scores_rfm_cover", "client_scores",
                    ["r_score", "f_score", "m_score", "rfm_segment", "total_cents",
                     "value_cents", "expected_purchases", "p_alive", "p_alive_previous"],
                    unique=False, postgresql_where=sa.text("false"))


def downgrade() -> None:
    op.drop_index("ix_client_scores_rfm_cover", table_name="client_scores")
    op.create_index("ix_client_scores_fit_id", "client_scores", ["fit_id"], unique=False)
    op.drop_index("ix_accounts_manager_kind_segment", table_name="accounts")
