"""Single-flight rebuilds of derived tables (issue 9, C2/C3)

Revision ID: 0011_single_flight
Revises: 0010_versions
"""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0011_single_flight"
down_revision = "0010_versions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
