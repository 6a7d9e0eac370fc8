"""REST API of relationship stages and decisions."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated

from annotated_types import Len
from fastapi import APIRouter, Depends, Query, Response

from accord.api.common import Caller, Db, problems
from accord.api.concurrency import IfMatch, set_etag
from accord.core import policy_store
from accord.core.schemas import MAX_ID, Id, SearchText, Word
from accord.relationships import decisions as decision_service
from accord.relationships import service
from accord.relationships.decisions import DecisionFilter
from accord.relationships.rubric import StagePolicy
from accord.relationships.schemas import (
    AssessmentIn,
    DecisionPage,
    OverrideIn,
    StageOut,
    StageSettingsIn,
)
from accord.web.deps import today

Criterion = Annotated[str, Len(1, 40)]  # stage_overrides.criterion
router = APIRouter()
TAGS: list[str | Enum] = ["relationship stages"]
DECISION_TAGS: list[str | Enum] = ["decisions"]
Today = Annotated[date, Depends(today)]


@router.get(
    "/accounts/{account_id}/stage",
    tags=TAGS,
    response_model=StageOut,
    responses=problems(404),
    summary="The six-criterion rubric with evidence, suggested and recorded stage, "
    "history and the stage × potential decision",
)
def get_stage(account_id: Id, db: Db, user: Caller, day: Today) -> StageOut:
    return service.stage_view(db, user, account_id, today=day)


@router.post(
    "/accounts/{account_id}/stage-assessments",
    tags=TAGS,
    response_model=StageOut,
    status_code=201,
    responses=problems(403, 404),
    summary="Record the stage (the suggested one unless `stage` is given, with a "
    "comment saying why)",
)
def post_assessment(
    account_id: Id, body: AssessmentIn, db: Db, user: Caller, day: Today
) -> StageOut:
    return service.record_stage(db, user, account_id, body, today=day)


@router.put(
    "/accounts/{account_id}/stage-overrides/{criterion}",
    tags=TAGS,
    response_model=StageOut,
    responses=problems(403, 404),
    summary="Override one criterion's score (1–4) with a reason",
)
def put_override(
    account_id: Id, criterion: Criterion, body: OverrideIn, db: Db, user: Caller, day: Today
) -> StageOut:
    return service.set_override(db, user, account_id, criterion, body, today=day)


@router.delete(
    "/accounts/{account_id}/stage-overrides/{criterion}",
    tags=TAGS,
    response_model=StageOut,
    responses=problems(403, 404),
    summary="Remove an override: the evidence counts again",
)
def delete_override(
    account_id: Id, criterion: Criterion, db: Db, user: Caller, day: Today
) -> StageOut:
    return service.clear_override(db, user, account_id, criterion, today=day)


@router.get(
    "/stages/settings",
    tags=TAGS,
    response_model=StagePolicy,
    responses=problems(),
    summary="Rubric thresholds, stage bands and the stage × potential table",
)
def get_settings(db: Db, user: Caller, response: Response) -> StagePolicy:
    set_etag(response, policy_store.setting_version(db, service.STAGES_SETTING))
    return service.get_policy(db, user)


@router.put(
    "/stages/settings",
    tags=TAGS,
    response_model=StagePolicy,
    responses=problems(403, 409),
    summary="Change stage settings (admins and heads; only the fields given)",
    description="With `If-Match` (the `ETag` of a read), a change made meanwhile is a 409.",
)
def put_settings(
    db: Db,
    user: Caller,
    body: StageSettingsIn,
    response: Response,
    expected: IfMatch,
) -> StagePolicy:
    out = service.update_policy(db, user, body.given(), expected)
    set_etag(response, policy_store.setting_version(db, service.STAGES_SETTING))
    return out


@router.get(
    "/decisions",
    tags=DECISION_TAGS,
    response_model=DecisionPage,
    responses=problems(),
    summary="Every key or large account with tier, potential, stage, decision, health",
)
def get_decisions(
    db: Db,
    user: Caller,
    day: Today,
    sort: Annotated[
        Word, Query(description="One of: " + ", ".join(decision_service.SORTS))
    ] = "name",
    page: Annotated[int, Query(ge=1, le=MAX_ID)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
    q: SearchText | None = None,
    tier: Word | None = None,
    decision: Word | None = None,
    stage: Word | None = None,
    potential: Word | None = None,
    segment: Word | None = None,
    manager_id: Id | None = None,
    band: Word | None = None,
    flag: Word | None = None,
) -> DecisionPage:
    flt = DecisionFilter(
        q=q,
        tier=tier,
        decision=decision,
        stage=stage,
        potential=potential,
        segment=segment,
        manager_id=manager_id,
        band=band,
        flag=flag,
    )
    return decision_service.list_decisions(
        db, user, today=day, flt=flt, sort=sort, page=page, page_size=page_size
    )
