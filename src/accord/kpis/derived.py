"""Keeping ``kpi_account_windows`` in step with its sources and ``accounts`` (all SQL).

Two sources give an account's monthly revenue r_i(m) (``formulas.Source``): ``invoices``
(``monthly_revenue``, written by the revenue imports) and ``subscriptions`` (a table of the
same shape that a capability above registers, ``register_source``: the licences'
``subscription_mrr``). A window variant is a source, a window and a basis
(``variant_id``): the rows of both sources are kept side by side, each rebuilt when its own
inputs change, so a report of either source reads rows already there.

- ``refresh_after_import(session, account_ids, first_months)``: called by importers in
  their transaction after writing ``monthly_revenue``. Nothing before the first build (the
  first report builds); otherwise the accounts' rows of every held variant are recomputed
  in one statement (from each account's first changed month when the importer tells it) and
  only the rows that differ are written (new months: the other accounts get rows for those
  months only); a rebuild for very many accounts. Bumps the data version. The SQL of the
  rows is in ``windows.py``.
- ``rebuild(session)``: everything, one ``INSERT ... SELECT`` for all variants, secondary
  indexes built afterwards.
- ``ensure_fresh(session, newest_audit, newest_load)``: before a report (when nothing
  changed: a read of the state row and a probe of the group-change queue): builds the first
  time, folds in the revenue loads numbered after the last refresh (an importer without the
  hook: the accounts whose monthly rows carry a newer ``load_id``), re-synchronises the
  accounts queued by the group triggers (``groups.py``).
  ``watermarks(session)`` reads the newest audit entry and revenue load in one query.
- ``ensure_variant(session, window, basis, source)``: the variant id for a window, basis and
  source, built on first use (the policy's variant of each source built is always held; at
  most ``MAX_VARIANTS`` are kept).
- ``refresh_source(session, source, table, account_ids)``: the hook of a registered source
  (``licences.mrr.rebuild`` in the transaction that rewrote ``subscription_mrr``): its rows
  for those accounts (None: all), as ``refresh_after_import`` does for invoices; the first
  call builds the source's rows for every account.

A reader (a GET request's read-only session) never writes: when ``ensure_fresh`` or
``ensure_variant`` finds work to do, it is done by a single-flight job in its own writing
transaction, which the reader waits for (``core.single_flight``). Every writer of derived
rows holds ``groups.lock_derived`` (an advisory lock on PostgreSQL) until it commits.

This module is the door (the names above are importable from it); the full builds are in
``building.py``, the incremental refresh in ``refresh.py``, the rows' SQL in ``windows.py``.
"""
from __future__ import annotations

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from accord.core import single_flight
from accord.core.database import utcnow
from accord.core.models import AuditEntry
from accord.kpis import groups
from accord.kpis.building import (  # the public names stay importable from here
    FULL_REBUILD_ABOVE,
    MAX_VARIANTS,
    POLICY_ID,
    RECENT_MONTHS,
    SOURCE_BASE,
    SOURCE_SPAN,
    STATE_ID,
    STATE_IDS,
    _insert_rows,
    _newest_load,
    _policy_variant,
    _rebuild_source,
    _tune,
    _variants,
    account_windows,
    built_sources,
    monthly_revenue,
    rebuild,
    register_source,
    source_of,
    source_table,
    variant_id,
    window_variants,
)
from accord.kpis.formulas import Basis, Source
from accord.kpis.models import KpiState, KpiVariant
from accord.kpis.refresh import refresh_after_import, refresh_source
from accord.revenue.models import RevenueLoad

__all__ = [
    "FULL_REBUILD_ABOVE", "JOB", "MAX_VARIANTS", "POLICY_ID", "RECENT_MONTHS", "SOURCE_BASE",
    "SOURCE_SPAN", "STATE_ID", "STATE_IDS", "UNKNOWN", "built_sources", "ensure_fresh",
    "ensure_variant", "rebuild", "refresh_after_import", "refresh_source", "register_source",
    "source_of", "source_table", "variant_id", "watermarks",
]


def ensure_variant(
    session: Session, window: int, basis: Basis, source: Source = Source.INVOICES
) -> int:
    """The id of the rows for this window, basis and source, built on first use: in a
    writing transaction right there, for a reader (a GET) by a single-flight job, never in
    the reader's transaction (``core.single_flight``)."""
    vid = variant_id(window, basis, source)
    if session.get(KpiVariant, vid, populate_existing=True) is None:
        single_flight.bring_up_to_date(
            session, f"kpi_variant_{vid}",
            lambda writer: _build_variant(writer, window, basis, source))
    return vid


