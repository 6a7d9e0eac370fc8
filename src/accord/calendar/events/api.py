"""REST API of scheduled events: the occurrences of a window, an event (read, create, change,
cancel), one occurrence's outcome or cancellation, the review pack as a PDF."""

from __future__ import annotations

from datetime import date, timedelta
from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Path, Response

from accord.api.common import Caller, CallerToday, Db, IdPath, problems
from accord.api.concurrency import IfMatch, set_etag
from accord.calendar.events import pack, service
from accord.calendar.events.schemas import (
    EventDetail,
    EventIn,
    EventOut,
    EventPatch,
    Occurrence,
    OutcomeIn,
)
from accord.core.schemas import Id

router = APIRouter()
TAGS: list[str | Enum] = ["events"]
Today = CallerToday  # the caller's own date (their time zone)
Start = Annotated[str, Path(max_length=40, description="The occurrence's start (UTC), "
                                                       "e.g. 20270322T080000Z")]
ETAG = "`ETag` carries the event's version, for `If-Match` on a later change."


@router.get("/events", tags=TAGS, response_model=list[Occurrence], responses=problems(404),
            summary="The occurrences of the events on the accounts you see, in a window",
            description="`start`/`end`: days in your time zone (default: today and 30 days "
            "on; at most 400 days). A recurring event is expanded into its occurrences; "
            "cancelled ones are left out. `account_id`: one account's; `owner_id`: the events "
            "that user organises or attends.")
def list_events(db: Db, user: Caller, day: Today, start: date | None = None,
                end: date | None = None, account_id: Id | None = None,
                owner_id: Id | None = None) -> list[Occurrence]:
    first = start or day
    return service.occurrences(db, user, first, end or first + timedelta(days=30),
                                    owner_id=owner_id, account_id=account_id)


@router.post("/events", tags=TAGS, status_code=201, response_model=EventOut,
             responses=problems(403, 404),
             summary="Schedule an event on an account (one-off or recurring)",
             description="Times without an offset are wall-clock times in `time_zone` (default: "
             "yours); a start the clocks skip that day is refused. `rrule`: an RFC 5545 RRULE "
             "(`FREQ=WEEKLY;BYDAY=MO`). Attendees: users who see the account, contacts linked "
             "to it. " + ETAG)
def create_event(body: EventIn, db: Db, user: Caller, response: Response) -> EventOut:
    out = service.create_event(db, user, body)
    set_etag(response, out.version)
    response.headers["Location"] = f"/api/v1/events/{out.id}"
    return out


@router.get("/events/{event_id}", tags=TAGS, response_model=EventDetail,
            responses=problems(404),
            summary="One event with its occurrences (90 days back, 180 ahead)", description=ETAG)
def get_event(event_id: IdPath, db: Db, user: Caller, day: Today, response: Response
              ) -> EventDetail:
    out = service.event_detail(db, user, event_id, day)
    set_etag(response, out.version)
    return out


@router.patch("/events/{event_id}", tags=TAGS, response_model=EventOut,
              responses=problems(403, 404, 409),
              summary="Change an event (the fields given)",
              description="With `If-Match`, a change made meanwhile is a 409.")
def patch_event(event_id: IdPath, body: EventPatch, db: Db, user: Caller, response: Response,
                expected: IfMatch) -> EventOut:
    out = service.update_event(db, user, event_id, body, expected=expected)
    set_etag(response, out.version)
    return out


@router.delete("/events/{event_id}", tags=TAGS, status_code=204,
               responses=problems(403, 404),
               summary="Cancel the event (every occurrence to come)")
def cancel_event(event_id: IdPath, db: Db, user: Caller) -> Response:
    service.cancel_event(db, user, event_id)
    return Response(status_code=204)


@router.post("/events/{event_id}/occurrences/{start}/outcome", tags=TAGS,
             response_model=Occurrence, responses=problems(403, 404, 409),
             summary="Record what an occurrence produced (an interaction on the account)",
             description="The interaction's kind follows the event's (a business review, a "
             "call, else a meeting), its contacts and users the event's attendees, its day the "
             "occurrence's, unless given. An occurrence held or cancelled already is a 409.")
def record_outcome(event_id: IdPath, start: Start, body: OutcomeIn, db: Db, user: Caller,
                   day: Today) -> Occurrence:
    return service.record_outcome(db, user, event_id, service.parse_start(start), body,
                                  today=day)


@router.post("/events/{event_id}/occurrences/{start}/cancel", tags=TAGS,
             response_model=Occurrence, responses=problems(403, 404, 409),
             summary="Cancel one occurrence of an event (the others stay)")
def cancel_occurrence(event_id: IdPath, start: Start, db: Db, user: Caller) -> Occurrence:
    return service.cancel_occurrence(db, user, event_id, service.parse_start(start))


@router.get("/events/{event_id}/review-pack.pdf", tags=TAGS, response_class=Response,
            responses={**problems(404), 200: {"content": {"application/pdf": {}},
                                              "description": "The review pack (PDF)"}},
            summary="The review pack of the event: plan, figures, health, open items (PDF)")
def review_pack_pdf(event_id: IdPath, db: Db, user: Caller, day: Today) -> Response:
    return Response(service.review_pack_pdf(db, user, event_id, day),
                    media_type="application/pdf",
                    headers={"Content-Disposition":
                             f'inline; filename="{pack.filename(event_id, "pdf")}"'})
