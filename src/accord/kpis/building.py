"""Building ``kpi_account_windows`` from scratch (all SQL): the variant ids of each source,
the sources' tables, the state rows, and the full builds — ``rebuild`` (every source,
secondary indexes built afterwards) and ``rebuild_source`` (one source other than
invoices, the others' rows kept). ``derived.py`` is the engine's door to all this (its
module docstring describes the whole), ``refresh.py`` the incremental refresh.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import (
    Table,
    and_,
    delete,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from accord.core.database import utcnow
from accord.core.errors import FieldProblem, ValidationFailed
from accord.kpis import groups
from accord.kpis.formulas import Basis, Source
from accord.kpis.models import (
    KpiAccountGroup,
    KpiAccountWindow,
    KpiPolicy,
    KpiState,
    KpiVariant,
)
from accord.kpis.windows import COLUMNS, Variant, window_rows
from accord.revenue.models import MonthlyRevenue, RevenueLoad

account_windows: Table = KpiAccountWindow.__table__  # type: ignore[assignment]
account_groups: Table = KpiAccountGroup.__table__  # type: ignore[assignment]
window_variants: Table = KpiVariant.__table__  # type: ignore[assignment]
monthly_revenue: Table = MonthlyRevenue.__table__  # type: ignore[assignment]
#: the state row of each source (``kpi_state``); the invoices' is also the lock row
STATE_IDS = {Source.INVOICES: 1, Source.SUBSCRIPTIONS: 2}
STATE_ID = STATE_IDS[Source.INVOICES]
#: a source's variant ids: this base + 2 × window (+ 1 for the point basis)
SOURCE_BASE = {Source.INVOICES: 0, Source.SUBSCRIPTIONS: 1000}
SOURCE_SPAN = 1000
#: each source's monthly table (account_id, month, amount_cents, cumulative_cents)
_TABLES: dict[Source, Table] = {Source.INVOICES: monthly_revenue}
POLICY_ID = 1
#: above this many accounts a full rebuild is cheaper than per-account refreshes
FULL_REBUILD_ABOVE = 20_000
#: window variants held at once (the policy's and the most recently built others)
MAX_VARIANTS = 4
#: accounts to refresh from one of the last this many months: rows from running totals
RECENT_MONTHS = 3


def variant_id(window: int, basis: Basis, source: Source = Source.INVOICES) -> int:
    return SOURCE_BASE[source] + window * 2 + (1 if basis is Basis.POINT else 0)


def source_of(vid: int) -> Source:
    return next(s for s, base in SOURCE_BASE.items() if base <= vid < base + SOURCE_SPAN)


def register_source(source: Source, table: Table) -> None:
    """A capability above the engine names the table of a source (kpis imports none of
    them): ``licences.mrr`` registers ``subscription_mrr`` as ``subscriptions``."""
    _TABLES[source] = table


def source_table(source: Source) -> Table:
    """The monthly table of a source; a source nobody registered is a 422 on ``source``."""
    table = _TABLES.get(source)
    if table is None:
        raise ValidationFailed([FieldProblem("source", f"{source.value}: not installed")])
    return table


def _of_source(source: Source) -> Any:
    base = SOURCE_BASE[source]
    return and_(account_windows.c.variant >= base, account_windows.c.variant < base + SOURCE_SPAN)


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _insert_rows(
    session: Session, table: Table, variants: list[Variant], last_month: int
) -> None:
    """Every row of these variants (of the source whose monthly table is ``table``),
    straight into ``kpi_account_windows``."""
    body = window_rows(variants, last_month, None, monthly=table).subquery("rows")
    # in primary-key order: SQLite appends to its B-tree, PostgreSQL's heap ends up clustered
    # by as-of month, so one month is a few thousand adjacent pages instead of every page
    ordered = select(*body.c).order_by(*(body.c[i] for i in range(5)))
    session.execute(insert(account_windows).from_select(COLUMNS, ordered))


# ---------------------------------------------------------------- variants and state


def _policy_variant(session: Session, source: Source = Source.INVOICES) -> Variant:
    row = session.get(KpiPolicy, POLICY_ID)
    window, basis = (12, Basis.TRAILING) if row is None else (row.window_months, Basis(row.basis))
    return variant_id(window, basis, source), window, basis


def _variants(session: Session, source: Source | None = None) -> list[Variant]:
    """The variants held (of one source, or of all)."""
    variants = window_variants.c
    q = select(variants.id, variants.window_months, variants.basis).order_by(variants.id)
    if source is not None:
        q = q.where(variants.source == source.value)
    return [(r.id, r.window_months, Basis(r.basis)) for r in session.execute(q)]


def _held(session: Session, source: Source) -> dict[int, Variant]:
    """The variants a rebuild of the source writes: those held and the policy's."""
    held = {v[0]: v for v in _variants(session, source)}
    policy = _policy_variant(session, source)
    held.setdefault(policy[0], policy)
    return held


