"""REST API of one's calendar feed tokens and of the ``.ics`` meetings import. (The feed
itself, ``GET /calendar/feed/{token}.ics``, is a page route: ``feed.pages``.)"""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, File, Request, Response, UploadFile

from accord.api.common import Caller, CallerToday, Db, IdPath, problems
from accord.calendar import ics
from accord.calendar.feed import rules, service
from accord.calendar.feed.schemas import FeedTokenCreated, FeedTokenOut, MeetingsImportOut

router = APIRouter()
TAGS: list[str | Enum] = ["calendar"]
Today = CallerToday  # the caller's own date (their time zone)


def _base(request: Request) -> str:
    return rules.base_url(request.app.state.settings, str(request.base_url))


@router.get("/me/feed-tokens", tags=TAGS, response_model=list[FeedTokenOut],
            responses=problems(403), summary="Your calendar feed tokens (never their secrets)")
def list_feed_tokens(db: Db, user: Caller) -> list[FeedTokenOut]:
    return service.list_tokens(db, user)


@router.post(
    "/me/feed-tokens", tags=TAGS, status_code=201, response_model=FeedTokenCreated,
    responses=problems(403),
    summary="A new calendar feed token: the feed's URL, shown once",
    description="Subscribe to `url` in a calendar application: your events (with their "
    "RRULE), open follow-ups as all-day events and your accounts' renewal notice deadlines, "
    f"only what you may see. At most {rules.MAX_LIVE_TOKENS} live tokens (422 on `token`). "
    "Whoever holds the URL reads the feed: revoke a token you gave away.",
)
def create_feed_token(db: Db, user: Caller, request: Request) -> FeedTokenCreated:
    return service.new_feed_url(db, user, base=_base(request))


@router.delete("/me/feed-tokens/{feed_token_id}", tags=TAGS, status_code=204,
               responses=problems(404),
               summary="Revoke a calendar feed token (yours; an admin: anybody's)",
               description="The feed answers 404 at once. Revoking twice changes nothing.")
def delete_feed_token(feed_token_id: IdPath, db: Db, user: Caller) -> Response:
    service.revoke_token(db, user, feed_token_id)
    return Response(status_code=204)


@router.post(
    "/calendar/meetings/import", tags=TAGS, response_model=MeetingsImportOut,
    responses=problems(403),
    summary="Import past meetings from an iCalendar (.ics) file as interactions",
    description="Each event (VEVENT) with a UID whose attendees or organiser are contacts "
    "(by e-mail) of exactly one account you may change becomes a `meeting` interaction on "
    "it, dated DTSTART's day in your time zone, with those contacts. A UID imported before "
    "is `already_imported`; no account or several are `unmatched`; future, cancelled and "
    "recurring events are `skipped` — each with the reason. At most "
    f"{ics.MAX_BYTES // 1024} kB. A file that is not a calendar is a 422 on `file` and "
    "nothing is written.",
)
def import_meetings(
    db: Db, user: Caller, day: Today,
    file: Annotated[UploadFile, File(description="An iCalendar file (.ics, UTF-8)")],
) -> MeetingsImportOut:
    return service.import_meetings(db, user, file.file.read(ics.MAX_BYTES + 1), today=day)
