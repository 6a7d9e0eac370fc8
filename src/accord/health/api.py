"""REST API of the health score."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from accord.api.common import Caller, Db, problems
from accord.api.concurrency import IfMatch, set_etag
from accord.core import policy_store
from accord.core.schemas import Id, Segment
from accord.health import service
from accord.health.formulas import HealthPolicy
from accord.health.schemas import (
    HealthOut,
    HealthRow,
    HealthSettingsIn,
    HealthSettingsOut,
    RecomputeOut,
)
from accord.web.deps import today

router = APIRouter()
TAGS: list[str | Enum] = ["health"]
Today = Annotated[date, Depends(today)]


@router.get(
    "/accounts/{account_id}/health",
    tags=TAGS,
    response_model=HealthOut,
    responses=problems(404),
    summary="The live health score with its breakdown, the stored score and history",
)
def get_health(account_id: Id, db: Db, user: Caller, day: Today) -> HealthOut:
    return service.account_health(db, user, account_id, today=day)


@router.post(
    "/accounts/{account_id}/health/recompute",
    tags=TAGS,
    response_model=HealthOut,
    responses=problems(403, 404),
    summary="Store today's score of one account (a role that may change the account); audited",
)
def post_recompute_one(account_id: Id, db: Db, user: Caller, day: Today) -> HealthOut:
    return service.recompute_account(db, user, account_id, today=day)


@router.post(
    "/health/recompute",
    tags=TAGS,
    response_model=RecomputeOut,
    responses=problems(403),
    summary="Recompute and store every visible account's score (admins and heads)",
)
def post_recompute(db: Db, user: Caller, day: Today) -> RecomputeOut:
    return service.recompute_all(db, user, today=day)


@router.get(
    "/health",
    tags=TAGS,
    response_model=list[HealthRow],
    responses=problems(),
    summary="Stored scores of visible accounts, worst first",
)
def list_health(
    db: Db,
    user: Caller,
    band: Annotated[str, Query(max_length=20)] | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[HealthRow]:
    return service.list_health(db, user, band=band, limit=limit)


@router.get(
    "/health/settings",
    tags=TAGS,
    response_model=HealthSettingsOut,
    responses=problems(),
    summary="Health weights, thresholds, bands and cadence; per-segment overrides",
    description="`ETag` carries the version of the default settings.",
)
def get_settings(db: Db, user: Caller, response: Response) -> HealthSettingsOut:
    set_etag(response, policy_store.setting_version(db, service.DEFAULT_SETTING))
    return service.get_policies(db, user)


@router.put(
    "/health/settings",
    tags=TAGS,
    response_model=HealthPolicy,
    responses=problems(403, 409),
    summary="Change the default health settings (admins and heads)",
    description="With `If-Match` (the `ETag` of a read), a change made meanwhile is a 409.",
)
def put_settings(
    db: Db,
    user: Caller,
    body: HealthSettingsIn,
    response: Response,
    expected: IfMatch,
) -> HealthPolicy:
    out = service.update_policy(db, user, body.given(), expected=expected)
    set_etag(response, policy_store.setting_version(db, service.DEFAULT_SETTING))
    return out


@router.put(
    "/health/settings/segments/{segment}",
    tags=TAGS,
    response_model=HealthPolicy,
    responses=problems(403, 409),
    summary="Give a segment its own weights and thresholds",
    description="`ETag` carries the segment's version (0 before it has its own settings); "
    "with `If-Match`, a change made meanwhile is a 409.",
)
def put_segment_settings(
    segment: Segment,
    db: Db,
    user: Caller,
    body: HealthSettingsIn,
    response: Response,
    expected: IfMatch,
) -> HealthPolicy:
    out = service.update_policy(db, user, body.given(), segment=segment, expected=expected)
    set_etag(response, policy_store.setting_version(db, service.setting_name(segment)))
    return out


@router.delete(
    "/health/settings/segments/{segment}",
    tags=TAGS,
    status_code=204,
    responses=problems(403),
    summary="The segment follows the defaults again",
)
def delete_segment_settings(segment: Segment, db: Db, user: Caller) -> Response:
    service.delete_segment_policy(db, user, segment)
    return Response(status_code=204)
