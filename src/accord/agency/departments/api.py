"""REST API of agency work: departments (list, read, create, edit, members, holidays) and
deliverable types (their checklists). Reading: any signed-in user; writing: admins."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from accord.agency.departments import service
from accord.agency.departments.schemas import (
    KEY_RE,
    MAX_PAGE_SIZE,
    DeliverableTypeIn,
    DeliverableTypeOut,
    DeliverableTypePage,
    DepartmentIn,
    DepartmentOut,
    DepartmentPage,
    DepartmentPatch,
    HolidayIn,
    MembersIn,
)
from accord.api.common import Caller, Db, IdPath, problems
from accord.api.concurrency import IfMatch, set_etag
from accord.core.schemas import Flag, PageNumber

router = APIRouter()
TAGS: list[str | Enum] = ["departments"]
ETAG = "`ETag` carries the department's version, for `If-Match` on a later change."
TypeKey = Annotated[str, Path(min_length=1, max_length=40, pattern=KEY_RE,
                              description="The deliverable type's key, e.g. media_plan")]


def _out(response: Response, out: DepartmentOut) -> DepartmentOut:
    set_etag(response, out.version)
    return out


@router.get("/departments", tags=TAGS, response_model=DepartmentPage, responses=problems(),
            summary="The departments (names, lead, member count, turnaround, time zone)",
            description="Active departments unless `include_inactive`; the caller's own "
            "departments first, then by name. No account data.")
def list_departments(db: Db, user: Caller, include_inactive: Flag = False,
                     page: PageNumber = 1,
                     page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
                     ) -> DepartmentPage:
    return service.list_departments(db, user, include_inactive=include_inactive, page=page,
                                    page_size=page_size)


@router.post("/departments", tags=TAGS, status_code=201, response_model=DepartmentOut,
             responses=problems(403), summary="Create a department (admins)",
             description="`sections` left out: the brief template of the name's kind "
             "(Creative, Media, Production, Copy, SEO, Analytics, PPC, Usability) or a generic "
             "one. `weekdays` null: the company calendar's. The name is unique, any case. "
             + ETAG)
def create_department(body: DepartmentIn, db: Db, user: Caller,
                      response: Response) -> DepartmentOut:
    out = service.create_department(db, user, body.model_dump(exclude_unset=True))
    response.headers["Location"] = f"/api/v1/departments/{out.id}"
    return _out(response, out)


@router.get("/departments/{department_id}", tags=TAGS, response_model=DepartmentOut,
            responses=problems(404),
            summary="One department: its template, members and holidays", description=ETAG)
def get_department(department_id: IdPath, db: Db, user: Caller,
                   response: Response) -> DepartmentOut:
    return _out(response, service.get_department(db, user, department_id))


@router.patch("/departments/{department_id}", tags=TAGS, response_model=DepartmentOut,
              responses=problems(403, 404, 409), summary="Change a department (admins)",
              description="Only the fields given change; `weekdays: null` returns to the "
              "company calendar. With `If-Match`, a change made meanwhile is a 409.")
def patch_department(department_id: IdPath, body: DepartmentPatch, db: Db, user: Caller,
                     response: Response, expected: IfMatch) -> DepartmentOut:
    return _out(response, service.update_department(
        db, user, department_id, body.model_dump(exclude_unset=True), expected=expected))


@router.put("/departments/{department_id}/members", tags=TAGS, response_model=DepartmentOut,
            responses=problems(403, 404), summary="Set a department's members (admins)",
            description="The members become exactly `user_ids`: active users of any role. "
            "Membership lets a user see and work on the department's briefs.")
def put_members(department_id: IdPath, body: MembersIn, db: Db, user: Caller,
                response: Response) -> DepartmentOut:
    return _out(response, service.set_members(db, user, department_id, body.user_ids))


@router.post("/departments/{department_id}/holidays", tags=TAGS, response_model=DepartmentOut,
             responses=problems(403, 404),
             summary="Add a day off of the department's own (admins)",
             description="On top of the company holidays; the same day again renames it.")
def post_holiday(department_id: IdPath, body: HolidayIn, db: Db, user: Caller,
                 response: Response) -> DepartmentOut:
    return _out(response, service.add_holiday(db, user, department_id, body.day, body.name))


@router.delete("/departments/{department_id}/holidays/{day}", tags=TAGS,
               response_model=DepartmentOut, responses=problems(403, 404),
               summary="Remove a day off of the department's own (admins)")
def delete_holiday(department_id: IdPath, day: date, db: Db, user: Caller,
                   response: Response) -> DepartmentOut:
    return _out(response, service.remove_holiday(db, user, department_id, day))


@router.get("/deliverable-types", tags=TAGS, response_model=DeliverableTypePage,
            responses=problems(), summary="The deliverable types and their checklists")
def list_deliverable_types(db: Db, user: Caller) -> DeliverableTypePage:
    return service.list_deliverable_types(db, user)


@router.get("/deliverable-types/{key}", tags=TAGS, response_model=DeliverableTypeOut,
            responses=problems(404), summary="One deliverable type and its checklist")
def get_deliverable_type(key: TypeKey, db: Db, user: Caller,
                         response: Response) -> DeliverableTypeOut:
    out = service.get_deliverable_type(db, user, key)
    set_etag(response, out.version)
    return out


@router.put("/deliverable-types/{key}", tags=TAGS, response_model=DeliverableTypeOut,
            responses=problems(403, 409),
            summary="Create or replace a deliverable type's checklist (admins)",
            description="1 to 30 items with unique keys; the manager completes them before "
            "approving a brief's deliverable. With `If-Match`, a change made meanwhile is a "
            "409.")
def put_deliverable_type(key: TypeKey, body: DeliverableTypeIn, db: Db, user: Caller,
                         response: Response, expected: IfMatch) -> DeliverableTypeOut:
    out = service.save_deliverable_type(db, user, key, body.model_dump(), expected=expected)
    set_etag(response, out.version)
    return out
