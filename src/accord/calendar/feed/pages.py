"""The feed's pages: the feed itself (``/calendar/feed/{token}.ics``, no login: the secret
in the path is the identity), one's feed tokens (``/me/calendar-feed``) and the meetings
import (``/calendar/import``). Each form is handed to ``feed.service``, which holds every
rule."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Request, Response, UploadFile
from fastapi.responses import RedirectResponse

from accord.calendar import ics
from accord.calendar.feed import rules, service
from accord.calendar.feed.schemas import FeedTokenCreated, MeetingsImportOut
from accord.core.errors import NotFound, ValidationFailed
from accord.core.schemas import Id
from accord.web.deps import today
from accord.web.flash import flash
from accord.web.page_deps import Db, PageToday, PageUser, csrf, form_errors
from accord.web.templating import render

router = APIRouter()
Today = Annotated[date, Depends(today)]
TOKENS_PAGE = "/me/calendar-feed"
IMPORT_PAGE = "/calendar/import"
#: the feed is its user's alone: kept by their client a few minutes, by no shared cache
FEED_HEADERS = {"Cache-Control": "private, max-age=300", "X-Robots-Tag": "noindex, nofollow",
                "Referrer-Policy": "no-referrer"}
#: an unknown, revoked or misshapen token: the same answer for everybody
MISSING_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}


@router.get("/calendar/feed/{token}.ics")
def calendar_feed(token: str, db: Db, day: Today) -> Response:
    """The token's user's calendar (RFC 5545); no login."""
    try:
        body = service.feed(db, token, day)
    except NotFound:
        return Response("Not found\n", status_code=404, media_type="text/plain",
                        headers=MISSING_HEADERS)
    return Response(body, media_type="text/calendar; charset=utf-8", headers=FEED_HEADERS)


def _base(request: Request) -> str:
    return rules.base_url(request.app.state.settings, str(request.base_url))


def _tokens_page(request: Request, db: Any, user: Any, *, created: FeedTokenCreated | None = None,
                 errors: dict[str, str] | None = None, status_code: int = 200) -> Any:
    return render(request, "calendar/feed_tokens.html", {
        "user": user,
        "tokens": service.list_tokens(db, user),
        "created": created,
        "errors": errors or {},
        "max_live": rules.MAX_LIVE_TOKENS,
    }, status_code=status_code)


@router.get(TOKENS_PAGE)
def feed_tokens_page(request: Request, user: PageUser, db: Db) -> Any:
    return _tokens_page(request, db, user)


@router.post(TOKENS_PAGE, dependencies=csrf)
def create_feed_token(request: Request, user: PageUser, db: Db) -> Any:
    try:
        created = service.new_feed_url(db, user, base=_base(request))
    except ValidationFailed as exc:
        return _tokens_page(request, db, user, errors=form_errors(exc), status_code=422)
    return _tokens_page(request, db, user, created=created)


@router.post(TOKENS_PAGE + "/{feed_token_id}/revoke", dependencies=csrf)
def revoke_feed_token(request: Request, feed_token_id: Id, user: PageUser, db: Db) -> Any:
    revoked = service.revoke_token(db, user, feed_token_id)
    flash(request, f"Feed token {revoked.prefix}… revoked: its URL no longer works.")
    return RedirectResponse(TOKENS_PAGE, status_code=303)


def _import_page(request: Request, user: Any, *, result: MeetingsImportOut | None = None,
                 problems: list[str] | None = None, status_code: int = 200) -> Any:
    return render(request, "calendar/feed_import.html", {
        "user": user,
        "result": result,
        "problems": problems or [],
        "max_kb": ics.MAX_BYTES // 1024,
    }, status_code=status_code)


@router.get(IMPORT_PAGE)
def import_page(request: Request, user: PageUser) -> Any:
    return _import_page(request, user)


@router.post(IMPORT_PAGE, dependencies=csrf)
def import_meetings(request: Request, user: PageUser, db: Db, day: PageToday,
                    file: UploadFile = File(...)) -> Any:
    try:
        result = service.import_meetings(db, user, file.file.read(ics.MAX_BYTES + 1),
                                         today=day)
    except ValidationFailed as exc:
        return _import_page(request, user, problems=[p.message for p in exc.problems],
                            status_code=422)
    return _import_page(request, user, result=result)
