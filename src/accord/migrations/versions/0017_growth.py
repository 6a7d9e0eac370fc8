"""The growth catalogue and whitespace (issue 12)

- ``product_lines`` → ``offerings`` → ``skus``: one catalogue for the whole product, each
  with an owner and an optional list price (admins edit it).
- ``product_line_revenue``: revenue per account, product line and month, kept current on
  import.
- (the growth helper adds: the peer medians, product-line aliases, whitespace cells marked not relevant, needs)

Revision ID: 0017_growth
Revises: 0016_targets
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from accord.core.database import UTCDateTime

revision = "0017_growth"
down_revision = "0016_targets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('product_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('list_price', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_product_lines_owner_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_lines')),
    sa.UniqueConstraint('name', name=op.f('uq_product_lines_name'))
    )
    op.create_table('offerings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_line_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('list_price', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_offerings_owner_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['product_line_id'], ['product_lines.id'], name=op.f('fk_offerings_product_line_id_product_lines'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offerings')),
    sa.UniqueConstraint('product_line_id', 'name', name=op.f('uq_offerings_product_line_id_name'))
    )
    op.create_index(op.f('ix_offerings_product_line_id'), 'offerings', ['product_line_id'], unique=False)
    op.create_table('skus',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('offering_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('list_price', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.ForeignKeyConstraint(['offering_id'], ['offerings.id'], name=op.f('fk_skus_offering_id_offerings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_skus_owner_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skus')),
    sa.UniqueConstraint('code', name=op.f('uq_skus_code'))
    )
    op.create_index(op.f('ix_skus_offering_id'), 'skus', ['offering_id'], unique=False)
    op.create_table('product_line_revenue',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('product_line_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('line_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('account_id', 'product_line_id', 'month', name=op.f('pk_product_line_revenue'))
    )


def downgrade() -> None:
    op.drop_table("product_line_revenue")
    op.drop_table("skus")
    op.drop_table("offerings")
    op.drop_table("product_lines")
