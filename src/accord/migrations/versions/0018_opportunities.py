"""Opportunities (issue 12)

- ``opportunities``: up-sell, cross-sell, renewal, new vertical on an account, with value,
  probability (defaulted from the stage), stage ``identified`` → ``qualified`` → ``proposed``
  → ``negotiation`` → ``won`` | ``lost`` (with a reason), expected close, owner, next step.
- ``opportunity_product_lines``: the product lines an opportunity is about.
- ``objective_opportunities``: the opportunities an objective of an account plan counts.

Revision ID: 0018_opportunities
Revises: 0017_growth
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from accord.core.database import UTCDateTime

revision = "0018_opportunities"
down_revision = "0017_growth"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('opportunities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('value', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('probability', sa.Integer(), nullable=False),
    sa.Column('expected_close_on', sa.Date(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('next_step', sa.Text(), nullable=False),
    sa.Column('next_step_on', sa.Date(), nullable=True),
    sa.Column('lost_reason', sa.Text(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.CheckConstraint("kind in ('upsell','cross_sell','renewal','new_vertical')", name=op.f('ck_opportunities_kind')),
    sa.CheckConstraint("stage in ('identified','qualified','proposed','negotiation','won','lost')", name=op.f('ck_opportunities_stage')),
    sa.CheckConstraint('probability >= 0 and probability <= 100', name=op.f('ck_opportunities_probability')),
    sa.CheckConstraint('value >= 0', name=op.f('ck_opportunities_value')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_opportunities_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_opportunities_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_opportunities_owner_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opportunities'))
    )
    op.create_index(op.f('ix_opportunities_account_id'), 'opportunities', ['account_id'], unique=False)
    op.create_index(op.f('ix_opportunities_owner_id'), 'opportunities', ['owner_id'], unique=False)
    op.create_index('ix_opportunities_stage_close', 'opportunities', ['stage', 'expected_close_on'], unique=False)
    op.create_table('opportunity_product_lines',
    sa.Column('opportunity_id', sa.Integer(), nullable=False),
    sa.Column('product_line_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_opportunity_product_lines_opportunity_id_opportunities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_line_id'], ['product_lines.id'], name=op.f('fk_opportunity_product_lines_product_line_id_product_lines'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('opportunity_id', 'product_line_id', name=op.f('pk_opportunity_product_lines'))
    )
    op.create_index(op.f('ix_opportunity_product_lines_product_line_id'), 'opportunity_product_lines', ['product_line_id'], unique=False)
    op.create_table('objective_opportunities',
    sa.Column('objective_id', sa.Integer(), nullable=False),
    sa.Column('opportunity_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['objective_id'], ['plan_objectives.id'], name=op.f('fk_objective_opportunities_objective_id_plan_objectives'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_objective_opportunities_opportunity_id_opportunities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('objective_id', 'opportunity_id', name=op.f('pk_objective_opportunities'))
    )
    op.create_index(op.f('ix_objective_opportunities_opportunity_id'), 'objective_opportunities', ['opportunity_id'], unique=False)


def downgrade() -> None:
    op.drop_table("objective_opportunities")
    op.drop_table("opportunity_product_lines")
    op.drop_table("opportunities")
