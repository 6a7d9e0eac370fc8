"""REST API of proposals (list, create from opportunities, read any version, edit, send,
accept, decline) and of the company settings (name, currency, logo)."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, ConfigDict, Field

from accord.api.common import Caller, Db, IdPath, problems
from accord.api.concurrency import IfMatch, set_etag
from accord.core.company import MAX_LOGO_CHARS, CompanyPolicy
from accord.core.schemas import Id
from accord.proposals import company, service
from accord.proposals.schemas import ProposalEdit, ProposalIn, ProposalOut, ProposalPage
from accord.web.deps import today

router = APIRouter()
TAGS: list[str | Enum] = ["proposals"]
Today = Annotated[date, Depends(today)]
ETAG = "`ETag` carries the proposal's version, for `If-Match` on a later change."


@router.get("/proposals", tags=TAGS, response_model=ProposalPage, responses=problems(),
            summary="The proposals of the accounts you see, newest first (at most 500)")
def list_all(db: Db, user: Caller, day: Today) -> ProposalPage:
    return service.list_proposals(db, user, today=day)


@router.get("/accounts/{account_id}/proposals", tags=TAGS, response_model=ProposalPage,
            responses=problems(404), summary="An account's proposals, newest first")
def list_for_account(account_id: IdPath, db: Db, user: Caller, day: Today) -> ProposalPage:
    return service.list_proposals(db, user, account_id=account_id, today=day)


@router.post(
    "/accounts/{account_id}/proposals", tags=TAGS, response_model=ProposalOut,
    status_code=201, responses=problems(403, 404),
    summary="Create a draft proposal from the account's open opportunities",
    description="Without `offers`, one offer line per opportunity (its title and value). "
    "Every opportunity must be an open one of this account. " + ETAG)
def create(account_id: IdPath, body: ProposalIn, db: Db, user: Caller, day: Today,
           response: Response) -> ProposalOut:
    out = service.create_proposal(db, user, account_id, body, today=day)
    set_etag(response, out.version)
    response.headers["Location"] = f"/api/v1/proposals/{out.id}"
    return out


@router.get(
    "/proposals/{proposal_id}", tags=TAGS, response_model=ProposalOut,
    responses=problems(404),
    summary="One proposal: offers with totals, benefits, opportunities, benchmarks",
    description="`version` shows an earlier version (read-only). `status` is `expired` once "
    "a draft or sent proposal's `valid_until` has passed. " + ETAG)
def read(proposal_id: IdPath, db: Db, user: Caller, day: Today, response: Response,
         version: Id | None = None) -> ProposalOut:
    out = service.get_proposal(db, user, proposal_id, today=day, number=version)
    set_etag(response, out.version)
    return out


@router.patch(
    "/proposals/{proposal_id}", tags=TAGS, response_model=ProposalOut,
    responses=problems(403, 404, 409),
    summary="Edit a proposal: a draft in place, a sent one as a new version (a draft again)",
    description="The `offers` and `benefits` given replace the current version's. " + ETAG)
def edit(proposal_id: IdPath, body: ProposalEdit, db: Db, user: Caller, day: Today,
         response: Response, expected: IfMatch) -> ProposalOut:
    out = service.edit_proposal(db, user, proposal_id, body, expected=expected, today=day)
    set_etag(response, out.version)
    return out


def _decision(action: str, summary: str) -> None:
    do = getattr(service, action)

    def handler(proposal_id: IdPath, db: Db, user: Caller, day: Today, response: Response,
                expected: IfMatch) -> ProposalOut:
        out: ProposalOut = do(db, user, proposal_id, expected=expected, today=day)
        set_etag(response, out.version)
        return out

    handler.__name__ = f"{action}_proposal"
    router.add_api_route(f"/proposals/{{proposal_id}}/{action}", handler, methods=["POST"],
                         tags=TAGS, response_model=ProposalOut,
                         responses=problems(403, 404, 409), summary=summary)


_decision("send", "Send the current version (needs an offer and a validity date to come)")
_decision("accept", "The client accepted: the proposal's opportunities are won")
_decision("decline", "The client declined")


# ---------------------------------------------------------------- company settings


class CompanyIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Annotated[str | None, Field(min_length=1, max_length=120)] = None
    currency: Annotated[str | None, Field(min_length=3, max_length=3)] = None
    logo: Annotated[str | None, Field(max_length=MAX_LOGO_CHARS,
                                      description="A data: URL (PNG, JPEG, SVG) or empty")] = None

    def given(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True, exclude_none=True)


@router.get("/company", tags=["settings"], response_model=CompanyPolicy, responses=problems(),
            summary="The company: its name, currency and logo (proposals print them)",
            description="`ETag` carries the settings' version (0 while the defaults apply).")
def get_company(db: Db, user: Caller, response: Response) -> CompanyPolicy:
    set_etag(response, company.version(db))
    return company.show(db)


@router.put("/company", tags=["settings"], response_model=CompanyPolicy,
            responses=problems(403, 409),
            summary="Change the company's name, currency or logo (admins and heads)",
            description="Only the fields given change. With `If-Match` (the `ETag` of a "
            "read), a change made meanwhile is a 409.")
def put_company(body: CompanyIn, db: Db, user: Caller, response: Response,
                expected: IfMatch) -> CompanyPolicy:
    out = company.change(db, user, body.given(), expected)
    set_etag(response, company.version(db))
    return out
