"""REST API of the company calendar: read it (everyone signed in), change it and import
public holidays from an ``.ics`` file (admins), and ask for a deadline in working days."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated

from fastapi import APIRouter, File, Query, Response, UploadFile

from accord.api.common import Caller, Db, problems
from accord.api.concurrency import IfMatch, set_etag
from accord.calendar import ics, service
from accord.calendar.schemas import (
    CalendarIn,
    CalendarOut,
    HolidayIn,
    ImportOut,
    WorkingDaysOut,
)
from accord.core.workdays import FIRST_YEAR, LAST_YEAR, MAX_DAYS

router = APIRouter()
TAGS: list[str | Enum] = ["calendar"]
Year = Annotated[
    int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR, description="Only this year's holidays")
]


@router.get(
    "/calendar",
    tags=TAGS,
    response_model=CalendarOut,
    responses=problems(),
    summary="The working weekdays and the public holidays",
    description="`ETag` carries the calendar's version (0 while the defaults apply).",
)
def get_calendar(db: Db, user: Caller, response: Response, year: Year = None) -> CalendarOut:
    set_etag(response, service.version(db))
    return service.get_calendar(db, user, year=year)


@router.put(
    "/calendar",
    tags=TAGS,
    response_model=CalendarOut,
    responses=problems(403, 409),
    summary="Change the working weekdays and/or the holidays (admins)",
    description="The fields given replace the stored ones. With `If-Match` (the `ETag` of a "
    "read), a change made meanwhile is a 409.",
)
def put_calendar(
    db: Db, user: Caller, body: CalendarIn, response: Response, expected: IfMatch
) -> CalendarOut:
    saved = service.save_calendar(db, user, body.given(), expected=expected)
    set_etag(response, service.version(db))
    return CalendarOut.of(saved)


@router.post(
    "/calendar/holidays",
    tags=TAGS,
    status_code=201,
    response_model=CalendarOut,
    responses=problems(403, 409),
    summary="Add one public holiday (admins)",
)
def post_holiday(
    db: Db, user: Caller, body: HolidayIn, response: Response, expected: IfMatch
) -> CalendarOut:
    saved = service.add_holiday(db, user, body.on, body.name, expected=expected)
    set_etag(response, service.version(db))
    return CalendarOut.of(saved)


@router.delete(
    "/calendar/holidays/{on}",
    tags=TAGS,
    status_code=204,
    responses=problems(403, 404),
    summary="Remove the public holiday on a date (admins)",
)
def delete_holiday(on: date, db: Db, user: Caller) -> Response:
    service.remove_holiday(db, user, on)
    return Response(status_code=204)


@router.post(
    "/calendar/holidays/import",
    tags=TAGS,
    response_model=ImportOut,
    responses=problems(403, 409),
    summary="Add the public holidays of an iCalendar (.ics) file (admins)",
    description="Each event (VEVENT) gives the days from its DTSTART to the day before its "
    "DTEND, named by its SUMMARY; dates that are holidays already stay as they are. At most "
    f"{ics.MAX_BYTES // 1024} kB and {ics.MAX_EVENTS} events. A bad file is a 422 whose "
    "errors name the line or event; nothing is written then.",
)
def import_holidays(
    db: Db,
    user: Caller,
    file: Annotated[UploadFile, File(description="An iCalendar file (.ics, UTF-8)")],
    response: Response,
    expected: IfMatch,
) -> ImportOut:
    out = service.import_holidays(db, user, file.file.read(ics.MAX_BYTES + 1), expected=expected)
    set_etag(response, service.version(db))
    return out


@router.get(
    "/calendar/working-days",
    tags=TAGS,
    response_model=WorkingDaysOut,
    responses=problems(),
    summary="A deadline in working days, or the working days between two dates",
    description="With `days`: the date that many working days after `start` (`start` itself "
    "not counted). With `end` instead: the working days in (start, end].",
)
def get_working_days(
    db: Db,
    user: Caller,
    start: date,
    days: Annotated[int | None, Query(ge=0, le=MAX_DAYS)] = None,
    end: date | None = None,
) -> WorkingDaysOut:
    return service.working_days(db, user, start, days=days, end=end)
