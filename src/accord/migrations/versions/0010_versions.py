"""Row versions for optimistic concurrency (issue 9, L1); the account of an audit entry (A2)

- ``version`` on ``accounts``, ``contacts``, ``users`` and ``kam_settings`` (the health,
  selection and stage settings): 1 for every existing row, raised by one on each change of
  an editable field (see ``accord.core.versions``).
- ``audit_log.account_id``: the account an entry is about (an account, its team, contacts,
  interactions, scorings...), so a head's view of the log is one indexed condition. Entries
  written before this revision are filled in from their entity and id (the append-only
  triggers are lifted for that one statement and put back).

Revision ID: 0010_versions
Revises: 0009_sessions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_versions"
down_revision = "0009_sessions"
branch_labels = None
depends_on = None

VERSIONED = ("accounts", "contacts", "users", "kam_settings")

#: entities whose id is the account's id, and those whose id is "<account id>:<other>"
BY_ID = "('account','account_members','account_selection','health')"
BY_PREFIX = "('account_contact','stage_criterion')"
#: entities whose "after" names the account
BY_AFTER = "('interaction','scoring','stage_assessment')"

BACKFILL_SQLITE = [
    f"UPDATE audit_log SET account_id = CAST(entity_id AS INTEGER) "
    f"WHERE entity IN {BY_ID} AND entity_id GLOB '[0-9]*'",
    f"UPDATE audit_log SET account_id = "
    f"CAST(substr(entity_id, 1, instr(entity_id, ':') - 1) AS INTEGER) "
    f"WHERE entity IN {BY_PREFIX} AND entity_id GLOB '[0-9]*:*'",
    f"UPDATE audit_log SET account_id = CAST(json_extract(\"after\", '$.account_id') AS INTEGER) "
    f"WHERE entity IN {BY_AFTER} AND json_valid(\"after\") "
    f"AND json_type(\"after\", '$.account_id') = 'integer'",
]
BACKFILL_POSTGRES = [
    f"UPDATE audit_log SET account_id = CAST(entity_id AS INTEGER) "
    f"WHERE entity IN {BY_ID} AND entity_id ~ '^[0-9]{{1,9}}$'",
    f"UPDATE audit_log SET account_id = CAST(split_part(entity_id, ':', 1) AS INTEGER) "
    f"WHERE entity IN {BY_PREFIX} AND entity_id ~ '^[0-9]{{1,9}}:'",
    f"UPDATE audit_log SET account_id = CAST(\"after\"->>'account_id' AS INTEGER) "
    f"WHERE entity IN {BY_AFTER} AND (\"after\"->>'account_id') ~ '^[0-9]{{1,9}}$'",
]
# the append-only guards of 0001, lifted for the backfill and put back
GUARD_SQLITE = [
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
]
UNGUARD_SQLITE = ["DROP TRIGGER IF EXISTS audit_log_no_update"]
GUARD_POSTGRES = ["ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change"]
UNGUARD_POSTGRES = ["ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change"]


def _is_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    for table in VERSIONED:
        op.add_column(
            table, sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False)
        )
    op.add_column("audit_log", sa.Column("account_id", sa.Integer(), nullable=True))
    op.create_index("ix_audit_log_account", "audit_log", ["account_id", "id"], unique=False)
    sqlite = _is_sqlite()
    for statement in (
        *(UNGUARD_SQLITE if sqlite else UNGUARD_POSTGRES),
        *(BACKFILL_SQLITE if sqlite else BACKFILL_POSTGRES),
        *(GUARD_SQLITE if sqlite else GUARD_POSTGRES),
    ):
        op.execute(statement)


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN on both databases (SQLite 3.35+): no table copy, so the
    # append-only and KPI triggers stay in place
    op.drop_index("ix_audit_log_account", table_name="audit_log")
    op.execute("ALTER TABLE audit_log DROP COLUMN account_id")
    for table in reversed(VERSIONED):
        op.execute(f"ALTER TABLE {table} DROP COLUMN version")
