"""REST API of opportunities and the weighted pipeline."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from accord.api.common import Caller, Db, IdPath, problems
from accord.api.concurrency import IfMatch, set_etag
from accord.core import policy_store
from accord.core.schemas import Id, PageNumber, Word
from accord.growth.opportunities import objectives, pipeline, service
from accord.growth.opportunities.rules import StagesPolicy
from accord.growth.opportunities.schemas import (
    OpportunityIn,
    OpportunityOut,
    OpportunityPage,
    OpportunityPatch,
    PipelineOut,
    StageMove,
    StagesSettings,
)
from accord.web.deps import today

router = APIRouter()
TAGS: list[str | Enum] = ["opportunities"]
Today = Annotated[date, Depends(today)]
ETAG = "`ETag` carries the opportunity's version, for `If-Match` on a later change."
FILTERS = ("`manager_id` (the account's manager), `segment`, `tier`, `kind`, `close_month` "
           "(`2027-03`, or `none` for no expected close); `stage`: `open` (the default), `all` "
           "or one stage.")


@router.get("/opportunities/settings", tags=TAGS, response_model=StagesPolicy,
            responses=problems(),
            summary="The stages setting: the default probability (per cent) of each open stage",
            description="`ETag` carries the setting's version (0 while the defaults apply).")
def get_stages(db: Db, user: Caller, response: Response) -> StagesPolicy:
    set_etag(response, policy_store.setting_version(db, service.POLICY_NAME))
    return service.stages_policy(db)


@router.put("/opportunities/settings", tags=TAGS, response_model=StagesPolicy,
            responses=problems(403, 409),
            summary="Change the stages' default probabilities (admins and heads)",
            description="Only the stages given change. With `If-Match`, a change made "
            "meanwhile is a 409.")
def put_stages(db: Db, user: Caller, body: StagesSettings, response: Response,
               expected: IfMatch) -> StagesPolicy:
    out = service.save_stages_policy(db, user, body.model_dump(), expected)
    set_etag(response, policy_store.setting_version(db, service.POLICY_NAME))
    return out


@router.get("/accounts/{account_id}/opportunities", tags=TAGS,
            response_model=list[OpportunityOut], responses=problems(404),
            summary="The account's opportunities (open ones first)")
def list_account_opportunities(account_id: IdPath, db: Db, user: Caller
                               ) -> list[OpportunityOut]:
    return service.account_opportunities(db, user, account_id)


@router.post("/accounts/{account_id}/opportunities", tags=TAGS, status_code=201,
             response_model=OpportunityOut, responses=problems(403, 404),
             summary="Add an opportunity to the account",
             description="`probability` defaults to the stage's (the stages setting). " + ETAG)
def create_opportunity(account_id: IdPath, body: OpportunityIn, db: Db, user: Caller,
                       day: Today, response: Response) -> OpportunityOut:
    out = service.create_opportunity(db, user, account_id, body, today=day)
    set_etag(response, out.version)
    response.headers["Location"] = f"/api/v1/opportunities/{out.id}"
    return out


@router.get("/opportunities", tags=TAGS, response_model=OpportunityPage, responses=problems(),
            summary="The opportunities on the accounts you see, filtered, sorted and paged",
            description=FILTERS + " `sort`: close, value, weighted, probability, stage, "
            "account or title (a leading `-` sorts descending).")
def list_opportunities(
    db: Db, user: Caller, manager_id: Id | None = None, segment: Word | None = None,
    tier: Word | None = None, stage: Word | None = None, kind: Word | None = None,
    close_month: Word | None = None, sort: Word = "close", page: PageNumber = 1,
    page_size: Annotated[int, Query(ge=1, le=pipeline.MAX_PAGE_SIZE)] = 50,
) -> OpportunityPage:
    f = pipeline.parse_filters(manager_id=manager_id, segment=segment, tier=tier, stage=stage,
                               kind=kind, close_month=close_month)
    return pipeline.opportunities(db, user, f, sort=sort, page=page, page_size=page_size)


@router.get("/opportunities/{opportunity_id}", tags=TAGS, response_model=OpportunityOut,
            responses=problems(404), summary="One opportunity", description=ETAG)
def get_opportunity(opportunity_id: IdPath, db: Db, user: Caller, response: Response
                    ) -> OpportunityOut:
    out = service.get_opportunity(db, user, opportunity_id)
    set_etag(response, out.version)
    return out


@router.patch("/opportunities/{opportunity_id}", tags=TAGS, response_model=OpportunityOut,
              responses=problems(403, 404, 409),
              summary="Change an opportunity (the fields given; the stage moves through /stage)",
              description="With `If-Match`, a change made meanwhile is a 409.")
def patch_opportunity(opportunity_id: IdPath, body: OpportunityPatch, db: Db, user: Caller,
                      day: Today, response: Response, expected: IfMatch) -> OpportunityOut:
    out = service.update_opportunity(db, user, opportunity_id, body, expected=expected,
                                     today=day)
    set_etag(response, out.version)
    return out


@router.post("/opportunities/{opportunity_id}/stage", tags=TAGS, response_model=OpportunityOut,
             responses=problems(403, 404, 409),
             summary="Move an opportunity to another stage",
             description="identified → qualified → proposed → negotiation → won | lost; "
             "`lost` needs a `reason`; won and lost close it today. The probability follows "
             "the stage's default unless given.")
def move_opportunity(opportunity_id: IdPath, body: StageMove, db: Db, user: Caller,
                     day: Today, response: Response, expected: IfMatch) -> OpportunityOut:
    out = service.move_opportunity(db, user, opportunity_id, body.stage, today=day,
                                   reason=body.reason, probability=body.probability,
                                   expected=expected)
    set_etag(response, out.version)
    return out


@router.put("/opportunities/{opportunity_id}/objectives/{objective_id}", tags=TAGS,
            status_code=204, responses=problems(403, 404),
            summary="List the opportunity under a manual objective of its account's plan",
            description="The objective's progress then counts the opportunity's value once "
            "it is won. Listing it again changes nothing.")
def link_objective(opportunity_id: IdPath, objective_id: IdPath, db: Db, user: Caller
                   ) -> Response:
    objectives.link_objective(db, user, opportunity_id, objective_id)
    return Response(status_code=204)


@router.delete("/opportunities/{opportunity_id}/objectives/{objective_id}", tags=TAGS,
               status_code=204, responses=problems(403, 404),
               summary="Take the opportunity off the objective's list")
def unlink_objective(opportunity_id: IdPath, objective_id: IdPath, db: Db, user: Caller
                     ) -> Response:
    objectives.unlink_objective(db, user, opportunity_id, objective_id)
    return Response(status_code=204)


@router.get("/pipeline", tags=TAGS, response_model=PipelineOut, responses=problems(),
            summary="The weighted pipeline by account, manager, segment or tier, with the "
            "forecast by month of expected close against the managers' targets",
            description="Open opportunities only. `by`: account, manager (the default), "
            "segment or tier. " + FILTERS)
def get_pipeline(
    db: Db, user: Caller, by: Word = "manager", manager_id: Id | None = None,
    segment: Word | None = None, tier: Word | None = None, stage: Word | None = None,
    kind: Word | None = None, close_month: Word | None = None,
) -> PipelineOut:
    f = pipeline.parse_filters(manager_id=manager_id, segment=segment, tier=tier, stage=stage,
                               kind=kind, close_month=close_month)
    return pipeline.pipeline(db, user, f, by=by)