def _build_variant(session: Session, window: int, basis: Basis, source: Source) -> None:
    vid = variant_id(window, basis, source)
    groups.lock_derived(session)
    if session.get(KpiVariant, vid, populate_existing=True) is not None:
        return  # built meanwhile
    state = session.get(KpiState, STATE_IDS[source], populate_existing=True)
    kept = {_policy_variant(session, s)[0] for s in built_sources(session)}  # always held
    held = [v[0] for v in _variants(session) if v[0] not in kept]
    protected = sum(1 for v in _variants(session) if v[0] in kept)
    for old in held[: max(0, len(held) - (MAX_VARIANTS - 1 - max(protected, 1)))]:  # oldest
        session.execute(delete(account_windows).where(account_windows.c.variant == old))
        session.execute(delete(window_variants).where(window_variants.c.id == old))
    if state is not None and state.last_month is not None:
        _tune(session)
        # none, unless left over
        session.execute(delete(account_windows).where(account_windows.c.variant == vid))
        _insert_rows(session, source_table(source), [(vid, window, basis)], state.last_month)
    session.execute(insert(window_variants).values(
        id=vid, window_months=window, basis=basis.value, source=source.value, built_at=utcnow()))
    session.flush()


def watermarks(session: Session) -> tuple[int | None, int | None]:
    """The newest audit entry and the newest revenue load, in one round trip: what
    ``ensure_fresh`` compares with the state (and the report cache is keyed by)."""
    row = session.execute(select(
        select(func.max(AuditEntry.id)).scalar_subquery(),
        select(func.max(RevenueLoad.__table__.c.id)).scalar_subquery(),
    )).one()
    return row[0], row[1]


#: "not read yet" for ``newest_load`` (None means: no revenue load yet)
UNKNOWN = -1


def ensure_fresh(
    session: Session, newest_audit: int | None = None, newest_load: int | None = UNKNOWN,
    source: Source = Source.INVOICES,
) -> KpiState:
    """The current state of ``source``, after building the derived data the first time,
    folding in anything imported without the hook and re-synchronising the accounts whose
    group may have changed (queued by triggers, see ``groups.py``). Another source than
    invoices is built the first time it is asked for (after that, its writer's hook keeps
    it current: ``refresh_source``).

    ``newest_audit`` None: don't check the groups (any other value: check them);
    ``newest_load`` as ``watermarks`` gives it, read here when not given. When nothing
    changed this is a read of the state row and one probe of the (empty) queue.
    """
    state = session.get(KpiState, STATE_ID, populate_existing=True)  # as committed now
    newest = _newest_load(session) if newest_load == UNKNOWN else newest_load
    check_groups = newest_audit is not None
    if state is None or _loads_to_fold(state, newest) or (
        check_groups and groups.queued(session)
    ):
        single_flight.bring_up_to_date(session, JOB,
                                       lambda writer: _refresh(writer, check_groups))
        state = _reread_state(session)
    if source is Source.INVOICES:
        return state
    source_table(source)  # installed?
    other = session.get(KpiState, STATE_IDS[source], populate_existing=True)
    if other is None:
        single_flight.bring_up_to_date(session, f"{JOB}_{source.value}",
                                       lambda writer: _first_build(writer, source))
        session.flush()
        other = session.get(KpiState, STATE_IDS[source], populate_existing=True)
        assert other is not None
    return other


def _first_build(session: Session, source: Source) -> None:
    groups.lock_derived(session)
    if session.get(KpiState, STATE_IDS[source], populate_existing=True) is None:
        _rebuild_source(session, source)


#: the refresh job's name (its lock: every writer of derived rows takes it, ``lock_derived``)
JOB = groups.LOCK


def _loads_to_fold(state: KpiState, newest: int | None) -> bool:
    return newest is not None and (state.max_load_id is None or newest > state.max_load_id)


def _refresh(session: Session, check_groups: bool) -> None:
    """``ensure_fresh``'s work, in a writing transaction holding the lock: build the first
    time, fold in loads made without the hook, re-synchronise the queued groups (each only
    when still needed: another run may have done it meanwhile)."""
    groups.lock_derived(session)
    state = session.get(KpiState, STATE_ID, populate_existing=True)
    if state is None:
        rebuild(session)
        return
    newest = _newest_load(session)
    if _loads_to_fold(state, newest):
        # a load that did not call the hook: the accounts whose months it wrote
        q = select(monthly_revenue.c.account_id).distinct()
        if state.max_load_id is not None:
            q = q.where(monthly_revenue.c.load_id > state.max_load_id)
        refresh_after_import(session, list(session.scalars(q)))
    if check_groups and groups.sync_queued(session):  # every source's rows: a new version
        session.execute(update(KpiState).values(version=KpiState.version + 1))


def _reread_state(session: Session) -> KpiState:
    session.flush()
    state = session.get(KpiState, STATE_ID, populate_existing=True)
    assert state is not None
    return state
