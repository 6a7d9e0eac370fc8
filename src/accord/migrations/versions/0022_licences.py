"""Licences and subscriptions (issue 15)

- ``licence_product_names``, ``subscriptions``, ``subscription_terms``,
  ``quantity_requests``, ``subscription_mrr``, ``account_domains``, ``sku_services``,
  ``licence_users``, ``seat_assignments``, ``seat_activity``: see
  ``accord.licences.models``. ``seat_assignments.account_id`` has no foreign key: it
  repeats the licence user's account (whose deletion takes its licence users, and they their
  seats, with it), and a per-row check cost a seat import a third of its time.
- ``skus`` gets ``billing_period`` (``month``, ``quarter``, ``year``; existing SKUs:
  ``year``) and ``addon_of_id`` (the service it is an add-on of).
- The role ``billing`` exists already (``users.role`` is free text checked by the
  application).

Revision ID: 0022_licences
Revises: 0021_agency
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from accord.core.database import UTCDateTime

revision = "0022_licences"
down_revision = "0021_agency"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('account_domains',
    sa.Column('domain', sa.String(length=253), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_account_domains_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('domain', name=op.f('pk_account_domains'))
    )
    with op.batch_alter_table('account_domains', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_domains_account_id'), ['account_id'], unique=False)

    op.create_table('subscription_mrr',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('cumulative_cents', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_subscription_mrr_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('account_id', 'month', name=op.f('pk_subscription_mrr')),
    sqlite_with_rowid=False,
    )
    with op.batch_alter_table('subscription_mrr', schema=None) as batch_op:
        batch_op.create_index('ix_subscription_mrr_month', ['month'], unique=False)

    op.create_table('licence_product_names',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('sku_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_licence_product_names_sku_id_skus'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_licence_product_names')),
    sa.UniqueConstraint('key', name=op.f('uq_licence_product_names_key'))
    )
    with op.batch_alter_table('licence_product_names', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_licence_product_names_sku_id'), ['sku_id'], unique=False)

    op.create_table('subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('sku_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('term_months', sa.Integer(), nullable=False),
    sa.Column('end_on', sa.Date(), nullable=False),
    sa.Column('auto_renew', sa.Boolean(), nullable=False),
    sa.Column('notice_days', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.CheckConstraint("status in ('trial','active','cancelled','expired')", name=op.f('ck_subscriptions_status')),
    sa.CheckConstraint('end_on >= start_on', name=op.f('ck_subscriptions_end_after_start')),
    sa.CheckConstraint('notice_days between 0 and 3650', name=op.f('ck_subscriptions_notice')),
    sa.CheckConstraint('term_months between 1 and 120', name=op.f('ck_subscriptions_term')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_subscriptions_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_subscriptions_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_subscriptions_sku_id_skus'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscriptions')),
    sa.UniqueConstraint('account_id', 'reference', name='uq_subscriptions_reference')
    )
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.create_index('ix_subscriptions_account_status', ['account_id', 'status', 'sku_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subscriptions_sku_id'), ['sku_id'], unique=False)
        batch_op.create_index('ix_subscriptions_status_end', ['status', 'end_on'], unique=False)

    op.create_table('quantity_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.CheckConstraint("status in ('pending','approved','declined')", name=op.f('ck_quantity_requests_status')),
    sa.CheckConstraint('quantity between 0 and 10000000', name=op.f('ck_quantity_requests_quantity')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_quantity_requests_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_quantity_requests_requested_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['subscription_id'], ['subscriptions.id'], name=op.f('fk_quantity_requests_subscription_id_subscriptions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quantity_requests'))
    )
    with op.batch_alter_table('quantity_requests', schema=None) as batch_op:
        batch_op.create_index('ix_quantity_requests_status', ['status', 'requested_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_quantity_requests_subscription_id'), ['subscription_id'], unique=False)

    op.create_table('subscription_terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('quantity between 0 and 10000000', name=op.f('ck_subscription_terms_quantity')),
    sa.CheckConstraint('unit_price >= 0', name=op.f('ck_subscription_terms_price')),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_subscription_terms_changed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['quantity_requests.id'], name=op.f('fk_subscription_terms_request_id_quantity_requests'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['subscription_id'], ['subscriptions.id'], name=op.f('fk_subscription_terms_subscription_id_subscriptions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscription_terms')),
    sa.UniqueConstraint('subscription_id', 'effective_on', name='uq_subscription_terms_day')
    )
    with op.batch_alter_table('skus', schema=None) as batch_op:
        batch_op.add_column(sa.Column('billing_period', sa.String(length=8), server_default=sa.text("'year'"), nullable=False))
        batch_op.add_column(sa.Column('addon_of_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_skus_addon_of_id_skus'), 'skus', ['addon_of_id'], ['id'], ondelete='SET NULL')
        batch_op.create_check_constraint(
            "billing_period", "billing_period in ('month','quarter','year')")

    op.create_table('licence_users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('principal', sa.String(length=254), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('department', sa.String(length=120), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('blocked', sa.Boolean(), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_licence_users_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_licence_users_contact_id_contacts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_licence_users')),
    sa.UniqueConstraint('account_id', 'principal', name='uq_licence_users_principal')
    )
    with op.batch_alter_table('licence_users', schema=None) as batch_op:
        batch_op.create_index('ix_licence_users_account_left', ['account_id', 'left_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_licence_users_contact_id'), ['contact_id'], unique=False)

    op.create_table('seat_activity',
    sa.Column('licence_user_id', sa.Integer(), nullable=False),
    sa.Column('service', sa.String(length=40), nullable=False),
    sa.Column('last_active_on', sa.Date(), nullable=True),
    sa.Column('reported_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['licence_user_id'], ['licence_users.id'], name=op.f('fk_seat_activity_licence_user_id_licence_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('licence_user_id', 'service', name=op.f('pk_seat_activity'))
    )
    op.create_table('seat_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('licence_user_id', sa.Integer(), nullable=False),
    sa.Column('sku_id', sa.Integer(), nullable=False),
    sa.Column('from_on', sa.Date(), nullable=False),
    sa.Column('to_on', sa.Date(), nullable=True),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("source in ('manual','import')", name=op.f('ck_seat_assignments_source')),
    sa.CheckConstraint('to_on is null or to_on >= from_on', name=op.f('ck_seat_assignments_span')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_seat_assignments_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['licence_user_id'], ['licence_users.id'], name=op.f('fk_seat_assignments_licence_user_id_licence_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_seat_assignments_sku_id_skus'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seat_assignments'))
    )
    with op.batch_alter_table('seat_assignments', schema=None) as batch_op:
        batch_op.create_index('ix_seat_assignments_account_sku', ['account_id', 'sku_id', 'to_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_seat_assignments_licence_user_id'), ['licence_user_id'], unique=False)

    op.create_table('sku_services',
    sa.Column('sku_id', sa.Integer(), nullable=False),
    sa.Column('service', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_sku_services_sku_id_skus'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('sku_id', 'service', name=op.f('pk_sku_services'))
    )


def downgrade() -> None:
    op.drop_table('sku_services')
    with op.batch_alter_table('seat_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seat_assignments_licence_user_id'))
        batch_op.drop_index('ix_seat_assignments_account_sku')

    op.drop_table('seat_assignments')
    op.drop_table('seat_activity')
    with op.batch_alter_table('licence_users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_licence_users_contact_id'))
        batch_op.drop_index('ix_licence_users_account_left')

    op.drop_table('licence_users')
    with op.batch_alter_table('skus', schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_skus_billing_period"), type_="check")
        batch_op.drop_constraint(batch_op.f('fk_skus_addon_of_id_skus'), type_='foreignkey')
        batch_op.drop_column('addon_of_id')
        batch_op.drop_column('billing_period')

    op.drop_table('subscription_terms')
    with op.batch_alter_table('quantity_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quantity_requests_subscription_id'))
        batch_op.drop_index('ix_quantity_requests_status')

    op.drop_table('quantity_requests')
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.drop_index('ix_subscriptions_status_end')
        batch_op.drop_index(batch_op.f('ix_subscriptions_sku_id'))
        batch_op.drop_index('ix_subscriptions_account_status')

    op.drop_table('subscriptions')
    with op.batch_alter_table('licence_product_names', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_licence_product_names_sku_id'))

    op.drop_table('licence_product_names')
    with op.batch_alter_table('subscription_mrr', schema=None) as batch_op:
        batch_op.drop_index('ix_subscription_mrr_month')

    op.drop_table('subscription_mrr')
    with op.batch_alter_table('account_domains', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_domains_account_id'))

    op.drop_table('account_domains')
