"""Proposals (issue 12)

- (the proposals helper adds: proposals, their versions, offers, the opportunities they ask
  for)

Revision ID: 0019_proposals
Revises: 0018_opportunities
"""

from __future__ import annotations

revision = "0019_proposals"
down_revision = "0018_opportunities"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
