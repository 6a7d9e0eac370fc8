"""REST API of briefs: list (filtered, paged) and write one, read and edit one, its timeline,
its moves (send, accept, agree-date, decline-date, start, deliver, request-changes, approve,
cancel), the department board and an account's briefs."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Query, Response

from accord.agency.briefs import service
from accord.agency.briefs.schemas import (
    MAX_PAGE_SIZE,
    AcceptIn,
    ApproveIn,
    Board,
    BriefDetail,
    BriefIn,
    BriefOut,
    BriefPage,
    BriefPatch,
    DeliverIn,
    Filters,
    ReasonIn,
    TransitionOut,
)
from accord.api.common import Caller, CallerToday, Db, IdPath, problems
from accord.api.concurrency import IfMatch, set_etag
from accord.core.database import utcnow
from accord.core.schemas import Flag, Id, PageNumber, SearchText, Word

router = APIRouter()
TAGS: list[str | Enum] = ["briefs"]
Today = CallerToday
ETAG = "`ETag` carries the brief's version, for `If-Match` on a later change."
MOVE = ("409 when the brief's state does not allow it; 403 for the other side (the "
        "account's team writes, sends, approves; the department accepts, starts, delivers).")


def _out(response: Response, out: BriefOut) -> BriefOut:
    set_etag(response, out.version)
    return out


@router.get("/briefs", tags=TAGS, response_model=BriefPage, responses=problems(),
            summary="The briefs you see, filtered, sorted and paged",
            description="You see a brief when you see its account, or belong to its "
            "department (a specialist gets the account's name only: `account_id` is null). "
            "`status`: all (the default), open, late (sent, accepted or in progress and due "
            "before today) or one state; `q`: words of the title or the account's name; "
            "`sort`: due, -due, priority or updated.")
def list_briefs(
    db: Db, user: Caller, day: Today, department_id: Id | None = None,
    account_id: Id | None = None, status: Word = "all", priority: Word | None = None,
    q: SearchText | None = None, sort: Word = "due", page: PageNumber = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> BriefPage:
    return service.list_briefs(db, user, Filters(
        today=day, department_id=department_id, account_id=account_id, status=status,
        priority=priority, q=q, sort=sort), page, page_size)


@router.post("/briefs", tags=TAGS, status_code=201, response_model=BriefOut,
             responses=problems(403, 404),
             summary="Write a brief (a draft) from an account to a department",
             description="`sections`: keys of the department's template; `due_on`: a working "
             "day of the department, not before today (default: its turnaround in working "
             "days); a day off is a 422 naming the nearest working days. " + ETAG)
def create_brief(body: BriefIn, db: Db, user: Caller, day: Today,
                 response: Response) -> BriefOut:
    out = service.create_brief(db, user, body, day)
    response.headers["Location"] = f"/api/v1/briefs/{out.id}"
    return _out(response, out)


@router.get("/briefs/board", tags=TAGS, response_model=Board, responses=problems(404),
            summary="A department's board: its briefs by state",
            description="A column per state (drafts only for the account's team), each the "
            "first 50 by due date (approved: the latest) with the column's total. Without "
            "`department_id`: your first department, or all departments.")
def board(db: Db, user: Caller, day: Today, department_id: Id | None = None,
          account_id: Id | None = None, priority: Word | None = None,
          q: SearchText | None = None, late: Flag = False) -> Board:
    return service.board(db, user, department_id, Filters(
        today=day, account_id=account_id, priority=priority, q=q, late=late), day)


@router.get("/briefs/{brief_id}", tags=TAGS, response_model=BriefDetail,
            responses=problems(404), summary="One brief, its timeline and your actions",
            description=ETAG)
def get_brief(brief_id: IdPath, db: Db, user: Caller, day: Today,
              response: Response) -> BriefDetail:
    out = service.get_brief(db, user, brief_id, day)
    set_etag(response, out.version)
    return out


@router.patch("/briefs/{brief_id}", tags=TAGS, response_model=BriefOut,
              responses=problems(403, 404, 409),
              summary="Change a brief's title, sections, attachments, priority, deliverable "
              "type, estimated hours (and its due date while a draft)",
              description="With `If-Match`, a change made meanwhile is a 409.")
def patch_brief(brief_id: IdPath, body: BriefPatch, db: Db, user: Caller, day: Today,
                response: Response, expected: IfMatch) -> BriefOut:
    return _out(response, service.edit_brief(db, user, brief_id, body, day,
                                             expected=expected))


@router.get("/briefs/{brief_id}/transitions", tags=TAGS, response_model=list[TransitionOut],
            responses=problems(404), summary="The brief's timeline (every move, timestamped)")
def brief_transitions(brief_id: IdPath, db: Db, user: Caller) -> list[TransitionOut]:
    return service.transitions(db, user, brief_id)


@router.post("/briefs/{brief_id}/send", tags=TAGS, response_model=BriefOut,
             responses=problems(403, 404, 409), summary="Send a draft to its department",
             description=MOVE)
def send(brief_id: IdPath, db: Db, user: Caller, day: Today, response: Response) -> BriefOut:
    return _out(response, service.send(db, user, brief_id, day))


@router.post("/briefs/{brief_id}/accept", tags=TAGS, response_model=BriefOut,
             responses=problems(403, 404, 409),
             summary="Accept a brief (the department), perhaps proposing another due date",
             description="A proposed date needs a reason and applies once the account's team "
             "agrees. " + MOVE)
def accept(brief_id: IdPath, db: Db, user: Caller, response: Response,
           body: AcceptIn | None = None) -> BriefOut:
    given = body or AcceptIn()
    return _out(response, service.accept(db, user, brief_id, utcnow(),
                                         proposed_due_on=given.proposed_due_on,
                                         reason=given.reason))


@router.post("/briefs/{brief_id}/agree-date", tags=TAGS, response_model=BriefOut,
             responses=problems(403, 404, 409),
             summary="Agree the department's proposed due date (the original is kept)",
             description=MOVE)
def agree_date(brief_id: IdPath, db: Db, user: Caller, day: Today,
               response: Response) -> BriefOut:
    return _out(response, service.agree_date(db, user, brief_id, day))


@router.post("/briefs/{brief_id}/decline-date", tags=TAGS, response_model=BriefOut,
             responses=problems(403, 404, 409),
             summary="Decline the proposed due date, saying why", description=MOVE)
def decline_date(brief_id: IdPath, body: ReasonIn, db: Db, user: Caller, day: Today,
                 response: Response) -> BriefOut:
    return _out(response, service.decline_date(db, user, brief_id, day, body.reason))


@router.post("/briefs/{brief_id}/start", tags=TAGS, response_model=BriefOut,
             responses=problems(403, 404, 409), summary="Start work on an accepted brief",
             description=MOVE)
def start(brief_id: IdPath, db: Db, user: Caller, response: Response) -> BriefOut:
    return _out(response, service.start(db, user, brief_id, utcnow()))


@router.post("/briefs/{brief_id}/deliver", tags=TAGS, response_model=BriefOut,
             responses=problems(403, 404, 409),
             summary="Deliver the work (the first delivery records the on-time figures)",
             description="On the department's own date (its time zone). " + MOVE)
def deliver(brief_id: IdPath, db: Db, user: Caller, response: Response,
            body: DeliverIn | None = None) -> BriefOut:
    given = body or DeliverIn()
    return _out(response, service.deliver(db, user, brief_id, utcnow(),
                                          actual_hours=given.actual_hours, note=given.note))


@router.post("/briefs/{brief_id}/request-changes", tags=TAGS, response_model=BriefOut,
             responses=problems(403, 404, 409),
             summary="Send a delivery back for changes (a round), saying what", description=MOVE)
def request_changes(brief_id: IdPath, body: ReasonIn, db: Db, user: Caller, day: Today,
                    response: Response) -> BriefOut:
    return _out(response, service.request_changes(db, user, brief_id, day, body.reason))


@router.post("/briefs/{brief_id}/approve", tags=TAGS, response_model=BriefOut,
             responses=problems(403, 404, 409),
             summary="Approve a delivery with its deliverable's checklist",
             description="Items left unchecked need a `reason` (else a 422 on `reason`). "
             + MOVE)
def approve(brief_id: IdPath, db: Db, user: Caller, day: Today, response: Response,
            body: ApproveIn | None = None) -> BriefOut:
    given = body or ApproveIn()
    return _out(response, service.approve(db, user, brief_id, day, checks=given.checks,
                                          reason=given.reason))


@router.post("/briefs/{brief_id}/cancel", tags=TAGS, response_model=BriefOut,
             responses=problems(403, 404, 409), summary="Cancel an open brief, saying why",
             description=MOVE)
def cancel(brief_id: IdPath, body: ReasonIn, db: Db, user: Caller, day: Today,
           response: Response) -> BriefOut:
    return _out(response, service.cancel(db, user, brief_id, day, body.reason))


@router.get("/accounts/{account_id}/briefs", tags=TAGS, response_model=list[BriefOut],
            responses=problems(404),
            summary="The account's briefs (its Work tab): open ones by due date, then closed")
def account_briefs(account_id: IdPath, db: Db, user: Caller, day: Today) -> list[BriefOut]:
    return service.account_briefs(db, user, account_id, day)
