"""REST API of follow-ups: list (filtered, paged) and add, read and edit one, complete,
snooze, cancel, log an interaction and close it; an account's follow-ups."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Query, Response

from accord.api.common import Caller, CallerToday, Db, IdPath, problems
from accord.api.concurrency import IfMatch, set_etag
from accord.calendar.followups import service
from accord.calendar.followups.schemas import (
    MAX_PAGE_SIZE,
    CancelIn,
    DoneIn,
    Filters,
    FollowUpIn,
    FollowUpOut,
    FollowUpPage,
    FollowUpPatch,
    LogIn,
    SnoozeIn,
)
from accord.core.schemas import Flag, Id, PageNumber, SearchText, Word

router = APIRouter()
TAGS: list[str | Enum] = ["follow-ups"]
Today = CallerToday  # the caller's own date (their time zone)
ETAG = "`ETag` carries the follow-up's version, for `If-Match` on a later change."


def _out(response: Response, out: FollowUpOut) -> FollowUpOut:
    set_etag(response, out.version)
    return out


@router.get("/follow-ups", tags=TAGS, response_model=FollowUpPage, responses=problems(),
            summary="The follow-ups on the accounts you see, filtered, sorted and paged",
            description="`status`: `open` (open and snoozed, the default), `all` or one of "
            "open, snoozed, done, cancelled. `due_before` / `due_after` bound the effective "
            "due date (a snoozed one's: the day it comes back), both inclusive; `overdue`: "
            "only those due before today; `q`: words of the title. `sort`: due (the default), "
            "-due, title, account or owner.")
def list_follow_ups(
    db: Db, user: Caller, day: Today, owner_id: Id | None = None,
    account_id: Id | None = None, status: Word = "open", due_before: date | None = None,
    due_after: date | None = None, overdue: Flag = False, q: SearchText | None = None,
    sort: Word = "due", page: PageNumber = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> FollowUpPage:
    return service.list_follow_ups(db, user, Filters(
        today=day, owner_id=owner_id, account_id=account_id, status=status,
        due_before=due_before, due_after=due_after, overdue=overdue, q=q, sort=sort,
        page=page, page_size=page_size))


@router.post("/follow-ups", tags=TAGS, status_code=201, response_model=FollowUpOut,
             responses=problems(403, 404),
             summary="Add a follow-up to an account",
             description="`owner_id` defaults to the caller and must work on the account; "
             "`due_time` (HH:MM) is read in the owner's time zone — a time the clocks skip "
             "that day is a 422 on `due_time`, one they pass twice is its first occurrence. "
             "`source_kind` (interaction, plan_action, opportunity) with `source_id` must be "
             "the account's. " + ETAG)
def create_follow_up(body: FollowUpIn, db: Db, user: Caller, day: Today,
                     response: Response) -> FollowUpOut:
    out = service.add_follow_up(db, user, body, day)
    response.headers["Location"] = f"/api/v1/follow-ups/{out.id}"
    return _out(response, out)


@router.get("/follow-ups/{follow_up_id}", tags=TAGS, response_model=FollowUpOut,
            responses=problems(404), summary="One follow-up", description=ETAG)
def get_follow_up(follow_up_id: IdPath, db: Db, user: Caller, day: Today,
                  response: Response) -> FollowUpOut:
    return _out(response, service.get_follow_up(db, user, follow_up_id, day))


@router.patch("/follow-ups/{follow_up_id}", tags=TAGS, response_model=FollowUpOut,
              responses=problems(403, 404, 409),
              summary="Change a follow-up's title, notes, due date and time or owner",
              description="Only an open or snoozed follow-up; a new owner brings their time "
              "zone. With `If-Match`, a change made meanwhile is a 409.")
def patch_follow_up(follow_up_id: IdPath, body: FollowUpPatch, db: Db, user: Caller,
                    day: Today, response: Response, expected: IfMatch) -> FollowUpOut:
    return _out(response, service.edit_follow_up(db, user, follow_up_id, body, day,
                                                 expected=expected))


@router.post("/follow-ups/{follow_up_id}/done", tags=TAGS, response_model=FollowUpOut,
             responses=problems(403, 404, 409), summary="Mark a follow-up done today",
             description="`interaction_id`: the account's interaction that did it, if any.")
def done_follow_up(follow_up_id: IdPath, db: Db, user: Caller, day: Today,
                   response: Response, expected: IfMatch,
                   body: DoneIn | None = None) -> FollowUpOut:
    return _out(response, service.complete(db, user, follow_up_id, day,
                                           (body or DoneIn()).interaction_id,
                                           expected=expected))


@router.post("/follow-ups/{follow_up_id}/snooze", tags=TAGS, response_model=FollowUpOut,
             responses=problems(403, 404, 409),
             summary="Snooze a follow-up until a date after today",
             description="It is due again on `until`.")
def snooze_follow_up(follow_up_id: IdPath, body: SnoozeIn, db: Db, user: Caller, day: Today,
                     response: Response, expected: IfMatch) -> FollowUpOut:
    return _out(response, service.snooze(db, user, follow_up_id, body.until, day,
                                         expected=expected))


@router.post("/follow-ups/{follow_up_id}/cancel", tags=TAGS, response_model=FollowUpOut,
             responses=problems(403, 404, 409), summary="Cancel a follow-up, saying why")
def cancel_follow_up(follow_up_id: IdPath, body: CancelIn, db: Db, user: Caller, day: Today,
                     response: Response, expected: IfMatch) -> FollowUpOut:
    return _out(response, service.cancel(db, user, follow_up_id, body.reason, today=day,
                                         expected=expected))


@router.post("/follow-ups/{follow_up_id}/log", tags=TAGS, response_model=FollowUpOut,
             responses=problems(403, 404),
             summary="Log an interaction on the account and close the follow-up with it",
             description="The body is an interaction (as `POST /accounts/{id}/interactions`); "
             "both happen in one transaction, or neither.")
def log_follow_up(follow_up_id: IdPath, body: LogIn, db: Db, user: Caller, day: Today,
                  response: Response) -> FollowUpOut:
    return _out(response, service.log_and_close(db, user, follow_up_id, body, day))


@router.get("/accounts/{account_id}/follow-ups", tags=TAGS, response_model=list[FollowUpOut],
            responses=problems(404),
            summary="The account's follow-ups (open and snoozed first, by due date)")
def account_follow_ups(account_id: IdPath, db: Db, user: Caller, day: Today
                       ) -> list[FollowUpOut]:
    return service.account_follow_ups(db, user, account_id, day)
