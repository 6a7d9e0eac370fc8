"""Agency work for the client (issue 14)

- ``departments``, ``department_members``, ``department_holidays``, ``deliverable_types``,
  ``briefs``, ``brief_transitions``, ``input_requests``, ``input_chases``,
  ``account_chase_defaults``: see ``accord.agency.models``.
- ``follow_ups.source_kind`` may be ``input_request`` (a chase of a client input, or its
  escalation to the head).
- The role ``specialist`` needs no change of schema (``users.role`` is free text checked by
  the application).

Revision ID: 0021_agency
Revises: 0020_rhythm
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from accord.core.database import UTCDateTime

revision = "0021_agency"
down_revision = "0020_rhythm"
branch_labels = None
depends_on = None

OLD_SOURCES = "('interaction','plan_action','opportunity','event','renewal')"
NEW_SOURCES = "('interaction','plan_action','opportunity','event','renewal','input_request')"


def _sources(allowed: str) -> None:
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_follow_ups_source_kind"), type_="check")
        batch_op.create_check_constraint(
            "source_kind", f"source_kind is null or source_kind in {allowed}")


def upgrade() -> None:
    op.create_table('deliverable_types',
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_deliverable_types'))
    )
    op.create_table('departments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=True),
    sa.Column('time_zone', sa.String(length=64), nullable=False),
    sa.Column('weekdays', sa.JSON(), nullable=True),
    sa.Column('turnaround_days', sa.Integer(), nullable=False),
    sa.Column('sections', sa.JSON(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.CheckConstraint('turnaround_days between 1 and 365', name=op.f('ck_departments_turnaround')),
    sa.ForeignKeyConstraint(['lead_id'], ['users.id'], name=op.f('fk_departments_lead_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_departments')),
    sa.UniqueConstraint('name', name=op.f('uq_departments_name'))
    )
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_departments_lead_id'), ['lead_id'], unique=False)

    op.create_table('account_chase_defaults',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('chase_days', sa.Integer(), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('set_at', UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('chase_days between 1 and 260', name=op.f('ck_account_chase_defaults_chase')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_account_chase_defaults_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_account_chase_defaults_set_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('account_id', name=op.f('pk_account_chase_defaults'))
    )
    op.create_table('briefs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('sections', sa.JSON(), nullable=False),
    sa.Column('attachments', sa.JSON(), nullable=False),
    sa.Column('deliverable_type', sa.String(length=40), nullable=True),
    sa.Column('priority', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('original_due_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('proposed_due_on', sa.Date(), nullable=True),
    sa.Column('proposed_reason', sa.Text(), nullable=True),
    sa.Column('estimated_hours', sa.Numeric(precision=8, scale=2), nullable=True),
    sa.Column('actual_hours', sa.Numeric(precision=8, scale=2), nullable=True),
    sa.Column('rounds', sa.Integer(), nullable=False),
    sa.Column('checks', sa.JSON(), nullable=False),
    sa.Column('approval_note', sa.Text(), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('sent_on', sa.Date(), nullable=True),
    sa.Column('first_delivered_on', sa.Date(), nullable=True),
    sa.Column('blocked_days', sa.Integer(), nullable=True),
    sa.Column('due_with_blocks_on', sa.Date(), nullable=True),
    sa.Column('original_with_blocks_on', sa.Date(), nullable=True),
    sa.Column('turnaround_days', sa.Integer(), nullable=True),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.CheckConstraint("priority in ('low','normal','high','urgent')", name=op.f('ck_briefs_priority')),
    sa.CheckConstraint("status in ('draft','sent','accepted','in_progress','delivered','approved','cancelled')", name=op.f('ck_briefs_status')),
    sa.CheckConstraint('rounds >= 0', name=op.f('ck_briefs_rounds')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_briefs_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_briefs_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['deliverable_type'], ['deliverable_types.key'], name=op.f('fk_briefs_deliverable_type_deliverable_types'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_briefs_department_id_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_briefs'))
    )
    with op.batch_alter_table('briefs', schema=None) as batch_op:
        batch_op.create_index('ix_briefs_account_status', ['account_id', 'status', 'due_on', 'department_id'], unique=False)
        batch_op.create_index('ix_briefs_department_delivered', ['department_id', 'first_delivered_on', 'due_with_blocks_on', 'original_with_blocks_on', 'turnaround_days', 'rounds', 'account_id'], unique=False)
        batch_op.create_index('ix_briefs_department_status_due', ['department_id', 'status', 'due_on'], unique=False)
        batch_op.create_index('ix_briefs_status_due', ['status', 'due_on'], unique=False)

    op.create_table('department_holidays',
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_department_holidays_department_id_departments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('department_id', 'day', name=op.f('pk_department_holidays'))
    )
    op.create_table('department_members',
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_department_members_department_id_departments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_department_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('department_id', 'user_id', name=op.f('pk_department_members'))
    )
    with op.batch_alter_table('department_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_department_members_user_id'), ['user_id'], unique=False)

    op.create_table('brief_transitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brief_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=12), nullable=True),
    sa.Column('to_status', sa.String(length=12), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['brief_id'], ['briefs.id'], name=op.f('fk_brief_transitions_brief_id_briefs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_brief_transitions_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_brief_transitions'))
    )
    with op.batch_alter_table('brief_transitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_brief_transitions_brief_id'), ['brief_id'], unique=False)

    op.create_table('input_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('brief_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('chase_days', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('chases', sa.Integer(), nullable=False),
    sa.Column('next_chase_on', sa.Date(), nullable=True),
    sa.Column('escalated_on', sa.Date(), nullable=True),
    sa.Column('escalated_to_id', sa.Integer(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('close_note', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.CheckConstraint("status in ('open','received','cancelled')", name=op.f('ck_input_requests_status')),
    sa.CheckConstraint('chase_days is null or chase_days between 1 and 260', name=op.f('ck_input_requests_chase')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_input_requests_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['brief_id'], ['briefs.id'], name=op.f('fk_input_requests_brief_id_briefs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_input_requests_contact_id_contacts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_input_requests_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['escalated_to_id'], ['users.id'], name=op.f('fk_input_requests_escalated_to_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_input_requests_owner_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_input_requests'))
    )
    with op.batch_alter_table('input_requests', schema=None) as batch_op:
        batch_op.create_index('ix_input_requests_account_status', ['account_id', 'status', 'due_on'], unique=False)
        batch_op.create_index('ix_input_requests_brief', ['brief_id', 'status', 'requested_on'], unique=False)
        batch_op.create_index('ix_input_requests_status_chase', ['status', 'next_chase_on'], unique=False)
        batch_op.create_index('ix_input_requests_status_due', ['status', 'due_on'], unique=False)

    op.create_table('input_chases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('follow_up_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=True),
    sa.Column('interaction_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status in ('due','sent','closed')", name=op.f('ck_input_chases_status')),
    sa.ForeignKeyConstraint(['follow_up_id'], ['follow_ups.id'], name=op.f('fk_input_chases_follow_up_id_follow_ups'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['interaction_id'], ['interactions.id'], name=op.f('fk_input_chases_interaction_id_interactions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['input_requests.id'], name=op.f('fk_input_chases_request_id_input_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_input_chases')),
    sa.UniqueConstraint('request_id', 'number', name='uq_input_chases_number')
    )
    with op.batch_alter_table('input_chases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_input_chases_follow_up_id'), ['follow_up_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_input_chases_request_id'), ['request_id'], unique=False)

    _sources(NEW_SOURCES)


def downgrade() -> None:
    # The code before this revision knows no role "specialist" (``Role(user.role)`` raises
    # on it, and a specialist's access came from the departments dropped below): such users
    # become deactivated viewers (sees nothing while inactive; an admin may re-role them),
    # before the tables go.
    op.execute("UPDATE users SET role = 'viewer', is_active = false "
               "WHERE role = 'specialist'")
    op.execute("DELETE FROM follow_ups WHERE source_kind = 'input_request'")
    _sources(OLD_SOURCES)

    with op.batch_alter_table('input_chases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_input_chases_request_id'))
        batch_op.drop_index(batch_op.f('ix_input_chases_follow_up_id'))

    op.drop_table('input_chases')
    with op.batch_alter_table('input_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_input_requests_status_due')
        batch_op.drop_index('ix_input_requests_status_chase')
        batch_op.drop_index('ix_input_requests_brief')
        batch_op.drop_index('ix_input_requests_account_status')

    op.drop_table('input_requests')
    with op.batch_alter_table('brief_transitions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_brief_transitions_brief_id'))

    op.drop_table('brief_transitions')
    with op.batch_alter_table('department_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_department_members_user_id'))

    op.drop_table('department_members')
    op.drop_table('department_holidays')
    with op.batch_alter_table('briefs', schema=None) as batch_op:
        batch_op.drop_index('ix_briefs_status_due')
        batch_op.drop_index('ix_briefs_department_status_due')
        batch_op.drop_index('ix_briefs_department_delivered')
        batch_op.drop_index('ix_briefs_account_status')

    op.drop_table('briefs')
    op.drop_table('account_chase_defaults')
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_departments_lead_id'))

    op.drop_table('departments')
    op.drop_table('deliverable_types')
