"""Selection matrix, relationship stages, health (owned by selection/relationships/health)

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
