"""REST API of the contact cadence: the policy (read by all, changed by admins with
If-Match), an account's cadence and its override, and the coverage KPI."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Query, Response

from accord.api.common import Caller, CallerToday, Db, problems
from accord.api.concurrency import IfMatch, set_etag
from accord.calendar.cadence import service
from accord.calendar.cadence.rules import CadencePolicy
from accord.calendar.cadence.schemas import (
    AccountCadenceOut,
    CadenceSettingsIn,
    CoverageBy,
    CoverageOut,
    OverrideIn,
)
from accord.calendar.cadence.settings import version
from accord.core.schemas import Id

router = APIRouter()
TAGS: list[str | Enum] = ["cadence"]
Today = CallerToday  # the caller's own date (their time zone)


@router.get(
    "/cadence/settings",
    tags=TAGS,
    response_model=CadencePolicy,
    responses=problems(),
    summary="Touch and business-review intervals per tier (and tier × stage), state ratios",
    description="`ETag` carries the version (0 while the defaults apply).",
)
def get_settings(db: Db, user: Caller, response: Response) -> CadencePolicy:
    set_etag(response, version(db))
    return service.get_policy(db, user)


@router.put(
    "/cadence/settings",
    tags=TAGS,
    response_model=CadencePolicy,
    responses=problems(403, 409),
    summary="Change the cadence policy (admins); only the fields given change",
    description="With `If-Match` (the `ETag` of a read), a change made meanwhile is a 409. "
    "An interval of 0 is refused (null: none).",
)
def put_settings(
    db: Db, user: Caller, body: CadenceSettingsIn, response: Response, expected: IfMatch
) -> CadencePolicy:
    out = service.update_policy(db, user, body.given(), expected=expected)
    set_etag(response, version(db))
    return out


@router.get(
    "/accounts/{account_id}/cadence",
    tags=TAGS,
    response_model=AccountCadenceOut,
    responses=problems(404),
    summary="The account's touch interval, where it comes from, last qualifying touch, "
    "next due and state",
)
def get_account_cadence(account_id: Id, db: Db, user: Caller, day: Today) -> AccountCadenceOut:
    return service.account_cadence(db, user, account_id, day)


@router.put(
    "/accounts/{account_id}/cadence/override",
    tags=TAGS,
    response_model=AccountCadenceOut,
    responses=problems(403, 404),
    summary="Give the account its own cadence, with the reason (touch_days null: reports only)",
)
def put_override(
    account_id: Id, db: Db, user: Caller, body: OverrideIn, day: Today
) -> AccountCadenceOut:
    return service.set_override(db, user, account_id, body, day)


@router.delete(
    "/accounts/{account_id}/cadence/override",
    tags=TAGS,
    status_code=204,
    responses=problems(403, 404),
    summary="The account follows the cadence policy again",
)
def delete_override(account_id: Id, db: Db, user: Caller, day: Today) -> Response:
    service.clear_override(db, user, account_id, day)
    return Response(status_code=204)


@router.get(
    "/kpis/coverage",
    tags=TAGS,
    response_model=CoverageOut,
    responses=problems(),
    summary="Coverage: share of visible key accounts touched within their interval",
    description="Key accounts: tier not \"not key\", individual clients left out; those "
    "without a touch interval (reports only) are left out of the denominator.",
)
def get_coverage(
    db: Db, user: Caller, day: Today,
    by: Annotated[CoverageBy | None, Query()] = None,
) -> CoverageOut:
    return service.coverage(db, user, day, by)
