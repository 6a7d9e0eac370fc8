"""Server-side sessions and login throttling (issue 9, S1/S2)

Revision ID: 0009_sessions
Revises: 0008_revenue_keys
"""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0009_sessions"
down_revision = "0008_revenue_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
