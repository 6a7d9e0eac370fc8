"""Keeping ``kpi_account_windows`` in step with ``monthly_revenue`` and ``accounts`` (all SQL).

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
- ``ensure_variant(session, window, basis)``: the variant id for a window and basis, built on
  first use (the policy's variant is always held; at most ``MAX_VARIANTS`` are kept).

A reader (a GET request's read-only session) never writes: when ``ensure_fresh`` or
``ensure_variant`` finds work to do, it is done by a single-flight job in its own writing
transaction, which the reader waits for (``core.single_flight``). Every writer of derived
rows holds ``groups.lock_derived`` (an advisory lock on PostgreSQL) until it commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

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

from accord.core import single_flight
from accord.core.database import utcnow
from accord.core.models import AuditEntry
from accord.kpis import groups
from accord.kpis.formulas import Basis
from accord.kpis.models import (
    KpiAccountGroup,
    KpiAccountWindow,
    KpiPolicy,
    KpiState,
    KpiVariant,
    temporary_table,
)
from accord.kpis.windows import COLUMNS, Variant, lookback, recent_rows, window_rows
from accord.revenue.models import MonthlyRevenue, RevenueLoad

account_windows: Table = KpiAccountWindow.__table__  # type: ignore[assignment]
account_groups: Table = KpiAccountGroup.__table__  # type: ignore[assignment]
window_variants: Table = KpiVariant.__table__  # type: ignore[assignment]
monthly_revenue = MonthlyRevenue.__table__
STATE_ID = 1
POLICY_ID = 1
#: above this many accounts a full rebuild is cheaper than per-account refreshes
FULL_REBUILD_ABOVE = 20_000
#: window variants held at once (the policy's and the most recently built others)
MAX_VARIANTS = 4
#: accounts to refresh from one of the last this many months: rows from running totals
RECENT_MONTHS = 3


def variant_id(window: int, basis: Basis) -> int:
    return window * 2 + (1 if basis is Basis.POINT else 0)


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _insert_rows(session: Session, variants: list[Variant], last_month: int) -> None:
    """Every row of these variants, straight into ``kpi_account_windows``."""
    body = window_rows(variants, last_month, None).subquery("rows")
    # in primary-key order: SQLite appends to its B-tree, PostgreSQL's heap ends up clustered
    # by as-of month, so one month is a few thousand adjacent pages instead of every page
    ordered = select(*body.c).order_by(*(body.c[i] for i in range(5)))
    session.execute(insert(account_windows).from_select(COLUMNS, ordered))


# ---------------------------------------------------------------- variants and state


def _policy_variant(session: Session) -> Variant:
    row = session.get(KpiPolicy, POLICY_ID)
    window, basis = (12, Basis.TRAILING) if row is None else (row.window_months, Basis(row.basis))
    return variant_id(window, basis), window, basis


def _variants(session: Session) -> list[Variant]:
    variants = window_variants.c
    rows = session.execute(
        select(variants.id, variants.window_months, variants.basis).order_by(variants.id)
    )
    return [(r.id, r.window_months, Basis(r.basis)) for r in rows]


def _data_range(session: Session) -> tuple[int | None, int | None]:
    # two subqueries: SQLite answers a lone min() or max() from the index, both together
    # from a scan
    row = session.execute(select(
        select(func.min(monthly_revenue.c.month)).scalar_subquery(),
        select(func.max(monthly_revenue.c.month)).scalar_subquery(),
    )).one()
    return row[0], row[1]


def _newest_load(session: Session) -> int | None:
    return session.scalar(select(func.max(RevenueLoad.__table__.c.id)))


def _save_state(session: Session, first: int | None, last: int | None) -> None:
    values: dict[str, Any] = {
        "first_month": first, "last_month": last, "max_load_id": _newest_load(session),
        "refreshed_at": utcnow(),
    }
    bump = KpiState.version + 1
    done = session.execute(update(KpiState).where(KpiState.id == STATE_ID).values(
        version=bump, **values))
    if done.rowcount == 0:  # type: ignore[attr-defined]
        session.execute(insert(KpiState).values(id=STATE_ID, version=1, **values))


def _tune(session: Session) -> None:
    if _is_postgres(session):
        session.execute(text(
            "SELECT set_config('jit', 'off', true), set_config('work_mem', '256MB', true), "
            "set_config('random_page_cost', '1.1', true), "
            "set_config('maintenance_work_mem', '512MB', true)"
        ))


def rebuild(session: Session) -> None:
    """Recompute every derived row from ``monthly_revenue`` and ``accounts``."""
    groups.lock_derived(session)
    _tune(session)
    groups.clear_queue(session)  # first: a group change committed after this stays queued
    first, last = _data_range(session)
    groups.rebuild_groups(session)
    policy = _policy_variant(session)
    variants = {v[0]: v for v in _variants(session)}
    variants.setdefault(policy[0], policy)
    if _is_postgres(session):  # no dead rows left behind; fresh statistics for the plan
        session.execute(text("TRUNCATE kpi_account_windows"))
        session.execute(text("ANALYZE monthly_revenue"))
    else:
        session.execute(delete(account_windows))
    session.execute(delete(window_variants))
    conn = session.connection()
    for index in account_windows.indexes:  # build the secondary indexes once, after the insert
        index.drop(conn)
    if last is not None:
        _insert_rows(session, list(variants.values()), last)
    for index in account_windows.indexes:
        index.create(conn)
    session.execute(insert(window_variants), [
        {"id": vid, "window_months": w, "basis": b.value, "built_at": utcnow()}
        for vid, w, b in variants.values()
    ])
    _save_state(session, first, last)
    for table in ("kpi_account_windows", "kpi_account_groups", "kpi_groups"):
        session.execute(text(f"ANALYZE {table}"))


def ensure_variant(session: Session, window: int, basis: Basis) -> int:
    """The id of the rows for this window and basis, built on first use: in a writing
    transaction right there, for a reader (a GET) by a single-flight job, never in the
    reader's transaction (``core.single_flight``)."""
    vid = variant_id(window, basis)
    if session.get(KpiVariant, vid, populate_existing=True) is None:
        single_flight.bring_up_to_date(session, f"kpi_variant_{vid}",
                                       lambda writer: _build_variant(writer, window, basis))
    return vid


