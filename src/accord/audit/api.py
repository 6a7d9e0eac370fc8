"""REST API of the audit log: ``GET /audit`` (a page) and ``GET /audit/export.csv``."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from accord.api.common import Caller, Db, IdQuery, problems
from accord.audit import service
from accord.audit.schemas import AuditFilter, AuditPage
from accord.core.errors import FieldProblem, ValidationFailed

router = APIRouter()
TAGS: list[str | Enum] = ["audit"]
#: entry ids are 64-bit on PostgreSQL
Cursor = Annotated[int | None, Query(ge=1, le=2**63 - 1)]


def audit_filter(
    actor: Annotated[str | None, Query(max_length=254, description="The actor's e-mail")] = None,
    entity: Annotated[
        str | None, Query(max_length=60, description="account, contact, user, ...")
    ] = None,
    entity_id: Annotated[str | None, Query(max_length=60)] = None,
    account_id: IdQuery = None,
    action: Annotated[
        str | None, Query(max_length=40, description="create, update, delete, ...")
    ] = None,
    since: Annotated[date | None, Query(description="From this day (UTC)")] = None,
    until: Annotated[date | None, Query(description="To this day, included (UTC)")] = None,
) -> AuditFilter:
    if since and until and since > until:
        raise ValidationFailed([FieldProblem("since", "must not be after until")])
    return AuditFilter(
        actor=actor,
        entity=entity,
        entity_id=entity_id,
        account_id=account_id,
        action=action,
        since=since,
        until=until,
    )


Filter = Annotated[AuditFilter, Depends(audit_filter)]


@router.get(
    "/audit",
    tags=TAGS,
    summary="Audit entries, newest first (admins: all; heads: their teams' accounts and users)",
    description="Keyset pages: `older` of a page is the `before` of the next one, `newer` "
    "the `after` of the previous one. `account_id` gives every entry about one account "
    "(its contacts, interactions, scorings...).",
    response_model=AuditPage,
    responses=problems(403),
)
def list_audit(
    db: Db,
    user: Caller,
    flt: Filter,
    before: Cursor = None,
    after: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_LIMIT)] = service.DEFAULT_LIMIT,
) -> AuditPage:
    return service.list_entries(db, user, flt, before=before, after=after, limit=limit)


@router.get(
    "/audit/export.csv",
    tags=TAGS,
    summary="Every matching audit entry as CSV (the same filters)",
    response_class=Response,
    responses={
        200: {"content": {"text/csv": {}}, "description": "The entries, newest first"},
        **problems(403),
    },
)
def export_audit(db: Db, user: Caller, flt: Filter) -> Response:
    return Response(
        service.export_csv(db, user, flt),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )
