"""The incremental refresh of ``kpi_account_windows`` (all SQL): after a source's monthly
table changed for some accounts, their rows are recomputed into a temporary table and only
the rows that differ are written (``refresh_after_import`` for invoices, ``refresh_source``
for a registered source such as the licences' ``subscription_mrr``); a full build
(``building.py``) for very many accounts. See ``derived.py``'s module docstring.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from sqlalchemy import (
    Integer,
    Table,
    and_,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.orm import Session

from accord.kpis import groups
from accord.kpis.building import (
    FULL_REBUILD_ABOVE,
    RECENT_MONTHS,
    STATE_ID,
    STATE_IDS,
    _data_range,
    _is_postgres,
    _newest_load,
    _of_source,
    _rebuild_any,
    _rebuild_source,
    _save_state,
    _tune,
    _variants,
    account_windows,
    rebuild,
    register_source,
    source_table,
)
from accord.kpis.formulas import Source
from accord.kpis.models import (
    KpiState,
    temporary_table,
)
from accord.kpis.windows import COLUMNS, Variant, lookback, recent_rows, window_rows


def refresh_source(
    session: Session, source: Source, table: Table, account_ids: Collection[int] | None
) -> None:
    """The rows of a registered source after its table changed for these accounts (None:
    all of them), in the writer's transaction: ``licences.mrr.rebuild`` calls it with
    ``subscription_mrr``. The first call builds the source for every account."""
    register_source(source, table)
    groups.lock_derived(session)
    if account_ids is None or session.get(
        KpiState, STATE_IDS[source], populate_existing=True
    ) is None:
        _rebuild_source(session, source)
        return
    _refresh_accounts(session, source, sorted(set(account_ids)), None)


def refresh_after_import(
    session: Session, account_ids: Iterable[int] | None,
    first_months: Mapping[int, int] | None = None,
) -> None:
    """Bring the derived rows up to date after these accounts' monthly revenue changed
    (None: rebuild everything) and bump the version; see the module docstring.

    ``first_months``: per account, the earliest month whose monthly revenue changed, when
    the importer knows it (an account without one: any month may have changed). Only the
    rows from that month on are recomputed: rows before it read no changed month."""
    if account_ids is None:
        rebuild(session)
        return
    groups.lock_derived(session)
    _refresh_accounts(session, Source.INVOICES, sorted(set(account_ids)), first_months)


def _refresh_accounts(
    session: Session, source: Source, ids: list[int], first_months: Mapping[int, int] | None
) -> None:
    """``refresh_after_import`` for any source (the derived lock held): nothing before the
    source's first build; these accounts' rows recomputed and only the differing ones
    written; a rebuild of the source for very many accounts."""
    state = session.get(KpiState, STATE_IDS[source], populate_existing=True)
    if state is None:
        return
    table = source_table(source)
    first, last = _data_range(session, table)
    if state.last_month is None or last is None:
        _rebuild_any(session, source)
        return
    new_from = state.last_month + 1 if last > state.last_month else last + 1
    # an account's rows from its first changed month on, and every account's added months
    since = [None if m is None else min(m, new_from)
             for m in (first_months.get(a) if first_months else None for a in ids)]
    recent_from = last - RECENT_MONTHS + 1
    if sum(1 for m in since if m is None or m < recent_from) > FULL_REBUILD_ABOVE:
        _rebuild_any(session, source)
        return
    if not ids and last == state.last_month:
        # nothing to recompute (a load that changed no month): remember it all the same,
        # or every report would look for it again
        if source is Source.INVOICES:
            session.execute(update(KpiState).where(KpiState.id == STATE_ID).values(
                max_load_id=_newest_load(session)))
        return
    _tune(session)
    scope = temporary_table(session, "kpi_scope", ["account_id", "from_month"], "account_id")
    if _is_postgres(session):
        session.execute(text(
            "INSERT INTO kpi_scope SELECT * FROM unnest(CAST(:ids AS integer[]), "
            "CAST(:months AS integer[]))"), {"ids": ids, "months": since})
    elif ids:
        session.execute(insert(scope), [{"account_id": a, "from_month": m}
                                        for a, m in zip(ids, since, strict=True)])
    variants = _variants(session, source)
    if variants and last > state.last_month:  # months added: the accounts with recent revenue
        revenue = table.c
        listed = select(scope.c.account_id).where(scope.c.account_id == revenue.account_id)
        session.execute(insert(scope).from_select(["account_id", "from_month"], select(
            revenue.account_id, literal(new_from, Integer)
        ).where(revenue.month >= new_from - lookback(variants), ~listed.exists()).distinct()))
    groups.group_new_accounts(session, scope.c.account_id)
    if last < state.last_month:  # no account has rows after the new last month
        session.execute(delete(account_windows).where(
            account_windows.c.month > last, _of_source(source)))
    if variants:
        _refresh_rows(session, table, scope, variants, last, recent_from)
    session.execute(text("DROP TABLE kpi_scope"))
    _save_state(session, first, last, source)


def _refresh_rows(
    session: Session, table: Table, scope: Table, variants: list[Variant], last: int,
    recent_from: int,
) -> None:
    """Recompute the rows of ``scope`` (all months of an account, or those from its
    ``from_month``) into a temporary table, then delete the stored rows that differ and
    insert the new ones: unchanged rows are not touched."""
    fresh = temporary_table(session, "kpi_fresh", COLUMNS, "account_id, variant, month")
    session.execute(text("ANALYZE kpi_scope"))  # both: the scope drives the joins below
    recent = scope.c.from_month >= recent_from
    older = or_(scope.c.from_month.is_(None), scope.c.from_month < recent_from)
    for rows, which in ((window_rows(variants, last, scope, recent_from, table), older),
                        (recent_rows(variants, last, scope, recent_from, table), recent)):
        if session.execute(select(scope.c.account_id).where(which).limit(1)).first():
            session.execute(insert(fresh).from_select(COLUMNS, rows))
    if _is_postgres(session):
        session.execute(text("ANALYZE kpi_fresh"))
    same = [fresh.c[c] == account_windows.c[c] for c in COLUMNS[:-1]]  # the bucket follows R(C)
    key = (account_windows.c.account_id, account_windows.c.variant, account_windows.c.month)
    stale = select(*key).select_from(  # by the index
        scope.join(account_windows, and_(
            account_windows.c.account_id == scope.c.account_id,
            account_windows.c.variant.in_([literal(v[0], Integer) for v in variants]),
            account_windows.c.month >= func.coalesce(scope.c.from_month, 0),
        ))
    ).where(~select(fresh.c.account_id).where(*same).exists())
    session.execute(delete(account_windows).where(tuple_(*key).in_(stale)))
    new = select(*(fresh.c[c] for c in COLUMNS)).where(
        ~select(account_windows.c.account_id).where(*same).exists()
    )
    session.execute(insert(account_windows).from_select(
        COLUMNS, new.order_by(*(fresh.c[c] for c in COLUMNS[:5]))
    ))
    session.execute(text("DROP TABLE kpi_fresh"))
