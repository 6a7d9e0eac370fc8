"""The KPI source (issue 15): invoices or subscriptions

The KPI engine reads either the invoiced monthly revenue (``monthly_revenue``) or the
subscriptions' monthly recurring revenue (``subscription_mrr``). The policy gains the setting
``source`` (``invoices`` by default: the figures stay what they were), and a window variant
gains the source its rows are derived from: the rows of both sources are kept side by side in
``kpi_account_windows`` under different variant ids (``kpis.derived.variant_id``), so
switching the setting rebuilds nothing. Existing variants are the invoices'. The second
source's state is row 2 of ``kpi_state`` (written when its rows are first built).

Revision ID: 0023_kpi_source
Revises: 0022_licences
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023_kpi_source"
down_revision = "0022_licences"
branch_labels = None
depends_on = None

TABLES = ("kpi_policy", "kpi_variants")
#: the subscriptions' variant ids start here (``kpis.derived.SOURCE_BASE``)
SUBSCRIPTIONS_BASE = 1000


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("source", sa.String(16), nullable=False,
                                       server_default="invoices"))


def downgrade() -> None:
    # the subscriptions' derived rows and state go with the setting
    op.execute(sa.text(f"DELETE FROM kpi_account_windows WHERE variant >= {SUBSCRIPTIONS_BASE}"))
    op.execute(sa.text("DELETE FROM kpi_state WHERE id <> 1"))
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("source")
