"""Licence signals (issue 15): the usage store, health's licence utilisation, the renewal
reminders of subscriptions

- ``licence_usage``: per account and service, the seats purchased, assigned, reported and
  active, the shares, the signal and the up-sell opportunity (``accord.licences.signals``).
- ``account_health.licence_utilisation``: the stored measure value.
- ``subscription_reminders``: a subscription's renewal reminder per end of term
  (``accord.calendar.renewals.models``).

Revision ID: 0024_licence_signals
Revises: 0023_kpi_source
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from accord.core.database import UTCDateTime

revision = "0024_licence_signals"
down_revision = "0023_kpi_source"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('licence_usage',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('sku_id', sa.Integer(), nullable=False),
    sa.Column('evaluated_on', sa.Date(), nullable=False),
    sa.Column('purchased', sa.Integer(), nullable=False),
    sa.Column('assigned', sa.Integer(), nullable=False),
    sa.Column('reported', sa.Integer(), nullable=False),
    sa.Column('active', sa.Integer(), nullable=False),
    sa.Column('allocation_e4', sa.Integer(), nullable=True),
    sa.Column('adoption_e4', sa.Integer(), nullable=True),
    sa.Column('utilisation_e4', sa.Integer(), nullable=True),
    sa.Column('signal', sa.String(length=8), nullable=True),
    sa.Column('opportunity_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("signal is null or signal in ('upsell','risk')", name=op.f('ck_licence_usage_signal')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_licence_usage_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_licence_usage_opportunity_id_opportunities'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_licence_usage_sku_id_skus'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('account_id', 'sku_id', name=op.f('pk_licence_usage'))
    )
    with op.batch_alter_table('licence_usage', schema=None) as batch_op:
        batch_op.create_index('ix_licence_usage_signal', ['signal', 'account_id'], unique=False)

    op.create_table('subscription_reminders',
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('end_on', sa.Date(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('opportunity_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_subscription_reminders_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_subscription_reminders_opportunity_id_opportunities'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['subscription_id'], ['subscriptions.id'], name=op.f('fk_subscription_reminders_subscription_id_subscriptions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('subscription_id', 'end_on', name=op.f('pk_subscription_reminders'))
    )
    with op.batch_alter_table('subscription_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subscription_reminders_account_id'), ['account_id'], unique=False)

    with op.batch_alter_table('account_health', schema=None) as batch_op:
        batch_op.add_column(sa.Column('licence_utilisation', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('account_health', schema=None) as batch_op:
        batch_op.drop_column('licence_utilisation')
    with op.batch_alter_table('subscription_reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subscription_reminders_account_id'))
    op.drop_table('subscription_reminders')
    with op.batch_alter_table('licence_usage', schema=None) as batch_op:
        batch_op.drop_index('ix_licence_usage_signal')
    op.drop_table('licence_usage')
