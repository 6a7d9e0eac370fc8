"""REST API of hand-offs: the boxes, one hand-off, its checklist answers and its flow, and
the checklist templates. Visibility and who may do what are the service's: a hand-off the
caller may not see is a 404."""

from __future__ import annotations

from datetime import date
from enum import Enum, StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from accord.api.common import MAX_ID, Caller, Db, IdPath, IdQuery, problems
from accord.api.concurrency import IfMatch, set_etag
from accord.handoffs import service
from accord.handoffs.rules import KEY_PATTERN, HandoffKind, HandoffsPolicy, HandoffState
from accord.handoffs.schemas import (
    BOXES,
    MAX_PAGE_SIZE,
    SORTS,
    ChecklistIn,
    ChecklistOut,
    HandoffCreate,
    HandoffOut,
    HandoffPage,
    HandoffSettingsIn,
    ItemAnswer,
    ReturnIn,
)
from accord.web.deps import today

router = APIRouter()
TAGS: list[str | Enum] = ["handoffs"]
Today = Annotated[date, Depends(today)]
#: the boxes and orders of the lists, as enumerations the OpenAPI document lists
Box = StrEnum("Box", [(b, b) for b in BOXES])  # type: ignore[misc]
HandoffSort = StrEnum("HandoffSort", [(s, s) for s in SORTS])  # type: ignore[misc]
ItemKeyPath = Annotated[str, Path(pattern=KEY_PATTERN, max_length=40)]
Page = Annotated[int, Query(ge=1, le=MAX_ID)]
PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]


@router.get(
    "/handoffs",
    tags=TAGS,
    summary="A box of hand-offs",
    description="`waiting`: submitted to the caller (or, for a head, to their teams) to "
    "accept; `mine`: written by the caller; `overdue`: submitted and past the deadline; "
    "`returned`: the caller's, returned; `all`: every hand-off the caller sees. By deadline "
    "unless `sort` says otherwise; `account_id` of an account out of the caller's reach: 404.",
    response_model=HandoffPage,
    responses=problems(404),
)
def list_handoffs(
    db: Db,
    user: Caller,
    day: Today,
    box: Box = Box("waiting"),
    state: HandoffState | None = None,
    account_id: IdQuery = None,
    sort: HandoffSort = HandoffSort("due_on"),
    page: Page = 1,
    page_size: PageSize = 50,
) -> HandoffPage:
    return service.list_handoffs(
        db, user, box=box.value, account_id=account_id, state=state.value if state else None,
        page=page, page_size=page_size, today=day, sort=sort.value,
    )


@router.get(
    "/accounts/{account_id}/handoffs",
    tags=TAGS,
    summary="The hand-offs of an account",
    response_model=HandoffPage,
    responses=problems(),
)
def list_account_handoffs(
    account_id: IdPath,
    db: Db,
    user: Caller,
    day: Today,
    page: Page = 1,
    page_size: PageSize = 50,
) -> HandoffPage:
    return service.list_handoffs(
        db, user, box="all", account_id=account_id, page=page, page_size=page_size, today=day,
        sort="-created_at",
    )


@router.post(
    "/accounts/{account_id}/handoffs",
    tags=TAGS,
    summary="Open a hand-off of a company account",
    description="A draft with the checklist template's items, written by the caller and "
    "received by the account's responsible manager. A person (B2C) needs none (422); an "
    "open hand-off of the same kind is a 409.",
    response_model=HandoffOut,
    status_code=status.HTTP_201_CREATED,
    responses=problems(403, 404, 409),
)
def create_handoff(
    account_id: IdPath, body: HandoffCreate, db: Db, user: Caller, day: Today, response: Response
) -> HandoffOut:
    handoff = service.create_handoff(db, user, account_id, body, today=day)
    response.headers["Location"] = f"/api/v1/handoffs/{handoff.id}"
    set_etag(response, handoff.version)
    return handoff


@router.get(
    "/handoffs/{handoff_id}",
    tags=TAGS,
    summary="Read a hand-off with its checklist, events, completeness and overdue flag",
    description="`ETag` carries the hand-off's version, for `If-Match` on an answer.",
    response_model=HandoffOut,
    responses=problems(404),
)
def get_handoff(
    handoff_id: IdPath, db: Db, user: Caller, day: Today, response: Response
) -> HandoffOut:
    handoff = service.get_handoff(db, user, handoff_id, today=day)
    set_etag(response, handoff.version)
    return handoff