def built_sources(session: Session) -> list[Source]:
    """The sources whose rows have been built (a state row), invoices first."""
    ids = set(session.scalars(select(KpiState.id)))
    return [s for s in Source if STATE_IDS[s] in ids and s in _TABLES]


def _data_range(session: Session, table: Table = monthly_revenue) -> tuple[int | None, int | None]:
    # two subqueries: SQLite answers a lone min() or max() from the index, both together
    # from a scan
    row = session.execute(select(
        select(func.min(table.c.month)).scalar_subquery(),
        select(func.max(table.c.month)).scalar_subquery(),
    )).one()
    return row[0], row[1]


def _newest_load(session: Session) -> int | None:
    return session.scalar(select(func.max(RevenueLoad.__table__.c.id)))


def _save_state(
    session: Session, first: int | None, last: int | None, source: Source = Source.INVOICES
) -> None:
    values: dict[str, Any] = {
        "first_month": first, "last_month": last, "refreshed_at": utcnow(),
        "max_load_id": _newest_load(session) if source is Source.INVOICES else None,
    }
    state_id = STATE_IDS[source]
    bump = KpiState.version + 1
    done = session.execute(update(KpiState).where(KpiState.id == state_id).values(
        version=bump, **values))
    if done.rowcount == 0:  # type: ignore[attr-defined]
        session.execute(insert(KpiState).values(id=state_id, version=1, **values))


def _tune(session: Session) -> None:
    if _is_postgres(session):
        session.execute(text(
            "SELECT set_config('jit', 'off', true), set_config('work_mem', '256MB', true), "
            "set_config('random_page_cost', '1.1', true), "
            "set_config('maintenance_work_mem', '512MB', true)"
        ))


def rebuild(session: Session) -> None:
    """Recompute every derived row from ``accounts`` and the sources built so far
    (``monthly_revenue`` always; ``subscription_mrr`` once its rows exist)."""
    groups.lock_derived(session)
    _tune(session)
    groups.clear_queue(session)  # first: a group change committed after this stays queued
    groups.rebuild_groups(session)
    sources = [Source.INVOICES, *(s for s in built_sources(session) if s is not Source.INVOICES)]
    held = {source: _held(session, source) for source in sources}
    if _is_postgres(session):  # no dead rows left behind; fresh statistics for the plan
        session.execute(text("TRUNCATE kpi_account_windows"))
        for source in sources:
            session.execute(text(f"ANALYZE {_TABLES[source].name}"))
    else:
        session.execute(delete(account_windows))
    session.execute(delete(window_variants))
    conn = session.connection()
    for index in account_windows.indexes:  # build the secondary indexes once, after the insert
        index.drop(conn)
    for source in sources:
        first, last = _data_range(session, _TABLES[source])
        if last is not None:
            _insert_rows(session, _TABLES[source], list(held[source].values()), last)
        _save_state(session, first, last, source)
    for index in account_windows.indexes:
        index.create(conn)
    _record_variants(session, held)
    for table in ("kpi_account_windows", "kpi_account_groups", "kpi_groups"):
        session.execute(text(f"ANALYZE {table}"))


def _record_variants(session: Session, held: Mapping[Source, Mapping[int, Variant]]) -> None:
    session.execute(insert(window_variants), [
        {"id": vid, "window_months": w, "basis": b.value, "source": source.value,
         "built_at": utcnow()}
        for source, variants in held.items() for vid, w, b in variants.values()
    ])


def _rebuild_source(session: Session, source: Source) -> None:
    """Recompute every row of one source other than invoices (its first build, or a rewrite
    of its whole table); the other sources' rows stay. Accounts without a group yet (e.g.
    an account with subscriptions and no invoice) are grouped first."""
    table = source_table(source)
    _tune(session)
    held = _held(session, source)
    if session.get(KpiState, STATE_ID) is None:
        groups.rebuild_groups(session)  # nothing built yet: every account's group
    else:
        ids = select(table.c.account_id).distinct().subquery("source_accounts")
        groups.group_new_accounts(session, ids.c.account_id)
    # a bulk load, as ``rebuild`` does: the source's rows deleted and written with the
    # secondary indexes dropped, which are built once afterwards (over the other sources'
    # rows too: cheaper than keeping them through millions of deletions and insertions)
    conn = session.connection()
    for index in account_windows.indexes:
        index.drop(conn)
    session.execute(delete(account_windows).where(_of_source(source)))
    session.execute(delete(window_variants).where(window_variants.c.source == source.value))
    if _is_postgres(session):  # statistics of a table its writer may just have rewritten
        session.execute(text(f"ANALYZE {table.name}"))
    first, last = _data_range(session, table)
    if last is not None:
        _insert_rows(session, table, list(held.values()), last)
    for index in account_windows.indexes:
        index.create(conn)
    if _is_postgres(session):
        session.execute(text("ANALYZE kpi_account_windows"))
    _record_variants(session, {source: held})
    _save_state(session, first, last, source)


def _rebuild_any(session: Session, source: Source) -> None:
    if source is Source.INVOICES:
        rebuild(session)
    else:
        _rebuild_source(session, source)
