"""KPI engine: the account groups are re-synchronised from a queue of changed accounts

Until now every report compared the newest audit entry with the one of the last group
synchronisation and re-synchronised all 100,000 accounts' groups (150-380 ms) after *any*
audited write, an interaction as much as a new scoring; and an audit entry committed after a
later-numbered one that a report had already synchronised past was missed.

Triggers now put the id of every account whose group may have changed into
``kpi_group_changes`` in the writing transaction itself (NULL: every account, for a change of
the selection settings): an account inserted, deleted or given another manager or segment;
a scoring becoming or ceasing to be an account's latest (``selection_current``); a
deselection or reselection; a changed scoring; a saved ``selection`` setting (the cut lines).
A report consumes the queue with ``DELETE ... RETURNING`` (exactly the rows it saw) and
re-synchronises those accounts; a row committed later stays queued, whatever order the
transactions commit in. The audit watermark ``kpi_state.groups_audit_id`` is dropped.

PostgreSQL logs inserted and deleted rows per statement (transition tables: a bulk insert of
accounts is one ``INSERT ... SELECT``), changed rows per row when the columns differ; SQLite
per row.

Revision ID: 0007_kpi_refresh
Revises: 0006_revenue_bulk
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_kpi_refresh"
down_revision = "0006_revenue_bulk"
branch_labels = None
depends_on = None

QUEUE = "kpi_group_changes"
#: (trigger name, table, event, WHEN condition or None, account id expression)
ROW_TRIGGERS = [
    ("kpi_accounts_update", "accounts", "UPDATE OF manager_id, segment",
     "OLD.manager_id IS DISTINCT FROM NEW.manager_id OR OLD.segment IS DISTINCT FROM "
     "NEW.segment", "NEW.id"),
    ("kpi_current_update", "selection_current", "UPDATE OF scoring_id, account_id",
     "OLD.scoring_id IS DISTINCT FROM NEW.scoring_id OR OLD.account_id IS DISTINCT FROM "
     "NEW.account_id", "NEW.account_id"),
    ("kpi_current_update_old", "selection_current", "UPDATE OF account_id",
     "OLD.account_id IS DISTINCT FROM NEW.account_id", "OLD.account_id"),
    ("kpi_scorings_update", "selection_scorings",
     "UPDATE OF attractiveness_milli, us_weighted, competitor_weighted, account_id", None,
     "NEW.account_id"),
    ("kpi_settings_insert", "kam_settings", "INSERT", "NEW.name = 'selection'", "NULL"),
    ("kpi_settings_update", "kam_settings", "UPDATE",
     "OLD.name = 'selection' OR NEW.name = 'selection'", "NULL"),
    ("kpi_settings_delete", "kam_settings", "DELETE", "OLD.name = 'selection'", "NULL"),
]
#: (trigger name, table, event, account id column): every inserted or deleted row
SET_TRIGGERS = [
    ("kpi_accounts_insert", "accounts", "INSERT", "id"),
    ("kpi_accounts_delete", "accounts", "DELETE", "id"),
    ("kpi_current_insert", "selection_current", "INSERT", "account_id"),
    ("kpi_current_delete", "selection_current", "DELETE", "account_id"),
    ("kpi_deselections_insert", "selection_deselections", "INSERT", "account_id"),
    ("kpi_deselections_delete", "selection_deselections", "DELETE", "account_id"),
]


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _create_sqlite() -> None:
    for name, table, event, when, account in ROW_TRIGGERS:
        condition = f" WHEN {when.replace('IS DISTINCT FROM', 'IS NOT')}" if when else ""
        op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{condition} "
                   f"BEGIN INSERT INTO {QUEUE} (account_id) VALUES ({account}); END")
    for name, table, event, column in SET_TRIGGERS:
        row = "NEW" if event == "INSERT" else "OLD"
        op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW "
                   f"BEGIN INSERT INTO {QUEUE} (account_id) VALUES ({row}.{column}); END")


def _create_postgres() -> None:
    for name, table, event, when, account in ROW_TRIGGERS:
        op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                   f"INSERT INTO {QUEUE} (account_id) VALUES ({account}); RETURN NULL; END $$")
        condition = f" WHEN ({when})" if when else ""
        op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{condition} "
                   f"EXECUTE FUNCTION {name}()")
    for name, table, event, column in SET_TRIGGERS:
        rows = "new_rows" if event == "INSERT" else "old_rows"
        op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                   f"INSERT INTO {QUEUE} (account_id) SELECT {column} FROM {rows}; "
                   "RETURN NULL; END $$")
        op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} "
                   f"REFERENCING {event.replace('INSERT', 'NEW').replace('DELETE', 'OLD')} "
                   f"TABLE AS {rows} FOR EACH STATEMENT EXECUTE FUNCTION {name}()")


def upgrade() -> None:
    op.create_table(
        QUEUE,
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kpi_group_changes")),
    )
    with op.batch_alter_table("kpi_state") as batch:
        batch.drop_column("groups_audit_id")
    if _sqlite():
        _create_sqlite()
    else:
        _create_postgres()
    # every account's group is checked by the first report after the upgrade
    op.execute(f"INSERT INTO {QUEUE} (account_id) VALUES (NULL)")


def downgrade() -> None:
    names = [(t[0], t[1]) for t in ROW_TRIGGERS] + [(t[0], t[1]) for t in SET_TRIGGERS]
    for name, table in names:
        if _sqlite():
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    with op.batch_alter_table("kpi_state") as batch:
        batch.add_column(sa.Column("groups_audit_id", sa.BigInteger(), nullable=True))
    op.drop_table(QUEUE)