@router.put(
    "/handoffs/{handoff_id}/items/{key}",
    tags=TAGS,
    summary="Answer one checklist item",
    description="With evidence (`text`, `contact`, `interaction`, `file`, `link`) or "
    "`not_applicable` with a `reason`; no `kind` clears it. Only the author, while the "
    "hand-off is a draft or returned. With `If-Match`, a change made meanwhile is a 409.",
    response_model=HandoffOut,
    responses=problems(403, 404, 409),
)
def answer_item(
    handoff_id: IdPath,
    key: ItemKeyPath,
    body: ItemAnswer,
    db: Db,
    user: Caller,
    day: Today,
    response: Response,
    expected: IfMatch,
) -> HandoffOut:
    handoff = service.answer_item(db, user, handoff_id, key, body, expected=expected, today=day)
    set_etag(response, handoff.version)
    return handoff


@router.post(
    "/handoffs/{handoff_id}/submit",
    tags=TAGS,
    summary="Submit a hand-off to the receiving manager",
    description="Refused (422) while a required item is unanswered; each is named. The "
    "deadline is the setting's working days after today.",
    response_model=HandoffOut,
    responses=problems(403, 404, 409),
)
def submit_handoff(
    handoff_id: IdPath, db: Db, user: Caller, day: Today, response: Response
) -> HandoffOut:
    handoff = service.submit_handoff(db, user, handoff_id, today=day)
    set_etag(response, handoff.version)
    return handoff


@router.post(
    "/handoffs/{handoff_id}/accept",
    tags=TAGS,
    summary="Accept a submitted hand-off",
    description="The receiving manager, the head of their team or an admin. A hand-off from "
    "sales makes its account active; the quality is kept.",
    response_model=HandoffOut,
    responses=problems(403, 404, 409),
)
def accept_handoff(
    handoff_id: IdPath, db: Db, user: Caller, day: Today, response: Response
) -> HandoffOut:
    handoff = service.accept_handoff(db, user, handoff_id, today=day)
    set_etag(response, handoff.version)
    return handoff


@router.post(
    "/handoffs/{handoff_id}/return",
    tags=TAGS,
    summary="Return a submitted hand-off to its author with a reason",
    description="The receiving manager, the head of their team or an admin; the reason is "
    "required.",
    response_model=HandoffOut,
    responses=problems(403, 404, 409),
)
def return_handoff(
    handoff_id: IdPath, body: ReturnIn, db: Db, user: Caller, day: Today, response: Response
) -> HandoffOut:
    handoff = service.return_handoff(db, user, handoff_id, body.reason, today=day)
    set_etag(response, handoff.version)
    return handoff


@router.get(
    "/handoff-checklists/{kind}",
    tags=TAGS,
    summary="The checklist template of a kind of hand-off",
    description="`ETag` carries its version (0 while the defaults apply).",
    response_model=ChecklistOut,
    responses=problems(),
)
def get_checklist(kind: HandoffKind, db: Db, user: Caller, response: Response) -> ChecklistOut:
    out = service.checklist_out(db, kind)
    set_etag(response, out.version)
    return out


@router.put(
    "/handoff-checklists/{kind}",
    tags=TAGS,
    summary="Replace the checklist template of a kind of hand-off (admins)",
    description="Hand-offs already opened keep their items. With `If-Match`, a change made "
    "meanwhile is a 409.",
    response_model=ChecklistOut,
    responses=problems(403, 409),
)
def put_checklist(
    kind: HandoffKind,
    body: ChecklistIn,
    db: Db,
    user: Caller,
    response: Response,
    expected: IfMatch,
) -> ChecklistOut:
    out = service.replace_checklist(db, user, kind, body, expected=expected)
    set_etag(response, out.version)
    return out


@router.get(
    "/handoff-settings",
    tags=TAGS,
    summary="The hand-off settings (the deadline in working days after submission)",
    description="`ETag` carries their version (0 while the defaults apply).",
    response_model=HandoffsPolicy,
    responses=problems(),
)
def get_settings(db: Db, user: Caller, response: Response) -> HandoffsPolicy:
    set_etag(response, service.settings_version(db))
    return service.settings(db)


@router.put(
    "/handoff-settings",
    tags=TAGS,
    summary="Change the hand-off settings (admins and heads)",
    description="Only the fields given change. With `If-Match`, a change made meanwhile is "
    "a 409.",
    response_model=HandoffsPolicy,
    responses=problems(403, 409),
)
def put_settings(
    body: HandoffSettingsIn, db: Db, user: Caller, response: Response, expected: IfMatch
) -> HandoffsPolicy:
    out = service.save_settings(db, user, body.given(), expected=expected)
    set_etag(response, service.settings_version(db))
    return out
