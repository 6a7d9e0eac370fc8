"""Hand-offs (issue 11): checklists, hand-offs and their items; draft hand-offs for accounts in onboarding

Revision ID: 0014_handoffs
Revises: 0013_one_abc_setting
"""

from __future__ import annotations

revision = "0014_handoffs"
down_revision = "0013_one_abc_setting"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
