"""Proposals (issue 12)

- ``proposals``: an account's proposal, its stored status (draft, sent, accepted, declined;
  expired is computed on read), validity date, current version number.
- ``proposal_versions``: every version (an edit after sending makes a new one).
- ``proposal_offers`` and ``proposal_benefits``: each version's offer lines (Decimal money)
  and the benefits tied to the plan's goals and pain points.
- ``proposal_opportunities``: the opportunities a proposal asks for.

Revision ID: 0019_proposals
Revises: 0018_opportunities
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from accord.core.database import UTCDateTime

revision = "0019_proposals"
down_revision = "0018_opportunities"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('current_version', sa.Integer(), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.CheckConstraint("status in ('draft','sent','accepted','declined')", name=op.f('ck_proposals_status')),
    sa.CheckConstraint('current_version >= 1', name=op.f('ck_proposals_current_version')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_proposals_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_proposals_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposals'))
    )
    op.create_index(op.f('ix_proposals_account_id'), 'proposals', ['account_id'], unique=False)
    op.create_table('proposal_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_proposal_versions_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_versions_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_versions')),
    sa.UniqueConstraint('proposal_id', 'number', name=op.f('uq_proposal_versions_proposal_id_number'))
    )
    op.create_table('proposal_opportunities',
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('opportunity_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_proposal_opportunities_opportunity_id_opportunities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_opportunities_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('proposal_id', 'opportunity_id', name=op.f('pk_proposal_opportunities'))
    )
    op.create_index(op.f('ix_proposal_opportunities_opportunity_id'), 'proposal_opportunities', ['opportunity_id'], unique=False)
    op.create_table('proposal_offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('product_line_id', sa.Integer(), nullable=True),
    sa.Column('sku_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('discount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('tax_rate', sa.Numeric(precision=7, scale=4), nullable=False),
    sa.CheckConstraint('discount >= 0 and discount <= unit_price', name=op.f('ck_proposal_offers_discount')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_proposal_offers_quantity')),
    sa.CheckConstraint('tax_rate >= 0 and tax_rate <= 100', name=op.f('ck_proposal_offers_tax_rate')),
    sa.CheckConstraint('unit_price >= 0', name=op.f('ck_proposal_offers_unit_price')),
    sa.ForeignKeyConstraint(['product_line_id'], ['product_lines.id'], name=op.f('fk_proposal_offers_product_line_id_product_lines'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_proposal_offers_sku_id_skus'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['version_id'], ['proposal_versions.id'], name=op.f('fk_proposal_offers_version_id_proposal_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_offers'))
    )
    op.create_index(op.f('ix_proposal_offers_version_id'), 'proposal_offers', ['version_id'], unique=False)
    op.create_table('proposal_benefits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('plan_entry_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['plan_entry_id'], ['plan_entries.id'], name=op.f('fk_proposal_benefits_plan_entry_id_plan_entries'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['version_id'], ['proposal_versions.id'], name=op.f('fk_proposal_benefits_version_id_proposal_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_benefits'))
    )
    op.create_index(op.f('ix_proposal_benefits_version_id'), 'proposal_benefits', ['version_id'], unique=False)

def downgrade() -> None:
    op.drop_table("proposal_benefits")
    op.drop_table("proposal_offers")
    op.drop_table("proposal_opportunities")
    op.drop_table("proposal_versions")
    op.drop_table("proposals")
