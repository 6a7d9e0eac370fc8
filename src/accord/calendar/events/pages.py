"""The event pages: the form scheduling an event on an account (one-off, or recurring by a
friendly preset — weekly, monthly, quarterly… — or a raw RRULE), an event with its
attendees, agenda and occurrences (their outcomes, cancel one), the form recording an
occurrence's outcome, the review pack (HTML, PDF)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from accord.accounts import service as account_service
from accord.accounts.visibility import can_write, require_writer
from accord.calendar.events import pack, rules, service
from accord.calendar.events.schemas import KIND_LABELS, event_in, outcome_in
from accord.core.errors import AccordError, ValidationFailed
from accord.core.schemas import Id, Word
from accord.plans.plan_view import contact_choices, owner_choices
from accord.web.flash import flash
from accord.web.page_deps import Db, FormData, PageToday, PageUser, csrf, form_errors, form_values
from accord.web.templating import render

router = APIRouter()
Today = PageToday  # the user's own date (their time zone)
FIELDS = ("kind", "title", "agenda", "location", "starts_at", "ends_at", "time_zone", "repeat",
          "rrule")
MULTI = ("user_ids", "contact_ids")
REPEATS = [("", "Does not repeat"), ("weekly", "Every week"),
           ("fortnightly", "Every two weeks"), ("monthly", "Every month"),
           ("quarterly", "Every three months"), ("yearly", "Every year")]
OUTCOME_FIELDS = ("kind", "summary", "outcome", "sentiment", "occurred_on")
INTERACTION_KINDS = [("", "— as the event —"), ("meeting", "Meeting"), ("call", "Call"),
                     ("email", "E-mail"), ("business_review", "Business review"),
                     ("note", "Note")]


def _with_rule(values: dict[str, Any]) -> dict[str, Any]:
    """A preset becomes its RRULE unless a raw rule is typed."""
    out = dict(values)
    preset = rules.PRESETS.get(str(values.get("repeat") or ""))
    if not values.get("rrule") and preset:
        out["rrule"] = preset
    return out


def _form(request: Request, db: Any, user: Any, account_id: int, *, values: dict[str, Any],
          errors: dict[str, str], status_code: int = 200) -> Any:
    account = account_service.get_account(db, user, account_id)
    return render(request, "calendar/events_form.html", {
        "user": user, "account": account, "values": values, "errors": errors,
        "kinds": list(KIND_LABELS.items()), "repeats": REPEATS,
        "people": owner_choices(db, user, account_id),
        "contacts": contact_choices(db, user, account_id),
    }, status_code=status_code)


@router.get("/accounts/{account_id}/events/new")
def new_event(request: Request, account_id: Id, user: PageUser, db: Db,
              kind: Word | None = None) -> Any:
    account_service.get_account(db, user, account_id)
    require_writer(user)
    chosen = kind if kind in KIND_LABELS else "meeting"
    values = {"kind": chosen, "time_zone": service.viewer_zone(user),
              "title": KIND_LABELS[chosen] if chosen == "business_review" else "",
              "user_ids": [str(user.id)], "contact_ids": []}
    return _form(request, db, user, account_id, values=values, errors={})


@router.post("/accounts/{account_id}/events", dependencies=csrf)
def create_event(request: Request, account_id: Id, user: PageUser, db: Db,
                 form: FormData) -> Any:
    values = form_values(form, FIELDS, multi=MULTI)
    try:
        out = service.create_event(db, user, event_in(
            {**_with_rule(values), "account_id": account_id}))
    except ValidationFailed as exc:
        return _form(request, db, user, account_id, values=values, errors=form_errors(exc),
                     status_code=422)
    flash(request, f"Event scheduled: {out.title}.")
    return RedirectResponse(f"/events/{out.id}", status_code=303)


def _detail(request: Request, db: Any, user: Any, event_id: int, day: date, *,
            errors: dict[str, str] | None = None, status_code: int = 200) -> Any:
    detail = service.event_detail(db, user, event_id, day)
    return render(request, "calendar/events_detail.html", {
        "user": user, "e": detail, "can_write": can_write(user), "errors": errors or {},
        "kind_labels": KIND_LABELS, "today": day,
    }, status_code=status_code)


@router.get("/events/{event_id}")
def event_page(request: Request, event_id: Id, user: PageUser, db: Db, day: Today) -> Any:
    return _detail(request, db, user, event_id, day)


@router.post("/events/{event_id}/cancel", dependencies=csrf)
def cancel_event(request: Request, event_id: Id, user: PageUser, db: Db) -> Any:
    service.cancel_event(db, user, event_id)
    flash(request, "Event cancelled.")
    return RedirectResponse(f"/events/{event_id}", status_code=303)


def _outcome_form(request: Request, db: Any, user: Any, event_id: int, start: str, day: date,
                  *, values: dict[str, Any], errors: dict[str, str], status_code: int = 200
                  ) -> Any:
    at = service.parse_start(start)
    event = service.get_event(db, user, event_id)
    return render(request, "calendar/events_outcome.html", {
        "user": user, "e": event, "at": at, "start": at.strftime("%Y%m%dT%H%M%SZ"),
        "local": rules.to_local(at, rules.zone(service.viewer_zone(user))),
        "values": values, "errors": errors, "kinds": INTERACTION_KINDS,
    }, status_code=status_code)


@router.get("/events/{event_id}/occurrences/{start}/outcome")
def outcome_form(request: Request, event_id: Id, start: Word, user: PageUser, db: Db,
                 day: Today) -> Any:
    require_writer(user)
    return _outcome_form(request, db, user, event_id, start, day, values={}, errors={})


@router.post("/events/{event_id}/occurrences/{start}/outcome", dependencies=csrf)
def record_outcome(request: Request, event_id: Id, start: Word, user: PageUser, db: Db,
                   form: FormData, day: Today) -> Any:
    values = form_values(form, OUTCOME_FIELDS)
    try:
        service.record_outcome(db, user, event_id, service.parse_start(start),
                               outcome_in(values), today=day)
    except AccordError as exc:
        if exc.status in (401, 403, 404):
            raise
        db.rollback()
        errors = form_errors(exc) if isinstance(exc, ValidationFailed) \
            else {"summary": exc.detail}
        return _outcome_form(request, db, user, event_id, start, day, values=values,
                             errors=errors, status_code=exc.status)
    flash(request, "Outcome recorded on the account's timeline.")
    return RedirectResponse(f"/events/{event_id}", status_code=303)


@router.post("/events/{event_id}/occurrences/{start}/cancel", dependencies=csrf)
def cancel_occurrence(request: Request, event_id: Id, start: Word, user: PageUser, db: Db,
                      day: Today) -> Any:
    try:
        service.cancel_occurrence(db, user, event_id, service.parse_start(start))
    except AccordError as exc:
        if exc.status in (401, 403, 404):
            raise
        return _detail(request, db, user, event_id, day, errors={"occurrence": exc.detail},
                       status_code=exc.status)
    flash(request, "Occurrence cancelled.")
    return RedirectResponse(f"/events/{event_id}", status_code=303)


@router.get("/events/{event_id}/review-pack", response_class=HTMLResponse)
def review_pack_page(event_id: Id, user: PageUser, db: Db, day: Today) -> HTMLResponse:
    return HTMLResponse(pack.review_pack_html(db, user, event_id, day))


@router.get("/events/{event_id}/review-pack.pdf")
def review_pack_pdf(event_id: Id, user: PageUser, db: Db, day: Today) -> Response:
    return Response(service.review_pack_pdf(db, user, event_id, day),
                    media_type="application/pdf",
                    headers={"Content-Disposition":
                             f'inline; filename="{pack.filename(event_id, "pdf")}"'})
