"""The account rhythm (issue 13)

- ``accounts``: ``last_qualifying_touch_on`` (kept by the interactions; filled here from the
  ones logged so far), ``contract_end_on`` and ``notice_days`` (renewals).
- ``users.time_zone`` (a user setting; times are stored in UTC).
- ``cadence_overrides``, ``follow_ups``, ``calendar_events``, ``event_attendees``,
  ``event_occurrences``, ``renewal_reminders``, ``imported_meetings``, ``feed_tokens``,
  ``digests_sent``, ``jobs``: see ``accord.calendar.models``.
- Indexes: a manager's accounts by contract end (renewals), an owner's open plan actions
  (My day).

Revision ID: 0020_rhythm
Revises: 0019_proposals
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from accord.core.database import UTCDateTime

revision = "0020_rhythm"
down_revision = "0019_proposals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('due_at', UTCDateTime(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_by', sa.String(length=120), nullable=True),
    sa.Column('claimed_at', UTCDateTime(), nullable=True),
    sa.Column('finished_at', UTCDateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.CheckConstraint("status in ('due','running','done','failed')", name=op.f('ck_jobs_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs')),
    sa.UniqueConstraint('name', 'due_at', name=op.f('uq_jobs_name_due_at'))
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index('ix_jobs_status_due', ['status', 'due_at'], unique=False)

    op.create_table('digests_sent',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('recorded_at', UTCDateTime(), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('items', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_digests_sent_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'day', name=op.f('pk_digests_sent'))
    )
    op.create_table('feed_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('revoked_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_feed_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_feed_tokens_token_hash'))
    )
    with op.batch_alter_table('feed_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feed_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('cadence_overrides',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('touch_days', sa.Integer(), nullable=True),
    sa.Column('review_days', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('set_at', UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.CheckConstraint('review_days is null or (review_days between 1 and 3660)', name=op.f('ck_cadence_overrides_review')),
    sa.CheckConstraint('touch_days is null or (touch_days between 1 and 3660)', name=op.f('ck_cadence_overrides_touch')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_cadence_overrides_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_cadence_overrides_set_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('account_id', name=op.f('pk_cadence_overrides'))
    )
    op.create_table('calendar_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=120), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('agenda', sa.Text(), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('starts_at', UTCDateTime(), nullable=False),
    sa.Column('ends_at', UTCDateTime(), nullable=False),
    sa.Column('time_zone', sa.String(length=64), nullable=False),
    sa.Column('rrule', sa.String(length=500), nullable=True),
    sa.Column('last_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('organiser_id', sa.Integer(), nullable=True),
    sa.Column('generated', sa.Boolean(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.CheckConstraint("kind in ('business_review','meeting','call','renewal','other')", name=op.f('ck_calendar_events_kind')),
    sa.CheckConstraint("status in ('scheduled','cancelled')", name=op.f('ck_calendar_events_status')),
    sa.CheckConstraint('ends_at >= starts_at', name=op.f('ck_calendar_events_span')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_calendar_events_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organiser_id'], ['users.id'], name=op.f('fk_calendar_events_organiser_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_events')),
    sa.UniqueConstraint('uid', name=op.f('uq_calendar_events_uid'))
    )
    with op.batch_alter_table('calendar_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_events_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_calendar_events_account_kind', ['account_id', 'kind', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_calendar_events_organiser_id'), ['organiser_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calendar_events_starts_at'), ['starts_at'], unique=False)

    op.create_table('event_attendees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(user_id is null) <> (contact_id is null)', name=op.f('ck_event_attendees_one')),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_event_attendees_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['calendar_events.id'], name=op.f('fk_event_attendees_event_id_calendar_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_event_attendees_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_attendees')),
    sa.UniqueConstraint('event_id', 'user_id', 'contact_id', name=op.f('uq_event_attendees_event_id_user_id_contact_id'))
    )
    with op.batch_alter_table('event_attendees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_attendees_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_attendees_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_attendees_user_id'), ['user_id'], unique=False)

    op.create_table('event_occurrences',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', UTCDateTime(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('interaction_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status in ('held','cancelled')", name=op.f('ck_event_occurrences_status')),
    sa.ForeignKeyConstraint(['event_id'], ['calendar_events.id'], name=op.f('fk_event_occurrences_event_id_calendar_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['interaction_id'], ['interactions.id'], name=op.f('fk_event_occurrences_interaction_id_interactions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('event_id', 'starts_at', name=op.f('pk_event_occurrences'))
    )
    op.create_table('follow_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('due_time', sa.Time(), nullable=True),
    sa.Column('time_zone', sa.String(length=64), nullable=False),
    sa.Column('due_at', UTCDateTime(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('snoozed_until', sa.Date(), nullable=True),
    sa.Column('source_kind', sa.String(length=20), nullable=True),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('closed_by_interaction_id', sa.Integer(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.CheckConstraint("source_kind is null or source_kind in ('interaction','plan_action','opportunity','event','renewal')", name=op.f('ck_follow_ups_source_kind')),
    sa.CheckConstraint("status in ('open','snoozed','done','cancelled')", name=op.f('ck_follow_ups_status')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_follow_ups_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['closed_by_interaction_id'], ['interactions.id'], name=op.f('fk_follow_ups_closed_by_interaction_id_interactions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_follow_ups_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_follow_ups_owner_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_ups'))
    )
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_ups_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_follow_ups_account_open', ['account_id', 'status', 'due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_ups_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_follow_ups_owner_open', ['owner_id', 'status', 'due_on'], unique=False)

    op.create_table('imported_meetings',
    sa.Column('uid', sa.String(length=255), nullable=False),
    sa.Column('interaction_id', sa.Integer(), nullable=True),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('imported_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['imported_by_id'], ['users.id'], name=op.f('fk_imported_meetings_imported_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['interaction_id'], ['interactions.id'], name=op.f('fk_imported_meetings_interaction_id_interactions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('uid', name=op.f('pk_imported_meetings'))
    )
    op.create_table('renewal_reminders',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('contract_end_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('opportunity_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_renewal_reminders_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_renewal_reminders_opportunity_id_opportunities'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('account_id', 'contract_end_on', name=op.f('pk_renewal_reminders'))
    )
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_qualifying_touch_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('contract_end_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('notice_days', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_accounts_contract_end_on'), ['contract_end_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_accounts_last_qualifying_touch_on'), ['last_qualifying_touch_on'], unique=False)

    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.create_index('ix_interactions_account_kind_day', ['account_id', 'kind', 'occurred_on'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), server_default='UTC', nullable=False))


    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.create_index('ix_accounts_manager_contract_end', ['manager_id', 'contract_end_on'], unique=False)

    with op.batch_alter_table('plan_actions', schema=None) as batch_op:
        batch_op.create_index('ix_plan_actions_owner_open', ['owner_id', 'status', 'due_on'], unique=False)

    # the qualifying touches logged so far (a call, meeting, e-mail or business review with a
    # client contact): the cadence reads this column, kept from now on by the interactions
    op.execute(
        "UPDATE accounts SET last_qualifying_touch_on = ("
        " SELECT max(i.occurred_on) FROM interactions i"
        " WHERE i.account_id = accounts.id"
        " AND i.kind IN ('call', 'meeting', 'email', 'business_review')"
        " AND EXISTS (SELECT 1 FROM interaction_contacts ic WHERE ic.interaction_id = i.id))"
    )


def downgrade() -> None:
    with op.batch_alter_table('plan_actions', schema=None) as batch_op:
        batch_op.drop_index('ix_plan_actions_owner_open')

    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_index('ix_accounts_manager_contract_end')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('time_zone')

    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.drop_index('ix_interactions_account_kind_day')

    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accounts_last_qualifying_touch_on'))
        batch_op.drop_index(batch_op.f('ix_accounts_contract_end_on'))
        batch_op.drop_column('notice_days')
        batch_op.drop_column('contract_end_on')
        batch_op.drop_column('last_qualifying_touch_on')

    op.drop_table('renewal_reminders')
    op.drop_table('imported_meetings')
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_index('ix_follow_ups_owner_open')
        batch_op.drop_index(batch_op.f('ix_follow_ups_owner_id'))
        batch_op.drop_index('ix_follow_ups_account_open')
        batch_op.drop_index(batch_op.f('ix_follow_ups_account_id'))

    op.drop_table('follow_ups')
    op.drop_table('event_occurrences')
    with op.batch_alter_table('event_attendees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_attendees_user_id'))
        batch_op.drop_index(batch_op.f('ix_event_attendees_event_id'))
        batch_op.drop_index(batch_op.f('ix_event_attendees_contact_id'))

    op.drop_table('event_attendees')
    with op.batch_alter_table('calendar_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_events_starts_at'))
        batch_op.drop_index(batch_op.f('ix_calendar_events_organiser_id'))
        batch_op.drop_index('ix_calendar_events_account_kind')
        batch_op.drop_index(batch_op.f('ix_calendar_events_account_id'))

    op.drop_table('calendar_events')
    op.drop_table('cadence_overrides')
    with op.batch_alter_table('feed_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feed_tokens_user_id'))

    op.drop_table('feed_tokens')
    op.drop_table('digests_sent')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_jobs_status_due')

    op.drop_table('jobs')
