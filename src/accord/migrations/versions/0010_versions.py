"""Row versions for optimistic concurrency (issue 9, L1)

Revision ID: 0010_versions
Revises: 0009_sessions
"""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0010_versions"
down_revision = "0009_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
