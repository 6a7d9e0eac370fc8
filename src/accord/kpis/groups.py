"""Each account's (manager, segment, tier) group, stored so reports never join for it.

``kpi_groups`` lists the groups (one id per distinct manager, segment and tier);
``kpi_account_groups`` maps each account to its group, and every derived row of
``kpi_account_windows`` carries that group id in its primary key, so one as-of month is read
already grouped.

The tier is the selection matrix's (``accord.selection.queries.tier_select``: the quadrant of
the latest scoring under the current cut lines, "not key" when deselected or never scored).
A group changes when an account's manager or segment changes, when it is scored again, when a
cut line (or any selection setting) changes, or when it is deselected or reselected. Triggers
on those tables (migration 0007) queue the account in ``kpi_group_changes`` in the writing
transaction (NULL for a settings change: every account); ``sync_queued`` takes exactly the
queued rows its transaction sees (``DELETE ... RETURNING``) and re-synchronises those
accounts. Nothing else (an interaction, a contact, a health assessment) queues anything, so
the report after such a write does no synchronisation; and a change that commits after a
report ran, whatever the numbering of its audit entry, is still queued for the next one.
A report read by a GET request does not drain the queue itself: ``derived.ensure_fresh``
has the single-flight refresh job do it in its own transaction (``core.single_flight``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    String,
    Table,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.core import single_flight
from accord.kpis.models import (
    KpiAccountGroup,
    KpiAccountWindow,
    KpiGroup,
    KpiGroupChange,
    KpiState,
)

account_windows: Table = KpiAccountWindow.__table__  # type: ignore[assignment]
kpi_groups: Table = KpiGroup.__table__  # type: ignore[assignment]
account_groups: Table = KpiAccountGroup.__table__  # type: ignore[assignment]
account_table: Table = Account.__table__  # type: ignore[assignment]
group_changes: Table = KpiGroupChange.__table__  # type: ignore[assignment]
_CHUNK = 500
#: above this many queued accounts one pass over every account is cheaper than a list
FULL_SYNC_ABOVE = 5_000


def chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start : start + _CHUNK])


def _accounts(session: Session) -> tuple[FromClause, ColumnElement[str]]:
    """``accounts`` with each account's tier: the FROM clause and the tier expression."""
    # imported here: the selection matrix is only needed when groups are (re)computed, not
    # by the refresh after an import of known accounts (module import time counts there)
    from accord.kpis.queries import NOT_KEY, account_tiers

    tiers = account_tiers(session)
    source = account_table.outerjoin(tiers, tiers.c.account_id == account_table.c.id)
    return source, func.coalesce(tiers.c.tier, literal(NOT_KEY))


def group_key(tier: ColumnElement[str]) -> ColumnElement[str]:
    """``tier|manager|segment`` as one string (NULL-safe: '-' for none, '=' before a segment)."""
    manager = case(
        (account_table.c.manager_id.is_(None), literal("-")),
        else_=cast(account_table.c.manager_id, String),
    )
    segment = case(
        (account_table.c.segment.is_(None), literal("-")),
        else_=literal("=") + account_table.c.segment,
    )
    return tier + literal("|") + manager + literal("|") + segment


def _add_missing_groups(session: Session, account_ids: list[int] | None) -> None:
    source, tier = _accounts(session)
    q = (
        select(
            group_key(tier).label("gkey"), account_table.c.manager_id, account_table.c.segment,
            tier.label("tier"),
        )
        .select_from(source)
        .distinct()
    )
    if account_ids is not None:
        q = q.where(account_table.c.id.in_(account_ids))
    wanted = {row.gkey: row for row in session.execute(q)}
    if not wanted:
        return
    known = set(session.scalars(
        select(kpi_groups.c.gkey).where(kpi_groups.c.gkey.in_(sorted(wanted)))
    ))
    missing = [wanted[k] for k in sorted(wanted) if k not in known]
    if missing:
        top = session.scalar(select(func.coalesce(func.max(kpi_groups.c.gid), 0))) or 0
        session.execute(insert(kpi_groups), [
            {"gid": top + i, "gkey": r.gkey, "manager_id": r.manager_id, "segment": r.segment,
             "tier": r.tier}
            for i, r in enumerate(missing, start=1)
        ])


def _group_of_accounts(session: Session, account_ids: list[int] | None) -> Any:
    """(account_id, gid) of the accounts' current groups."""
    source, tier = _accounts(session)
    q = select(account_table.c.id.label("account_id"), kpi_groups.c.gid).select_from(
        source.join(kpi_groups, kpi_groups.c.gkey == group_key(tier))
    )
    return q if account_ids is None else q.where(account_table.c.id.in_(account_ids))


