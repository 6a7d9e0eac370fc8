"""The CRM user map: a CRM's user ids mapped to Accord users, so that an accounts import
whose owner column holds ids (Salesforce ``OwnerId``: ``005...``) places each account with
its manager (B12).

Imported from a CSV or Excel file (CLI ``accord import user-map FILE --source salesforce``,
``POST /api/v1/imports/user-map``, the import page; ``accord.exchange`` reads the file and
gives this module its rows) with two columns: the CRM user id
(``crm_user_id``, or ``Id`` / ``User ID`` / ``Owner ID`` as CRMs export users) and the
user's e-mail in Accord (``email``). A file with bad rows is rejected whole unless
``skip_invalid``; a mapping re-imported unchanged changes nothing; each new or changed
mapping is audited (entity ``crm_user_map``) and the import leaves a summary entry.
Admins and heads import it, as they import accounts.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.accounts.importing import FileRows, Outcome
from accord.core import audit
from accord.core.database import utcnow
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.models import CrmUserMap, Role, User
from accord.core.roles import require_role

MAX_ID = 100
#: the sources a map is kept for (Accord's own files name owners by e-mail or name)
SOURCES = ("salesforce", "hubspot")


def check_may_import(user: User, source: str) -> None:
    """Before the file is read: a map is kept for a CRM's ids, by an admin or a head."""
    if source not in SOURCES:
        raise ValidationFailed([FieldProblem("source", f"one of {', '.join(SOURCES)}")])
    require_role(user, Role.ADMIN, Role.HEAD)


def save_user_map(session: Session, user: User, file: FileRows) -> Outcome:
    """Map each row's CRM user id (``crm_user_id``) to the user of its ``email``; a row
    with a problem is left out and reported."""
    outcome = Outcome()
    wanted = [(at, v.get("crm_user_id") or "", (v.get("email") or "").lower())
              for at, v in file.rows]
    outcome.rows = len(wanted)
    users = {e.lower(): (uid, active) for uid, e, active in session.execute(
        select(User.id, User.email, User.is_active)
        .where(func.lower(User.email).in_(sorted({w[2] for w in wanted} - {""}))))}
    stored = dict(session.execute(
        select(CrmUserMap.crm_user_id, CrmUserMap.user_id)
        .where(CrmUserMap.source == file.source)).all())
    seen: dict[str, int] = {}
    for at, crm_id, email in wanted:
        problems = _problems(crm_id, email, seen, users)
        if problems:
            for column, reason in problems:
                outcome.problems.append((at, file.header.get(column) or column, reason))
            outcome.invalid_rows += 1
            continue
        seen[crm_id] = at
        _save(session, user, file.source, outcome, crm_id, users[email][0], stored.get(crm_id))
    session.flush()
    return outcome


def _problems(crm_id: str, email: str, seen: dict[str, int],
              users: dict[str, tuple[int, bool]]) -> list[tuple[str, str]]:
    problems = []
    if not crm_id:
        problems.append(("crm_user_id", "missing required field"))
    elif len(crm_id) > MAX_ID:
        problems.append(("crm_user_id", f"longer than {MAX_ID} characters"))
    elif crm_id in seen:
        problems.append(("crm_user_id", f"duplicate of row {seen[crm_id]}"))
    if not email:
        problems.append(("email", "missing required field"))
    elif email not in users or not users[email][1]:
        problems.append(("email", f"unknown user e-mail {email!r}"))
    return problems


def _save(session: Session, user: User, source: str, outcome: Outcome, crm_id: str,
          user_id: int, before: int | None) -> None:
    key = f"{source}:{crm_id}"
    if before == user_id:
        outcome.unchanged += 1
        return
    if before is None:
        session.add(CrmUserMap(source=source, crm_user_id=crm_id, user_id=user_id,
                               created_at=utcnow()))
        outcome.inserted += 1
        audit.record(session, user, "create", "crm_user_map", key, after={"user_id": user_id},
                     note="import")
        return
    row = session.get(CrmUserMap, (source, crm_id))
    assert row is not None
    row.user_id = user_id
    outcome.updated += 1
    audit.record(session, user, "update", "crm_user_map", key, before={"user_id": before},
                 after={"user_id": user_id}, note="import")
