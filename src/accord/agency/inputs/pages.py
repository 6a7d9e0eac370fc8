"""The client input pages: the list (filters, sort, pages; overdue and escalated flagged),
the form requesting one (from an account's Work tab, optionally for one of its briefs), one
request with its chases (the drafted e-mail, "Open in my mail client", "Mark as sent"),
received and cancel; the account's agreed chase interval (from the Work tab panel); the
agency setting (``/admin/agency``) and "run the chases now"."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from accord.accounts.visibility import can_write, require_writer
from accord.agency.inputs import rules, service
from accord.agency.inputs.schemas import (
    SORTS,
    Filters,
    InputDetail,
    cancel_in,
    input_in,
    interval_in,
    received_in,
    settings_in,
)
from accord.core.errors import ValidationFailed
from accord.core.models import Role
from accord.core.roles import require_role
from accord.core.schemas import Flag, Id, PageNumber, SearchText, Word
from accord.web.flash import flash
from accord.web.page_deps import (
    Db,
    FormData,
    PageToday,
    PageUser,
    csrf,
    form_errors,
    form_values,
)
from accord.web.templating import render

router = APIRouter()
Today = PageToday
PAGE_SIZE = 50
FIELDS = ("account_id", "title", "contact_id", "brief_id", "reason", "due_on", "chase_days")
STATUS_CHOICES = [("open", "Open"), ("received", "Received"), ("cancelled", "Cancelled"),
                  ("all", "All")]
SORT_LABELS = [("title", "What"), ("account", "Account"), ("due", "Due"),
               ("next_chase", "Next chase")]
SETTERS = (Role.ADMIN, Role.HEAD)


def _query(shown: dict[str, Any], **change: Any) -> str:
    merged = {**shown, **change}
    return urlencode({k: v for k, v in merged.items() if v not in (None, "", False)})


def _local(target: Any, default: str) -> str:
    """A local path to return to (``next``), else ``default``."""
    if isinstance(target, str) and target.startswith("/") and not target.startswith(
            ("//", "/\\")) and not any(c in target for c in "\r\n"):
        return target
    return default


@router.get("/inputs")
def inputs_page(
    request: Request, user: PageUser, db: Db, day: Today, status: Word = "open",
    overdue: Flag = False, escalated: Flag = False, account_id: Id | None = None,
    owner_id: Id | None = None, q: SearchText | None = None, sort: Word = "due",
    page: PageNumber = 1,
) -> Any:
    shown = {"status": status, "overdue": "true" if overdue else None,
             "escalated": "true" if escalated else None, "account_id": account_id,
             "owner_id": owner_id, "q": q, "sort": sort}
    errors: dict[str, str] = {}
    listing = None
    try:
        listing = service.list_inputs(db, user, Filters(
            today=day, status=status, overdue=overdue, escalated=escalated,
            account_id=account_id, owner_id=owner_id, q=q, sort=sort, page=page,
            page_size=PAGE_SIZE))
    except ValidationFailed as exc:
        errors = form_errors(exc)
    total = listing.total if listing else 0
    return render(request, "agency/inputs_list.html", {
        "user": user, "listing": listing, "errors": errors, "filters": shown,
        "statuses": STATUS_CHOICES, "sorts": SORTS, "sort_labels": SORT_LABELS, "today": day,
        "can_chase": user.role == Role.ADMIN.value,
        "query": lambda **change: _query(shown, **change),
        "pages": max(1, -(-total // PAGE_SIZE)), "page": page,
    }, status_code=422 if errors else 200)


def _new(request: Request, db: Any, user: Any, account_id: int, values: dict[str, Any],
         errors: dict[str, str], status_code: int = 200) -> Any:
    choices = service.form_choices(db, user, account_id)
    return render(request, "agency/inputs_new.html", {
        "user": user, "values": values, "errors": errors, **choices,
    }, status_code=status_code)


@router.get("/inputs/new")
def new_input(request: Request, user: PageUser, db: Db, day: Today, account_id: Id,
              brief_id: Id | None = None) -> Any:
    require_writer(user)
    values = {"account_id": str(account_id), "brief_id": str(brief_id) if brief_id else "",
              "due_on": ""}
    return _new(request, db, user, account_id, values, {})


@router.post("/inputs", dependencies=csrf)
def create_input(request: Request, user: PageUser, db: Db, form: FormData,
                 day: Today) -> Any:
    values = form_values(form, FIELDS)
    raw = str(values.get("account_id") or "").strip()
    try:
        out = service.request_input(db, user, input_in(values), day)
    except ValidationFailed as exc:
        if not (raw.isdigit() and 0 < len(raw) < 11 and 0 < int(raw) <= 2_147_483_647):
            raise
        return _new(request, db, user, int(raw), values, form_errors(exc), status_code=422)
    flash(request, f"Input requested: {out.title}. First chase on {out.next_chase_on}.")
    return RedirectResponse(f"/inputs/{out.id}", status_code=303)


def _detail(request: Request, user: Any, i: InputDetail, day: date, *,
            errors: dict[str, dict[str, str]] | None = None,
            values: dict[str, Any] | None = None, status_code: int = 200) -> Any:
    return render(request, "agency/inputs_detail.html", {
        "user": user, "i": i, "today": day, "errors": errors or {},
        "values": values or {"on": day.isoformat()}, "can_write": can_write(user),
        "labels": rules.STATE_LABELS,
    }, status_code=status_code)


@router.get("/inputs/{input_id}")
def input_page(request: Request, input_id: Id, user: PageUser, db: Db, day: Today) -> Any:
    return _detail(request, user, service.get_input(db, user, input_id, day), day)


@router.post("/inputs/{input_id}/received", dependencies=csrf)
def received(request: Request, input_id: Id, user: PageUser, db: Db, form: FormData,
             day: Today) -> Any:
    values = form_values(form, ("on", "note"))
    try:
        data = received_in(values)
        service.received(db, user, input_id, day, on=data.on, note=data.note)
    except ValidationFailed as exc:
        return _detail(request, user, service.get_input(db, user, input_id, day), day,
                       errors={"received": form_errors(exc)}, values=values, status_code=422)
    flash(request, "Input received.")
    return RedirectResponse(f"/inputs/{input_id}", status_code=303)


@router.post("/inputs/{input_id}/cancel", dependencies=csrf)
def cancel(request: Request, input_id: Id, user: PageUser, db: Db, form: FormData,
           day: Today) -> Any:
    values = form_values(form, ("reason",))
    try:
        service.cancel_input(db, user, input_id, day, cancel_in(values).reason)
    except ValidationFailed as exc:
        return _detail(request, user, service.get_input(db, user, input_id, day), day,
                       errors={"cancel": form_errors(exc)}, values=values, status_code=422)
    flash(request, "Input request cancelled.")
    return RedirectResponse(f"/inputs/{input_id}", status_code=303)


@router.post("/chases/{chase_id}/sent", dependencies=csrf)
def chase_sent(request: Request, chase_id: Id, user: PageUser, db: Db, form: FormData,
               day: Today) -> Any:
    out = service.mark_chase_sent(db, user, chase_id, day)
    flash(request, "Chase marked as sent; logged as an e-mail.")
    return RedirectResponse(_local(form.get("next"), f"/inputs/{out.id}"), status_code=303)


@router.post("/accounts/{account_id}/chase-interval", dependencies=csrf)
def chase_interval(request: Request, account_id: Id, user: PageUser, db: Db, form: FormData,
                   day: Today) -> Any:
    back = _local(form.get("next"), f"/accounts/{account_id}/work")  # the Work tab
    days = interval_in(form_values(form, ("chase_days",))).chase_days
    panel = service.set_account_chase_days(db, user, account_id, days, day)
    flash(request, f"Chase interval: every {panel.effective_chase_days} working days.")
    return RedirectResponse(back, status_code=303)


@router.post("/inputs/chase-now", dependencies=csrf)
def chase_now(request: Request, user: PageUser, db: Db, day: Today) -> Any:
    run = service.chase_now(db, user, day)
    flash(request, f"Chases run: {run.chased} chased, {run.escalated} escalated.")
    return RedirectResponse("/inputs", status_code=303)


def _settings(request: Request, user: Any, values: dict[str, Any], errors: dict[str, str],
              status_code: int = 200) -> Any:
    return render(request, "agency/inputs_settings.html", {
        "user": user, "values": values, "errors": errors}, status_code=status_code)


@router.get("/admin/agency")
def settings_page(request: Request, user: PageUser, db: Db) -> Any:
    require_role(user, *SETTERS)
    current = service.agency_settings_of(db, user)
    return _settings(request, user, {k: str(v) for k, v in current.model_dump().items()}, {})


@router.post("/admin/agency", dependencies=csrf)
def save_settings(request: Request, user: PageUser, db: Db, form: FormData) -> Any:
    require_role(user, *SETTERS)
    values = form_values(form, ("escalate_after", "default_chase_days"))
    try:
        service.save_agency_settings(db, user, settings_in(values))
    except ValidationFailed as exc:
        return _settings(request, user, values, form_errors(exc), status_code=422)
    flash(request, "Agency setting saved.")
    return RedirectResponse("/admin/agency", status_code=303)