def _build_variant(session: Session, window: int, basis: Basis) -> None:
    vid = variant_id(window, basis)
    groups.lock_derived(session)
    if session.get(KpiVariant, vid, populate_existing=True) is not None:
        return  # built meanwhile
    state = session.get(KpiState, STATE_ID, populate_existing=True)
    policy_vid = _policy_variant(session)[0]
    held = [v[0] for v in _variants(session) if v[0] != policy_vid]
    for old in held[: max(0, len(held) - (MAX_VARIANTS - 2))]:  # oldest first
        session.execute(delete(account_windows).where(account_windows.c.variant == old))
        session.execute(delete(window_variants).where(window_variants.c.id == old))
    if state is not None and state.last_month is not None:
        _tune(session)
        # none, unless left over
        session.execute(delete(account_windows).where(account_windows.c.variant == vid))
        _insert_rows(session, [(vid, window, basis)], state.last_month)
    session.execute(insert(window_variants).values(id=vid, window_months=window, basis=basis.value,
                                                   built_at=utcnow()))
    session.flush()


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
    ids = sorted(set(account_ids))
    groups.lock_derived(session)
    state = session.get(KpiState, STATE_ID, populate_existing=True)
    if state is None:
        return
    first, last = _data_range(session)
    if state.last_month is None or last is None:
        rebuild(session)
        return
    new_from = state.last_month + 1 if last > state.last_month else last + 1
    # an account's rows from its first changed month on, and every account's added months
    since = [None if m is None else min(m, new_from)
             for m in (first_months.get(a) if first_months else None for a in ids)]
    recent_from = last - RECENT_MONTHS + 1
    if sum(1 for m in since if m is None or m < recent_from) > FULL_REBUILD_ABOVE:
        rebuild(session)
        return
    if not ids and last == state.last_month:
        # nothing to recompute (a load that changed no month): remember it all the same,
        # or every report would look for it again
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
    variants = _variants(session)
    if variants and last > state.last_month:  # months added: the accounts with recent revenue
        revenue = monthly_revenue.c
        listed = select(scope.c.account_id).where(scope.c.account_id == revenue.account_id)
        session.execute(insert(scope).from_select(["account_id", "from_month"], select(
            revenue.account_id, literal(new_from, Integer)
        ).where(revenue.month >= new_from - lookback(variants), ~listed.exists()).distinct()))
    groups.group_new_accounts(session, scope.c.account_id)
    if last < state.last_month:  # no account has rows after the new last month
        session.execute(delete(account_windows).where(account_windows.c.month > last))
    if variants:
        _refresh_rows(session, scope, variants, last, recent_from)
    session.execute(text("DROP TABLE kpi_scope"))
    _save_state(session, first, last)


def _refresh_rows(
    session: Session, scope: Table, variants: list[Variant], last: int, recent_from: int
) -> None:
    """Recompute the rows of ``scope`` (all months of an account, or those from its
    ``from_month``) into a temporary table, then delete the stored rows that differ and
    insert the new ones: unchanged rows are not touched."""
    fresh = temporary_table(session, "kpi_fresh", COLUMNS, "account_id, variant, month")
    session.execute(text("ANALYZE kpi_scope"))  # both: the scope drives the joins below
    recent = scope.c.from_month >= recent_from
    older = or_(scope.c.from_month.is_(None), scope.c.from_month < recent_from)
    for rows, which in ((window_rows(variants, last, scope, recent_from), older),
                        (recent_rows(variants, last, scope, recent_from), recent)):
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
    session: Session, newest_audit: int | None = None, newest_load: int | None = UNKNOWN
) -> KpiState:
    """The current state, after building the derived data the first time, folding in
    anything imported without the hook and re-synchronising the accounts whose group may
    have changed (queued by triggers, see ``groups.py``).

    ``newest_audit`` None: don't check the groups (any other value: check them);
    ``newest_load`` as ``watermarks`` gives it, read here when not given. When nothing
    changed this is a read of the state row and one probe of the (empty) queue.
    """
    state = session.get(KpiState, STATE_ID, populate_existing=True)  # as committed now
    newest = _newest_load(session) if newest_load == UNKNOWN else newest_load
    check_groups = newest_audit is not None
    if state is not None and not _loads_to_fold(state, newest) and not (
        check_groups and groups.queued(session)
    ):
        return state
    single_flight.bring_up_to_date(session, JOB, lambda writer: _refresh(writer, check_groups))
    return _reread_state(session)


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
    if check_groups and groups.sync_queued(session):
        session.execute(update(KpiState).where(KpiState.id == STATE_ID).values(
            version=KpiState.version + 1
        ))


def _reread_state(session: Session) -> KpiState:
    session.flush()
    state = session.get(KpiState, STATE_ID, populate_existing=True)
    assert state is not None
    return state
