"""Reading the audit log: filtered, newest first, a page at a time or all of it as CSV.

Who reads what:

- an admin (and the command line's operator) reads every entry;
- a head reads the entries about the accounts they see (an account, its team, contacts,
  interactions, scorings, health... every entry whose ``account_id`` names one of them), about
  the users in the teams they head and those teams, and their own actions;
- every other role is refused (403): the log is an oversight tool; a manager's account page
  already shows its timeline.

Pages are keyset pages on the entry id (``before`` an id for older entries, ``after`` one for
newer), so a page costs the same at the start and the end of a long log.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, String, and_, cast, false, or_, select, true
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.accounts.visibility import visible_accounts
from accord.audit.schemas import AuditEntryOut, AuditFilter, AuditPage
from accord.core.cells import neutralise
from accord.core.errors import FieldProblem, Forbidden, ValidationFailed
from accord.core.models import AuditEntry, Role, Team, User

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
#: an export of more entries than this asks for narrower filters
EXPORT_MAX = 100_000
CSV_COLUMNS = (
    "id",
    "at",
    "actor",
    "action",
    "entity",
    "entity_id",
    "account_id",
    "before",
    "after",
    "note",
)


def can_read(user: User) -> bool:
    """Admins and heads read (part of) the log."""
    return user.is_active is not False and user.role in (Role.ADMIN, Role.HEAD)


def readable(user: User) -> ColumnElement[bool]:
    """The entries ``user`` may read, as a condition over ``audit_log``."""
    if not can_read(user):
        raise Forbidden("the audit log is for admins and heads")
    if user.role == Role.ADMIN:
        return true()
    teams = select(Team.id).where(Team.head_id == user.id)
    team_ids = select(cast(Team.id, String)).where(Team.head_id == user.id)
    return or_(
        AuditEntry.account_id.in_(select(Account.id).where(visible_accounts(user))),
        and_(
            AuditEntry.entity == "user",
            AuditEntry.entity_id.in_(
                select(cast(User.id, String)).where(User.team_id.in_(teams))
            ),
        ),
        and_(AuditEntry.entity == "team", AuditEntry.entity_id.in_(team_ids)),
        AuditEntry.actor_id == user.id if user.id is not None else false(),
    )


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def matching(flt: AuditFilter) -> list[ColumnElement[bool]]:
    """The filter as conditions (exact values; the actor's e-mail in any case)."""
    conditions: list[ColumnElement[bool]] = []
    if flt.actor:
        conditions.append(AuditEntry.actor.in_(sorted({flt.actor, flt.actor.lower()})))
    if flt.entity:
        conditions.append(AuditEntry.entity == flt.entity)
    if flt.entity_id:
        conditions.append(AuditEntry.entity_id == flt.entity_id)
    if flt.account_id:
        conditions.append(AuditEntry.account_id == flt.account_id)
    if flt.action:
        conditions.append(AuditEntry.action == flt.action)
    if flt.since:
        conditions.append(AuditEntry.at >= _start_of(flt.since))
    if flt.until:
        conditions.append(AuditEntry.at < _start_of(flt.until + timedelta(days=1)))
    return conditions


def entry_out(entry: AuditEntry) -> AuditEntryOut:
    return AuditEntryOut(
        id=entry.id,
        at=entry.at,
        actor=entry.actor,
        actor_id=entry.actor_id,
        action=entry.action,
        entity=entry.entity,
        entity_id=entry.entity_id,
        account_id=entry.account_id,
        before=entry.before,
        after=entry.after,
        note=entry.note,
    )


def list_entries(
    session: Session,
    user: User,
    flt: AuditFilter,
    *,
    before: int | None = None,
    after: int | None = None,
    limit: int = DEFAULT_LIMIT,
) -> AuditPage:
    """One page of the entries ``user`` may read that match ``flt``, newest first."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed([FieldProblem("limit", f"between 1 and {MAX_LIMIT}")])
    if before is not None and after is not None:
        raise ValidationFailed([FieldProblem("after", "give before or after, not both")])
    base = select(AuditEntry).where(readable(user), *matching(flt))
    if after is not None:  # the page just newer than ``after``: read upwards, then turn round
        rows = list(
            session.scalars(
                base.where(AuditEntry.id > after).order_by(AuditEntry.id).limit(limit + 1)
            )
        )
        has_newer = len(rows) > limit
        rows = rows[:limit][::-1]
        has_older = bool(rows) or _exists(session, base, AuditEntry.id <= after)
    else:
        query = base if before is None else base.where(AuditEntry.id < before)
        rows = list(session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit + 1)))
        has_older = len(rows) > limit
        rows = rows[:limit]
        has_newer = before is not None and _exists(
            session, base, AuditEntry.id >= (rows[0].id if rows else before)
        )
    return AuditPage(
        items=[entry_out(e) for e in rows],
        limit=limit,
        older=rows[-1].id if rows and has_older else None,
        newer=rows[0].id if rows and has_newer else None,
    )


def _exists(session: Session, base: object, condition: ColumnElement[bool]) -> bool:
    query = base.where(condition).with_only_columns(AuditEntry.id).limit(1)  # type: ignore[attr-defined]
    return session.scalar(query) is not None


def iter_entries(session: Session, user: User, flt: AuditFilter) -> Iterator[AuditEntryOut]:
    """Every entry ``user`` may read that matches ``flt``, newest first (for exports)."""
    query = (
        select(AuditEntry)
        .where(readable(user), *matching(flt))
        .order_by(AuditEntry.id.desc())
        .limit(EXPORT_MAX + 1)
        .execution_options(yield_per=1000)
    )
    for count, entry in enumerate(session.scalars(query), start=1):
        if count > EXPORT_MAX:
            raise ValidationFailed(
                [FieldProblem("filter", f"more than {EXPORT_MAX} entries: narrow the filters")]
            )
        yield entry_out(entry)


def csv_row(entry: AuditEntryOut) -> list[object]:
    """One entry as CSV cells: text that would start a formula neutralised (``core.cells``)."""

    def data(value: dict[str, object] | None) -> str:
        return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)

    cells: list[object] = [
        entry.id,
        entry.at.astimezone(UTC).isoformat(),
        entry.actor,
        entry.action,
        entry.entity,
        entry.entity_id or "",
        "" if entry.account_id is None else entry.account_id,
        data(entry.before),
        data(entry.after),
        entry.note or "",
    ]
    return [neutralise(c) for c in cells]


def export_csv(session: Session, user: User, flt: AuditFilter) -> str:
    """The matching entries as one CSV document (a header row, then newest first)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in iter_entries(session, user, flt):
        writer.writerow(csv_row(entry))
    return out.getvalue()
