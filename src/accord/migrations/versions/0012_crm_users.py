"""CRM user map for account imports (issue 9, B12)

Revision ID: 0012_crm_users
Revises: 0011_single_flight
"""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0012_crm_users"
down_revision = "0011_single_flight"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
