"""The pages of My day (``/today``, the home page of managers and heads), the calendar
(``/calendar?view=month|week&date=YYYY-MM-DD``) and the overdue list (``/overdue``, with its
CSV and Excel export)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from accord.calendar.myday import export, rules, service
from accord.calendar.myday.schemas import OVERDUE_KINDS
from accord.core.errors import NotFound, ValidationFailed
from accord.core.schemas import Id, PageNumber, Word
from accord.web.page_deps import Db, PageToday, PageUser, form_errors
from accord.web.templating import render

router = APIRouter()
Today = PageToday  # the user's own date (their time zone)
KIND_LABELS = {"follow_up": "Follow-up", "plan_action": "Plan action", "handoff": "Hand-off",
               "review": "Business review", "event": "Event", "renewal": "Renewal",
               "at_risk": "At risk"}


def _choices(db: Any, user: Any) -> list[Any]:
    """The manager filter's choices (heads, admins and the roles that see everything)."""
    if user.role in ("head", "admin", "viewer", "billing"):
        return service.manager_choices(db, user)
    return []


@router.get("/today")
def today_page(request: Request, user: PageUser, db: Db, day: Today,
               manager_id: Id | None = None) -> Any:
    errors: dict[str, str] = {}
    try:
        out = service.my_day(db, user, day, manager_id=manager_id)
    except ValidationFailed as exc:
        errors = form_errors(exc)
        out = service.my_day(db, user, day)
    return render(request, "calendar/myday_today.html", {
        "user": user, "myday": out, "choices": _choices(db, user), "errors": errors,
        "kinds": KIND_LABELS, "back": request.url.path + (f"?{request.url.query}"
                                                         if request.url.query else ""),
    }, status_code=422 if errors else 200)


@router.get("/calendar")
def calendar_page(request: Request, user: PageUser, db: Db, day: Today,
                  view: Word = "month", date: Word | None = None) -> Any:
    try:
        shown = rules.parse_day(date) if date else day
        out = service.calendar_view(db, user, day, view=view, day=shown)
    except ValidationFailed as exc:
        return render(request, "calendar/myday_calendar.html", {
            "user": user, "cal": service.calendar_view(db, user, day), "kinds": KIND_LABELS,
            "errors": form_errors(exc)}, status_code=422)
    return render(request, "calendar/myday_calendar.html", {
        "user": user, "cal": out, "kinds": KIND_LABELS, "errors": {}})


@router.get("/overdue")
def overdue_page(request: Request, user: PageUser, db: Db, day: Today,
                 manager_id: Id | None = None, kind: Word | None = None,
                 page: PageNumber = 1) -> Any:
    filters: dict[str, Any] = {"manager_id": manager_id, "kind": kind or None}
    try:
        out = service.overdue_list(db, user, day, manager_id=manager_id, kind=kind or None,
                                   page=page)
        errors: dict[str, str] = {}
    except ValidationFailed as exc:
        errors = form_errors(exc)
        out = service.overdue_list(db, user, day)
    query = urlencode({k: v for k, v in filters.items() if v is not None})
    return render(request, "calendar/myday_overdue.html", {
        "user": user, "listing": out, "filters": filters, "query": query, "errors": errors,
        "choices": _choices(db, user), "kinds": KIND_LABELS, "overdue_kinds": OVERDUE_KINDS,
        "back": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
    }, status_code=422 if errors else 200)


@router.get("/overdue/export.{fmt}")
def overdue_export(user: PageUser, db: Db, day: Today, fmt: Word,
                   manager_id: Id | None = None, kind: Word | None = None) -> Response:
    """The overdue list with the page's filters, every item, as CSV or Excel."""
    if fmt not in export.FORMATS:
        raise NotFound(f"no export overdue.{fmt}")
    rows = service.overdue_rows(db, user, day, manager_id=manager_id, kind=kind or None)
    return Response(export.write(rows, fmt), media_type=export.MEDIA[fmt], headers={
        "Content-Disposition": f'attachment; filename="accord-overdue-{day.isoformat()}.{fmt}"'})
