"""Targets for managers per period (issue 11)

Revision ID: 0016_targets
Revises: 0015_plans
"""

from __future__ import annotations

revision = "0016_targets"
down_revision = "0015_plans"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
