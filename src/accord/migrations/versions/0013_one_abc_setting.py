"""One ABC setting (issue 10): ``abc_a``/``abc_b`` in the selection settings, 0 < A < B ≤ 1

Before, the KPI policy held ``kpi_policy.abc_a``/``abc_b`` (A < B) and the selection settings
``abc_a_below``/``abc_b_below`` (A ≤ B). Now the selection settings document holds the one
pair as ``abc_a``/``abc_b`` and ``kpi_policy`` loses its two columns. Which pair survives:

1. the KPI pair when it was changed from the defaults (0.80, 0.95): the one the KPI report,
   its exports and its CLI showed as "the ABC cut-offs";
2. else the selection pair when it was stored and satisfies 0 < A < B ≤ 1;
3. else the defaults (nothing stored).

A selection document that holds a pair keeps the chosen one (its version raised); without a
document, a non-default KPI pair becomes one. The downgrade puts the pair back in both places.

Revision ID: 0013_one_abc_setting
Revises: 0012_crm_users
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op

from accord.core.database import UTCDateTime

revision = "0013_one_abc_setting"
down_revision = "0012_crm_users"
branch_labels = None
depends_on = None

DEFAULTS = (Decimal("0.80"), Decimal("0.95"))
OLD_KEYS = ("abc_a_below", "abc_b_below")
NEW_KEYS = ("abc_a", "abc_b")
BY = "migration 0013"

settings = sa.table(
    "kam_settings",
    sa.column("name", sa.String),
    sa.column("value", sa.JSON),
    sa.column("updated_at", UTCDateTime),
    sa.column("updated_by", sa.String),
    sa.column("version", sa.Integer),
)


def _pair(a: Any, b: Any) -> tuple[Decimal, Decimal] | None:
    try:
        pair = (Decimal(str(a)), Decimal(str(b)))
    except ArithmeticError:
        return None
    return pair if Decimal(0) < pair[0] < pair[1] <= Decimal(1) else None


def _text(value: Decimal) -> str:
    """0.8000 -> "0.80" (as the settings document writes it), 0.8125 -> "0.8125"."""
    cents = value.quantize(Decimal("0.01"))
    return str(cents) if cents == value else str(value.normalize())


def _selection(conn: sa.Connection) -> dict[str, Any] | None:
    return conn.execute(
        sa.select(settings.c.value).where(settings.c.name == "selection")
    ).scalar_one_or_none()


def _write_selection(conn: sa.Connection, document: dict[str, Any], exists: bool) -> None:
    now = datetime.now(UTC)
    if exists:
        conn.execute(
            settings.update()
            .where(settings.c.name == "selection")
            .values(value=document, updated_at=now, updated_by=BY, version=settings.c.version + 1)
        )
    else:
        conn.execute(settings.insert().values(
            name="selection", value=document, updated_at=now, updated_by=BY, version=1
        ))


def upgrade() -> None:
    conn = op.get_bind()
    kpi_row = conn.execute(sa.text("SELECT abc_a, abc_b FROM kpi_policy ORDER BY id")).first()
    kpi = _pair(*kpi_row) if kpi_row is not None else None
    document = _selection(conn)
    stored = _pair(*(document[k] for k in OLD_KEYS)) if document and all(
        k in document for k in OLD_KEYS
    ) else None
    if kpi is not None and kpi != DEFAULTS:
        chosen = kpi
    elif stored is not None:
        chosen = stored
    else:
        chosen = DEFAULTS
    if document is not None:
        kept = {k: v for k, v in document.items() if k not in OLD_KEYS}
        if chosen != DEFAULTS or any(k in document for k in OLD_KEYS):
            kept.update(zip(NEW_KEYS, (_text(v) for v in chosen), strict=True))
        _write_selection(conn, kept, exists=True)
    elif chosen != DEFAULTS:
        _write_selection(conn, dict(zip(NEW_KEYS, (_text(v) for v in chosen), strict=True)),
                         exists=False)
    with op.batch_alter_table("kpi_policy", schema=None) as batch_op:
        batch_op.drop_column("abc_b")
        batch_op.drop_column("abc_a")


def downgrade() -> None:
    with op.batch_alter_table("kpi_policy", schema=None) as batch_op:
        batch_op.add_column(sa.Column("abc_a", sa.Numeric(precision=5, scale=4),
                                      nullable=False, server_default="0.8000"))
        batch_op.add_column(sa.Column("abc_b", sa.Numeric(precision=5, scale=4),
                                      nullable=False, server_default="0.9500"))
    with op.batch_alter_table("kpi_policy", schema=None) as batch_op:
        batch_op.alter_column("abc_a", server_default=None)
        batch_op.alter_column("abc_b", server_default=None)
    conn = op.get_bind()
    document = _selection(conn)
    if document is None:
        return
    pair = _pair(*(document.get(k) for k in NEW_KEYS)) or DEFAULTS
    cut = sa.Numeric(precision=5, scale=4)
    conn.execute(
        sa.text("UPDATE kpi_policy SET abc_a = :a, abc_b = :b").bindparams(
            sa.bindparam("a", type_=cut), sa.bindparam("b", type_=cut)
        ),
        {"a": pair[0], "b": pair[1]},
    )
    kept = {k: v for k, v in document.items() if k not in NEW_KEYS}
    if any(k in document for k in NEW_KEYS):
        kept.update(zip(OLD_KEYS, (_text(v) for v in pair), strict=True))
    _write_selection(conn, kept, exists=True)