def sync_groups(session: Session, account_ids: list[int] | None = None) -> list[int]:
    """Bring ``kpi_account_groups`` (and the gid of the derived rows) in line with the
    accounts and their tiers; returns the accounts whose group changed or that are gone
    (``account_ids`` None: check every account)."""
    _add_missing_groups(session, account_ids)
    current = _group_of_accounts(session, account_ids).subquery("current_groups")
    changed_q = select(current.c.account_id, current.c.gid).select_from(
        current.outerjoin(account_groups, account_groups.c.account_id == current.c.account_id)
    ).where(or_(account_groups.c.gid.is_(None), account_groups.c.gid != current.c.gid))
    changed = [(r.account_id, r.gid) for r in session.execute(changed_q)]
    # NOT EXISTS, not NOT IN: PostgreSQL turns it into an anti-join (NOT IN hashes every
    # account, 23 ms of 100,000, to check one)
    gone_q = select(account_groups.c.account_id).where(
        ~select(account_table.c.id).where(account_table.c.id == account_groups.c.account_id)
        .exists()
    )
    if account_ids is not None:
        gone_q = gone_q.where(account_groups.c.account_id.in_(account_ids))
    gone = list(session.scalars(gone_q))
    for chunk in chunks(sorted(gone)):  # deleted accounts
        session.execute(delete(account_windows).where(account_windows.c.account_id.in_(chunk)))
        session.execute(delete(account_groups).where(account_groups.c.account_id.in_(chunk)))
    if not changed:
        return gone
    ids = sorted(a for a, _ in changed)
    for chunk in chunks(ids):
        session.execute(delete(account_groups).where(account_groups.c.account_id.in_(chunk)))
    session.execute(insert(account_groups), [{"account_id": a, "gid": g} for a, g in changed])
    by_gid: dict[int, list[int]] = {}
    for account, gid in changed:
        by_gid.setdefault(gid, []).append(account)
    for gid, accounts in by_gid.items():
        for chunk in chunks(sorted(accounts)):
            session.execute(update(account_windows)
                            .where(account_windows.c.account_id.in_(chunk)).values(gid=gid))
    return ids + gone


def group_new_accounts(session: Session, account_ids: ColumnElement[int]) -> None:
    """Group those of these accounts that have no group yet (an import's new accounts). The
    others keep theirs: a queued change of their group is applied to all their rows, those
    written meanwhile included, by the next synchronisation."""
    grouped = select(account_groups.c.account_id).where(account_groups.c.account_id == account_ids)
    new = list(session.scalars(select(account_ids).where(~grouped.exists())))
    if new:
        sync_groups(session, new)


def rebuild_groups(session: Session) -> None:
    session.execute(delete(account_groups))
    _add_missing_groups(session, None)
    session.execute(
        insert(account_groups).from_select(["account_id", "gid"], _group_of_accounts(session, None))
    )


#: the lock every writer of derived KPI rows holds until it commits
LOCK = "kpi_derived"


def lock_derived(session: Session) -> None:
    """Hold the derived rows' lock until commit (PostgreSQL: an advisory lock, held even
    before the state row exists, and the state row; SQLite has one writer at a time). Every
    writer of derived rows takes this lock first: a refresh, a rebuild, a new window variant
    and a group synchronisation. A refresh computes rows with the stored group of each
    account, so a synchronisation committing meanwhile would otherwise leave them behind.
    Readers never take it: they never write (``derived.ensure_fresh``)."""
    single_flight.lock(session, LOCK)
    session.execute(select(KpiState.id).where(KpiState.id == 1).with_for_update())


def queued(session: Session) -> bool:
    """Is any group change queued (visible to this transaction)? One index probe."""
    return session.execute(select(group_changes.c.id).limit(1)).first() is not None


def clear_queue(session: Session) -> None:
    """Forget the queued changes this transaction sees (before a rebuild of every group:
    a change committed after this statement stays queued)."""
    session.execute(delete(group_changes))


def sync_queued(session: Session) -> list[int] | None:
    """Re-synchronise the queued accounts; returns those whose group changed or that are
    gone, None when nothing was queued. The rows are deleted before the accounts are read,
    so every change they stand for is visible to the synchronisation (READ COMMITTED takes a
    new snapshot per statement), and a concurrent synchronisation of the same rows waits for
    this one and then finds them gone."""
    if not queued(session):
        return None
    lock_derived(session)
    taken = list(session.scalars(delete(group_changes).returning(group_changes.c.account_id)))
    if not taken:
        return None
    ids = sorted({a for a in taken if a is not None})
    everything = None in taken or len(ids) > FULL_SYNC_ABOVE
    return sync_groups(session, None if everything else ids)
