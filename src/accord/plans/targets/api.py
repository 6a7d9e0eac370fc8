"""REST API of managers' targets: list with actuals, set one (create or replace), delete."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from accord.api.common import Caller, Db, IdPath, problems
from accord.api.concurrency import IfMatch, set_etag
from accord.core.schemas import Id, PageNumber
from accord.plans.targets import service
from accord.plans.targets.schemas import TargetIn, TargetOut, TargetPage
from accord.web.deps import today

router = APIRouter()
TAGS: list[str | Enum] = ["targets"]
Today = Annotated[date, Depends(today)]


@router.get(
    "/targets",
    tags=TAGS,
    response_model=TargetPage,
    responses=problems(404),
    summary="Targets with their actuals, attainment and status (yours; a head: the teams')",
    description="`period` keeps the targets within it (`2027` also lists 2027's quarters and "
    "months); `manager` (an e-mail) one manager's; `team_id` one team's.",
)
def list_targets(
    db: Db,
    user: Caller,
    day: Today,
    period: Annotated[str | None, Query(max_length=20)] = None,
    manager: Annotated[str | None, Query(max_length=254)] = None,
    team_id: Id | None = None,
    page: PageNumber = 1,
    page_size: Annotated[int, Query(ge=1, le=service.MAX_PAGE_SIZE)] = 50,
) -> TargetPage:
    return service.list_targets(db, user, period=period or None, manager=manager or None,
                                team_id=team_id, page=page, page_size=page_size, today=day)


@router.put(
    "/targets",
    tags=TAGS,
    response_model=TargetOut,
    responses=problems(403, 404, 409),
    summary="Set a manager's target for a period and metric (their head or an admin)",
    description="Creates the target, or replaces the value of the one already set for the "
    "same manager, period and metric (201 when created). With `If-Match` (the `ETag` of a "
    "read), a change made meanwhile is a 409.",
)
def put_target(
    body: TargetIn, db: Db, user: Caller, day: Today, response: Response, expected: IfMatch
) -> TargetOut:
    out, created = service.set_target(db, user, body, expected=expected, today=day)
    if created:
        response.status_code = 201
    set_etag(response, out.version)
    return out


@router.delete(
    "/targets/{target_id}",
    tags=TAGS,
    status_code=204,
    responses=problems(403, 404, 409),
    summary="Remove a target (the manager's head or an admin)",
)
def delete_target(target_id: IdPath, db: Db, user: Caller, expected: IfMatch) -> Response:
    service.delete_target(db, user, target_id, expected=expected)
    return Response(status_code=204)
