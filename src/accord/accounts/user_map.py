"""The CRM user map: a CRM's user ids mapped to Accord users, so that an accounts import
whose owner column holds ids (Salesforce ``OwnerId``: ``005...``) places each account with
its manager (B12).

Imported from a CSV or Excel file (CLI ``accord import user-map FILE --source salesforce``,
``POST /api/v1/imports/user-map``, the import page) with two columns: the CRM user id
(``crm_user_id``, or ``Id`` / ``User ID`` / ``Owner ID`` as CRMs export users) and the
user's e-mail in Accord (``email``). A file with bad rows is rejected whole unless
``skip_invalid``; a mapping re-imported unchanged changes nothing; each new or changed
mapping is audited (entity ``crm_user_map``) and the import leaves a summary entry.
Admins and heads import it, as they import accounts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.core import audit
from accord.core.database import utcnow
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.models import CrmUserMap, Role, User
from accord.core.roles import require_role
from accord.revenue.load.columns import normalise_header
from accord.revenue.load.importing import load_file
from accord.revenue.load.readers import Table
from accord.revenue.schemas import ImportSource, UserMapReport

ID_HEADERS = ("crm_user_id", "id", "user id", "userid", "owner id", "ownerid",
              "hubspot owner id")
EMAIL_HEADERS = ("email", "e-mail", "user email", "owner email")
MAX_ID = 100
#: the sources a map is kept for (Accord's own files name owners by e-mail or name)
SOURCES = (ImportSource.SALESFORCE.value, ImportSource.HUBSPOT.value)


def import_user_map(
    session: Session, user: User, file: str | Path | IO[bytes], *, filename: str | None = None,
    source: str, dry_run: bool = False, skip_invalid: bool = False,
) -> UserMapReport:
    if source not in SOURCES:
        raise ValidationFailed([FieldProblem("source", f"one of {', '.join(SOURCES)}")])
    require_role(user, Role.ADMIN, Role.HEAD)
    name = filename or (Path(file).name if isinstance(file, (str, Path)) else "upload")
    report = UserMapReport(source=ImportSource(source), file=name, dry_run=dry_run,
                           skip_invalid=skip_invalid)

    def load(table: Table) -> bool:
        _load(session, user, table.header, table.rows, table.line, report)
        return True

    return load_file(session, user, file, name, report, load,
                     note=f"CRM user map ({source}) from {name}")


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    found = {normalise_header(h): i for i, h in reversed(list(enumerate(header)))}
    return next((found[n] for n in names if n in found), None)


def _load(session: Session, user: User, header: list[str], rows: Iterator[list[str]],
          line: Callable[[], int], report: UserMapReport) -> None:
    id_col, email_col = _column(header, ID_HEADERS), _column(header, EMAIL_HEADERS)
    if id_col is None or email_col is None:
        for missing, col in (("crm_user_id", id_col), ("email", email_col)):
            if col is None:
                report.add_problem(1, missing, "missing required column")
        report.invalid_rows += 1
        report.status = "rejected"
        return
    wanted: list[tuple[int, str, str]] = []
    for rec in rows:
        cells = [c.strip() for c in rec]
        if not any(cells):
            continue
        report.rows += 1
        at = line()
        crm_id = cells[id_col] if id_col < len(cells) else ""
        email = (cells[email_col] if email_col < len(cells) else "").lower()
        wanted.append((at, crm_id, email))
    users = {e.lower(): (uid, active) for uid, e, active in session.execute(
        select(User.id, User.email, User.is_active)
        .where(func.lower(User.email).in_(sorted({w[2] for w in wanted} - {""}))))}
    stored = dict(session.execute(
        select(CrmUserMap.crm_user_id, CrmUserMap.user_id)
        .where(CrmUserMap.source == report.source.value)).all())
    seen: dict[str, int] = {}
    for at, crm_id, email in wanted:
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
        if problems:
            for column, reason in problems:
                report.add_problem(at, header[id_col if column == "crm_user_id" else email_col]
                                   .strip() or column, reason)
            report.invalid_rows += 1
            continue
        seen[crm_id] = at
        _save(session, user, report, crm_id, users[email][0], stored.get(crm_id))
    session.flush()


def _save(session: Session, user: User, report: UserMapReport, crm_id: str, user_id: int,
          before: int | None) -> None:
    key = f"{report.source.value}:{crm_id}"
    if before == user_id:
        report.unchanged += 1
        return
    if before is None:
        session.add(CrmUserMap(source=report.source.value, crm_user_id=crm_id, user_id=user_id,
                               created_at=utcnow()))
        report.inserted += 1
        audit.record(session, user, "create", "crm_user_map", key, after={"user_id": user_id},
                     note="import")
        return
    row = session.get(CrmUserMap, (report.source.value, crm_id))
    assert row is not None
    row.user_id = user_id
    report.updated += 1
    audit.record(session, user, "update", "crm_user_map", key, before={"user_id": before},
                 after={"user_id": user_id}, note="import")
