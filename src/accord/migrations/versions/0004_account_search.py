"""Account search: a trigram index on accounts.name_key (owned by the accounts package)

Also an index on (manager_id, segment): the segment choices of someone who sees only some
accounts, read from the index alone.

PostgreSQL answers the accounts search (``name_key LIKE '%needle%'``) from a GIN index with
pg_trgm's operator class; the extension ships with PostgreSQL and is trusted (the database
owner may create it). SQLite has no trigram index: the model's declaration becomes an empty
partial index there (``WHERE 0``), so that models and migrations agree on both databases.
The downgrade drops the index and leaves the extension, which other things may use.

Revision ID: 0004_account_search
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_account_search"
down_revision = "0003"
branch_labels = None
depends_on = None

INDEX = "ix_accounts_name_key_trgm"
SEGMENTS = "ix_accounts_manager_segment"


def upgrade() -> None:
    op.create_index(SEGMENTS, "accounts", ["manager_id", "segment"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index(
            INDEX,
            "accounts",
            ["name_key"],
            postgresql_using="gin",
            postgresql_ops={"name_key": "gin_trgm_ops"},
        )
    else:
        op.create_index(INDEX, "accounts", ["name_key"], sqlite_where=sa.text("0"))


def downgrade() -> None:
    op.drop_index(INDEX, table_name="accounts")
    op.drop_index(SEGMENTS, table_name="accounts")
