"""Account plans (issue 11): plans, sections, key people, objectives, actions, share links

Revision ID: 0015_plans
Revises: 0014_handoffs
"""

from __future__ import annotations

revision = "0015_plans"
down_revision = "0014_handoffs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
