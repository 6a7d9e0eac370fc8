"""Revenue lines keyed by (account, line key); loads numbered instead of line ids

A revenue line was identified twice: by a surrogate ``id`` (a sequence and a B-tree of its
own) and by the unique ``(account_id, line_key)``. Measured on PostgreSQL, ``COPY`` of
1,000,000 lines took 3.2 s into that table and 2.0 s into one keyed by
``(account_id, line_key)`` alone (0.85 s with no index at all); on SQLite a ``WITHOUT
ROWID`` table keyed the same way takes a sorted insert in one B-tree instead of two. So:

- ``revenue_lines`` loses ``id``; ``(account_id, line_key)`` is its primary key (SQLite:
  ``WITHOUT ROWID``, the table rebuilt);
- ``revenue_loads`` numbers every load; ``monthly_revenue.load_id`` is the load that last
  changed a row. These replace "the newest line id" as the watermark of the KPI engine
  (``kpi_state.max_load_id``) and of the KAM models (``kam_revenue_state.max_load_id``);
  the old line-id watermarks are cleared (the next report folds in the next load).

Revision ID: 0008_revenue_keys
Revises: 0007_kpi_refresh
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_revenue_keys"
down_revision = "0007_kpi_refresh"
branch_labels = None
depends_on = None

COLUMNS = "account_id, line_key, date, month, amount_cents, product_line, line_id"
BODY = (
    "account_id INTEGER NOT NULL, line_key VARCHAR(140) NOT NULL, date DATE NOT NULL, "
    "month INTEGER NOT NULL, amount_cents BIGINT NOT NULL, product_line VARCHAR(100), "
    "line_id VARCHAR(100)"
)
CASCADE_SQLITE = (
    "CREATE TRIGGER accounts_delete_revenue AFTER DELETE ON accounts BEGIN "
    "DELETE FROM revenue_lines WHERE account_id = old.id; "
    "DELETE FROM monthly_revenue WHERE account_id = old.id; END"
)
STATES = ("kpi_state", "kam_revenue_state")


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _rebuild_sqlite(create: str, select: str) -> None:
    """SQLite cannot change a primary key: a new table, the rows copied, the names swapped
    (the trigger naming the table is dropped first, or the rename would refuse)."""
    op.execute("DROP TRIGGER IF EXISTS accounts_delete_revenue")
    op.execute(create)
    op.execute(f"INSERT INTO revenue_lines_new ({COLUMNS}) {select}")
    op.execute("DROP TABLE revenue_lines")
    op.execute("ALTER TABLE revenue_lines_new RENAME TO revenue_lines")
    op.execute(CASCADE_SQLITE)


def upgrade() -> None:
    if _sqlite():
        _rebuild_sqlite(
            f"CREATE TABLE revenue_lines_new ({BODY}, CONSTRAINT pk_revenue_lines "
            "PRIMARY KEY (account_id, line_key)) WITHOUT ROWID",
            f"SELECT {COLUMNS} FROM revenue_lines ORDER BY account_id, line_key",
        )
    else:
        op.execute("ALTER TABLE revenue_lines DROP CONSTRAINT pk_revenue_lines")
        op.execute("DROP INDEX uq_revenue_lines_account_key")
        op.execute("ALTER TABLE revenue_lines DROP COLUMN id")
        op.execute("ALTER TABLE revenue_lines ADD CONSTRAINT pk_revenue_lines "
                   "PRIMARY KEY (account_id, line_key)")
    op.create_table(
        "revenue_loads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lines", sa.BigInteger(), nullable=False),
        sa.Column("inserted", sa.BigInteger(), nullable=False),
        sa.Column("updated", sa.BigInteger(), nullable=False),
        sa.Column("accounts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revenue_loads")),
    )
    with op.batch_alter_table("monthly_revenue") as batch:
        batch.add_column(sa.Column("load_id", sa.Integer(), nullable=True))
    for table in STATES:
        op.execute(f"UPDATE {table} SET max_line_id = NULL")
        with op.batch_alter_table(table) as batch:
            batch.alter_column("max_line_id", new_column_name="max_load_id")


def downgrade() -> None:
    if _sqlite():  # the trigger names monthly_revenue, which the batch below rebuilds
        op.execute("DROP TRIGGER IF EXISTS accounts_delete_revenue")
    for table in STATES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column("max_load_id", new_column_name="max_line_id")
    with op.batch_alter_table("monthly_revenue") as batch:
        batch.drop_column("load_id")
    op.drop_table("revenue_loads")
    if _sqlite():
        _rebuild_sqlite(
            f"CREATE TABLE revenue_lines_new (id INTEGER NOT NULL, {BODY}, "
            "CONSTRAINT pk_revenue_lines PRIMARY KEY (id))",
            f"SELECT {COLUMNS} FROM revenue_lines",
        )
    else:
        op.execute("ALTER TABLE revenue_lines DROP CONSTRAINT pk_revenue_lines")
        op.execute("ALTER TABLE revenue_lines ADD COLUMN id bigserial")
        op.execute("ALTER TABLE revenue_lines ADD CONSTRAINT pk_revenue_lines PRIMARY KEY (id)")
    op.create_index("uq_revenue_lines_account_key", "revenue_lines",
                    ["account_id", "line_key"], unique=True)
