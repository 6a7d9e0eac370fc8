"""REST API of My day, the calendar window and the overdue list."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from accord.api.common import Caller, CallerToday, Db, IdQuery, problems
from accord.calendar.myday import export, rules, service
from accord.calendar.myday.schemas import CalendarWindow, MyDay, OverduePage
from accord.core.schemas import PageNumber, Word

router = APIRouter()
TAGS: list[str | Enum] = ["my day"]
Today = CallerToday  # the caller's own date (their time zone)
MANAGER = ("`manager_id`: a head's team member or (admins) anyone in a managing role; another "
           "is a 422 on `manager_id`.")


@router.get("/today", tags=TAGS, response_model=MyDay, responses=problems(),
            summary="My day: due today, overdue, reviews this week, renewals, hand-offs and "
            "plan actions waiting, accounts at risk",
            description="A manager's own items; a head's teams' (or one manager's); an admin's "
            "everyone's (or one manager's). Each section holds its first 50 items and its "
            "`total`, with `more_url` to the full list. " + MANAGER)
def get_today(db: Db, user: Caller, day: Today, manager_id: IdQuery = None) -> MyDay:
    return service.my_day(db, user, day, manager_id=manager_id)


@router.get("/calendar/items", tags=TAGS, response_model=CalendarWindow, responses=problems(),
            summary="Your events and due items (follow-ups, plan actions, contract ends) from "
            "`start` to `end`",
            description="At most 62 days; times in your time zone (`time`), instants in UTC "
            "(`at`).")
def get_calendar(db: Db, user: Caller, day: Today, start: date, end: date) -> CalendarWindow:
    return service.calendar_window(db, user, start, end, day)


@router.get("/overdue", tags=TAGS, response_model=OverduePage,
            responses={**problems(), 200: {"content": {
                export.MEDIA["csv"]: {}, export.MEDIA["xlsx"]: {}}}},
            summary="Everything overdue: follow-ups, plan actions, hand-offs, oldest first",
            description="`kind`: follow_up, plan_action or handoff. `format`: json (the "
            "default, paged), csv or xlsx (every item; no cell is a formula). " + MANAGER)
def get_overdue(
    db: Db, user: Caller, day: Today, manager_id: IdQuery = None, kind: Word | None = None,
    page: PageNumber = 1,
    page_size: Annotated[int, Query(ge=1, le=rules.MAX_PAGE_SIZE)] = 50,
    format: Annotated[str, Query(pattern="^(json|csv|xlsx)$")] = "json",
) -> Any:
    if format == "json":
        return service.overdue_list(db, user, day, manager_id=manager_id, kind=kind, page=page,
                                    page_size=page_size)
    rows = service.overdue_rows(db, user, day, manager_id=manager_id, kind=kind)
    return Response(export.write(rows, format), media_type=export.MEDIA[format], headers={
        "Content-Disposition": f'attachment; filename="accord-overdue-{day.isoformat()}.'
                               f'{format}"'})
