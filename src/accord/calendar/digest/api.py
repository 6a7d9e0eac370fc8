"""REST API of the daily digest: send today's digests now, or see what would be sent."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from accord.api.common import Caller, Db, problems
from accord.calendar.digest import service
from accord.calendar.digest.schemas import DigestReport, DigestSendIn
from accord.core.models import Role
from accord.core.roles import require_role
from accord.web.deps import today

router = APIRouter()
TAGS: list[str | Enum] = ["jobs"]


@router.post("/digest/send", tags=TAGS, response_model=DigestReport,
             responses=problems(403, 409),
             summary="Send today's digests (admins)",
             description="Each user's My day by mail, once a day at most (a user sent or "
             "skipped today gets nothing more: `already`); an empty day is `skipped`. "
             "`dry_run`: the report of what would be sent, nothing sent or recorded. `to`: "
             "only that user (422 for an e-mail no active user has). 409 when no mail server "
             "is set (`ACCORD_SMTP_HOST`). See docs/jobs.md.")
def send(request: Request, body: DigestSendIn, db: Db, user: Caller,
         day: Annotated[date, Depends(today)]) -> DigestReport:
    require_role(user, Role.ADMIN)
    # each digest is recorded in a transaction of its own before its mail goes out: the
    # request's own transaction (the caller's look-up) ends first, so they may write (SQLite)
    db.commit()
    return service.send_as(request.app.state.sessions, user, request.app.state.settings,
                           day, dry_run=body.dry_run, to=body.to)
