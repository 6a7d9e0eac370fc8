"""The growth catalogue and whitespace (issue 12)

- ``product_lines`` → ``offerings`` → ``skus``: one catalogue for the whole product, each
  with an owner and an optional list price (admins edit it).
- ``product_line_revenue``: revenue per account, product line and month, kept current on
  import.
- ``product_line_aliases``: revenue ``product_line`` values counted under a catalogue line.
- ``whitespace_flags``: whitespace cells marked not relevant, with the reason.
- ``growth_needs`` and ``growth_need_product_lines``: the client's needs and the lines that
  answer them.
- ``growth_peer_medians``: per line, segment and size band, the buyers and their lower
  median spend, refreshed with ``product_line_revenue``.

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

    op.create_table('product_line_aliases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alias', sa.String(length=100), nullable=False),
    sa.Column('product_line_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['product_line_id'], ['product_lines.id'], name=op.f('fk_product_line_aliases_product_line_id_product_lines'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_line_aliases')),
    sa.UniqueConstraint('alias', name=op.f('uq_product_line_aliases_alias'))
    )
    op.create_index(op.f('ix_product_line_aliases_product_line_id'), 'product_line_aliases', ['product_line_id'], unique=False)
    op.create_table('whitespace_flags',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('product_line_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('set_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_whitespace_flags_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_line_id'], ['product_lines.id'], name=op.f('fk_whitespace_flags_product_line_id_product_lines'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_whitespace_flags_set_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('account_id', 'product_line_id', name=op.f('pk_whitespace_flags'))
    )
    op.create_table('growth_needs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_growth_needs_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_growth_needs_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_growth_needs'))
    )
    op.create_index(op.f('ix_growth_needs_account_id'), 'growth_needs', ['account_id'], unique=False)
    op.create_table('growth_need_product_lines',
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('product_line_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['need_id'], ['growth_needs.id'], name=op.f('fk_growth_need_product_lines_need_id_growth_needs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_line_id'], ['product_lines.id'], name=op.f('fk_growth_need_product_lines_product_line_id_product_lines'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('need_id', 'product_line_id', name=op.f('pk_growth_need_product_lines'))
    )
    op.create_index(op.f('ix_growth_need_product_lines_product_line_id'), 'growth_need_product_lines', ['product_line_id'], unique=False)
    op.create_table('growth_peer_medians',
    sa.Column('product_line_id', sa.Integer(), nullable=False),
    sa.Column('segment', sa.String(length=60), nullable=False),
    sa.Column('size_band', sa.String(length=20), nullable=False),
    sa.Column('as_of', sa.Integer(), nullable=False),
    sa.Column('window_months', sa.Integer(), nullable=False),
    sa.Column('peers', sa.Integer(), nullable=False),
    sa.Column('median_cents', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('product_line_id', 'segment', 'size_band', name=op.f('pk_growth_peer_medians'))
    )


def downgrade() -> None:
    op.drop_table("growth_peer_medians")
    op.drop_table("growth_need_product_lines")
    op.drop_table("growth_needs")
    op.drop_table("whitespace_flags")
    op.drop_table("product_line_aliases")
    op.drop_table("product_line_revenue")
    op.drop_table("skus")
    op.drop_table("offerings")
    op.drop_table("product_lines")
