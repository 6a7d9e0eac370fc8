"""REST API of client inputs: list and request them, read and edit one, record it received
or cancel it, mark a chase sent, an account's inputs and agreed chase interval, run the
chases now, and the agency setting."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Query, Response

from accord.agency.inputs import service
from accord.agency.inputs.schemas import (
    MAX_PAGE_SIZE,
    AgencySettingsIn,
    AgencySettingsOut,
    CancelIn,
    ChaseIntervalIn,
    ChaseRun,
    Filters,
    InputDetail,
    InputIn,
    InputOut,
    InputPage,
    InputPatch,
    InputsPanel,
    ReceivedIn,
)
from accord.api.common import Caller, CallerToday, Db, IdPath, problems
from accord.api.concurrency import IfMatch, set_etag
from accord.core.schemas import Flag, Id, PageNumber, SearchText, Word

router = APIRouter()
TAGS: list[str | Enum] = ["client inputs"]
Today = CallerToday
ETAG = "`ETag` carries the request's version, for `If-Match` on a later change."


def _out(response: Response, out: InputOut) -> InputOut:
    set_etag(response, out.version)
    return out


@router.get("/inputs", tags=TAGS, response_model=InputPage, responses=problems(),
            summary="The client inputs on the accounts you see, filtered, sorted and paged",
            description="`status`: open (the default), received, cancelled or all; "
            "`overdue`: open and due before today; `escalated`: escalated to the head; "
            "`owner_id`: chased by or escalated to; `q`: words of the title. `sort`: due (the "
            "default), -due, title, account, requested, -requested or next_chase.")
def list_inputs(
    db: Db, user: Caller, day: Today, status: Word = "open", overdue: Flag = False,
    escalated: Flag = False, account_id: Id | None = None, owner_id: Id | None = None,
    q: SearchText | None = None, sort: Word = "due", page: PageNumber = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> InputPage:
    return service.list_inputs(db, user, Filters(
        today=day, status=status, overdue=overdue, escalated=escalated,
        account_id=account_id, owner_id=owner_id, q=q, sort=sort, page=page,
        page_size=page_size))


@router.post("/inputs", tags=TAGS, status_code=201, response_model=InputOut,
             responses=problems(403, 404),
             summary="Request an input from the client",
             description="`contact_id` must be one of the account's contacts and `brief_id` "
             "the account's brief; `due_on` not before today; `chase_days` 1-260 working days "
             "(left out: the account's agreed interval, else the setting's); `owner_id` (who "
             "chases) defaults to the account's manager. The first chase is `chase_days` "
             "working days after today. " + ETAG)
def create_input(body: InputIn, db: Db, user: Caller, day: Today,
                 response: Response) -> InputOut:
    out = service.request_input(db, user, body, day)
    response.headers["Location"] = f"/api/v1/inputs/{out.id}"
    return _out(response, out)


@router.post("/inputs/chase-now", tags=TAGS, response_model=ChaseRun,
             responses=problems(403),
             summary="Run the due chases now (admins)",
             description="What the daily job `input_chases` does, over every account (so "
             "admins only): due chases become follow-ups for their owners, the (N+1)-th "
             "unanswered one goes to the head. One run at a time; running it twice the "
             "same day creates nothing new.")
def chase_now(db: Db, user: Caller, day: Today) -> ChaseRun:
    return service.chase_now(db, user, day)


@router.get("/inputs/{input_id}", tags=TAGS, response_model=InputDetail,
            responses=problems(404),
            summary="One client input with its chases and their drafted e-mails",
            description=ETAG)
def get_input(input_id: IdPath, db: Db, user: Caller, day: Today,
              response: Response) -> InputDetail:
    out = service.get_input(db, user, input_id, day)
    set_etag(response, out.version)
    return out


@router.patch("/inputs/{input_id}", tags=TAGS, response_model=InputOut,
              responses=problems(403, 404, 409),
              summary="Change an open request (title, contact, brief, reason, due date, "
              "interval, owner)",
              description="A new interval moves the next chase. With `If-Match`, a change "
              "made meanwhile is a 409.")
def patch_input(input_id: IdPath, body: InputPatch, db: Db, user: Caller, day: Today,
                response: Response, expected: IfMatch) -> InputOut:
    return _out(response, service.edit_input(db, user, input_id, body, day,
                                             expected=expected))


@router.post("/inputs/{input_id}/received", tags=TAGS, response_model=InputOut,
             responses=problems(403, 404),
             summary="The client gave it",
             description="`on`: the day it came (today when left out; not before the "
             "request, not after today). Its open chases and their follow-ups are closed; the "
             "brief it blocked stops waiting that day.")
def received(input_id: IdPath, db: Db, user: Caller, day: Today, response: Response,
             body: ReceivedIn | None = None) -> InputOut:
    data = body or ReceivedIn()
    return _out(response, service.received(db, user, input_id, day, on=data.on,
                                           note=data.note))


@router.post("/inputs/{input_id}/cancel", tags=TAGS, response_model=InputOut,
             responses=problems(403, 404),
             summary="Cancel a request, saying why")
def cancel_input(input_id: IdPath, body: CancelIn, db: Db, user: Caller, day: Today,
                 response: Response) -> InputOut:
    return _out(response, service.cancel_input(db, user, input_id, day, body.reason))


@router.post("/chases/{chase_id}/sent", tags=TAGS, response_model=InputDetail,
             responses=problems(403, 404),
             summary="Mark a chase's e-mail sent",
             description="Logs an e-mail interaction with the request's contact and "
             "completes the chase's follow-up.")
def chase_sent(chase_id: IdPath, db: Db, user: Caller, day: Today) -> InputDetail:
    return service.mark_chase_sent(db, user, chase_id, day)


@router.get("/accounts/{account_id}/inputs", tags=TAGS, response_model=InputsPanel,
            responses=problems(404),
            summary="The account's client inputs (open ones, recent closed ones) and its "
            "agreed chase interval")
def account_inputs(account_id: IdPath, db: Db, user: Caller, day: Today) -> InputsPanel:
    return service.account_inputs(db, user, account_id, day)


@router.put("/accounts/{account_id}/chase-interval", tags=TAGS, response_model=InputsPanel,
            responses=problems(403, 404),
            summary="Set the chase interval agreed with the client",
            description="`chase_days`: 1-260 working days; null: the setting's default. Open "
            "requests without an interval of their own are rescheduled.")
def put_chase_interval(account_id: IdPath, body: ChaseIntervalIn, db: Db, user: Caller,
                       day: Today) -> InputsPanel:
    return service.set_account_chase_days(db, user, account_id, body.chase_days, day)


@router.get("/agency/settings", tags=TAGS, response_model=AgencySettingsOut,
            responses=problems(), summary="The agency setting")
def get_settings(db: Db, user: Caller) -> AgencySettingsOut:
    return service.agency_settings_of(db, user)


@router.put("/agency/settings", tags=TAGS, response_model=AgencySettingsOut,
            responses=problems(403),
            summary="Change the agency setting (admins and heads)",
            description="`escalate_after`: N, the (N+1)-th unanswered chase goes to the head "
            "(1-20); `default_chase_days`: the interval of a request whose account agreed "
            "none (1-260 working days).")
def put_settings(body: AgencySettingsIn, db: Db, user: Caller) -> AgencySettingsOut:
    return service.save_agency_settings(db, user, body)
