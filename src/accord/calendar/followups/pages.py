"""The follow-up pages: the list (filters, sort, pages), the form adding one (from an
account, or prefilled from a plan action, an opportunity or an interaction through
``?source_kind=…&source_id=…``), and one follow-up with its actions (edit, done, snooze with
a date, cancel with a reason, log an interaction and close it)."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from accord.accounts import service as account_service
from accord.accounts.models import InteractionKind
from accord.accounts.visibility import can_write, require_writer
from accord.calendar.followups import rules, service
from accord.calendar.followups.schemas import (
    SORTS,
    Filters,
    FollowUpOut,
    cancel_in,
    follow_up_in,
    follow_up_patch,
    log_in,
    snooze_in,
)
from accord.core import versions
from accord.core.errors import ValidationFailed
from accord.core.schemas import Flag, Id, PageNumber, SearchText, Word
from accord.plans.plan_view import contact_choices, owner_choices
from accord.web.flash import flash
from accord.web.page_deps import (
    Db,
    FormData,
    PageToday,
    PageUser,
    csrf,
    enum_choices,
    form_errors,
    form_values,
)
from accord.web.templating import render

router = APIRouter()
Today = PageToday  # the user's own date (their time zone)
PAGE_SIZE = 50
FIELDS = ("account_id", "title", "due_on", "due_time", "owner_id", "notes", "source_kind",
          "source_id")
EDIT_FIELDS = ("title", "due_on", "due_time", "owner_id", "notes")
LOG_FIELDS = ("kind", "occurred_on", "summary", "outcome")
LABELS = {"title": "Title", "due_on": "Due on", "due_time": "Due time", "owner_id": "Owner",
          "notes": "Notes"}
STATUS_CHOICES = [("open", "Open and snoozed"), ("all", "All"),
                  *[(s, rules.STATE_LABELS[s]) for s in rules.STATES]]
BADGES = {"overdue": "red", "due_today": "amber", "upcoming": "grey", "closed": "green"}


def _query(shown: dict[str, Any], **change: Any) -> str:
    merged = {**shown, **change}
    return urlencode({k: v for k, v in merged.items() if v not in (None, "", False)})


@router.get("/follow-ups")
def follow_ups_page(
    request: Request, user: PageUser, db: Db, day: Today, owner_id: Id | None = None,
    account_id: Id | None = None, status: Word = "open", due_before: date | None = None,
    due_after: date | None = None, overdue: Flag = False, q: SearchText | None = None,
    sort: Word = "due", page: PageNumber = 1,
) -> Any:
    shown = {"owner_id": owner_id, "account_id": account_id, "status": status,
             "due_before": due_before, "due_after": due_after,
             "overdue": "true" if overdue else None, "q": q, "sort": sort}
    account = account_service.get_account(db, user, account_id) if account_id else None
    errors: dict[str, str] = {}
    listing = None
    try:
        listing = service.list_follow_ups(db, user, Filters(
            today=day, owner_id=owner_id, account_id=account_id, status=status,
            due_before=due_before, due_after=due_after, overdue=overdue, q=q, sort=sort,
            page=page, page_size=PAGE_SIZE))
    except ValidationFailed as exc:
        errors = form_errors(exc)
    total = listing.total if listing else 0
    return render(request, "calendar/followups_list.html", {
        "user": user, "listing": listing, "errors": errors, "filters": shown,
        "account": account, "owners": service.owner_choices(db, user),
        "statuses": STATUS_CHOICES, "sorts": SORTS, "badges": BADGES, "today": day,
        "can_write": can_write(user), "query": lambda **change: _query(shown, **change),
        "pages": max(1, -(-total // PAGE_SIZE)), "page": page,
    }, status_code=422 if errors else 200)


def _new(request: Request, db: Any, user: Any, values: dict[str, Any],
         errors: dict[str, str], status_code: int = 200) -> Any:
    raw = str(values.get("account_id") or "").strip()
    account = account_service.get_account(db, user, int(raw)) \
        if raw.isdigit() and 0 < len(raw) < 11 and 0 < int(raw) <= 2_147_483_647 else None
    return render(request, "calendar/followups_new.html", {
        "user": user, "account": account, "values": values, "errors": errors,
        "owners": owner_choices(db, user, account.id) if account else [],
        "sources": [(k, rules.SOURCE_LABELS[k]) for k in rules.SOURCES],
    }, status_code=status_code)


@router.get("/follow-ups/new")
def new_follow_up(request: Request, user: PageUser, db: Db, account_id: Id | None = None,
                  source_kind: Word | None = None, source_id: Id | None = None) -> Any:
    require_writer(user)
    values = service.prefill(db, user, source_kind, source_id)
    if not values and account_id is not None:
        values = {"account_id": str(account_id)}
    values.setdefault("owner_id", str(user.id))
    return _new(request, db, user, values, {})


@router.post("/follow-ups", dependencies=csrf)
def create_follow_up(request: Request, user: PageUser, db: Db, form: FormData,
                     day: Today) -> Any:
    values = form_values(form, FIELDS)
    try:
        out = service.add_follow_up(db, user, follow_up_in(values), day)
    except ValidationFailed as exc:
        return _new(request, db, user, values, form_errors(exc), status_code=422)
    flash(request, f"Follow-up added: {out.title}.")
    return RedirectResponse(f"/follow-ups/{out.id}", status_code=303)


def _stored(f: FollowUpOut) -> dict[str, Any]:
    return {"title": f.title, "notes": f.notes, "due_on": f.due_on.isoformat(),
            "due_time": f.due_time or "", "owner_id": str(f.owner.id) if f.owner else ""}


def _local_due(f: FollowUpOut, zone_name: str) -> str | None:
    """The due instant in the reader's time zone, when it differs from the owner's."""
    if f.due_at is None or zone_name == f.time_zone:
        return None
    try:
        local = f.due_at.astimezone(rules.zone(zone_name))
    except rules.RuleError:
        return None
    return f"{local:%Y-%m-%d %H:%M} {zone_name}"


def _detail(request: Request, db: Any, user: Any, f: FollowUpOut, day: date, *,
            values: dict[str, Any] | None = None, errors: dict[str, dict[str, str]] | None = None,
            started: dict[str, Any] | None = None, changed: dict[str, str] | None = None,
            log_values: dict[str, Any] | None = None, status_code: int = 200) -> Any:
    stored = _stored(f)
    start = started or versions.form_started(f.version, stored)
    return render(request, "calendar/followups_detail.html", {
        "user": user, "f": f, "values": values or stored, "errors": errors or {},
        "form": versions.form_state(start, changed), "labels": LABELS, "badges": BADGES,
        "can_write": can_write(user), "owners": owner_choices(db, user, f.account_id),
        "contacts": contact_choices(db, user, f.account_id),
        "kinds": enum_choices(InteractionKind), "today": day,
        "local_due": _local_due(f, user.time_zone),
        "log_values": log_values or {"kind": "call", "occurred_on": day.isoformat()},
    }, status_code=status_code)


@router.get("/follow-ups/{follow_up_id}")
def follow_up_page(request: Request, follow_up_id: Id, user: PageUser, db: Db,
                   day: Today) -> Any:
    return _detail(request, db, user, service.get_follow_up(db, user, follow_up_id, day), day)


@router.post("/follow-ups/{follow_up_id}", dependencies=csrf)
def edit_follow_up(request: Request, follow_up_id: Id, user: PageUser, db: Db,
                   form: FormData, day: Today) -> Any:
    values = form_values(form, EDIT_FIELDS)
    expected = versions.form_expected(form_values(form, ("version", "original")),
                                      submitted=values)
    try:
        service.edit_follow_up(db, user, follow_up_id, follow_up_patch(values), day,
                               expected=expected)
    except versions.Stale as exc:
        current = service.get_follow_up(db, user, follow_up_id, day)
        started = {"version": exc.version, "original": versions.form_original(_stored(current))}
        return _detail(request, db, user, current, day, values=values, started=started,
                       changed=exc.changed, status_code=409)
    except ValidationFailed as exc:
        return _detail(request, db, user, service.get_follow_up(db, user, follow_up_id, day),
                       day, values=values, errors={"edit": form_errors(exc)},
                       status_code=422)
    flash(request, "Follow-up saved.")
    return RedirectResponse(f"/follow-ups/{follow_up_id}", status_code=303)


def _action_failed(request: Request, db: Any, user: Any, follow_up_id: int, day: date,
                   name: str, exc: ValidationFailed, log_values: dict[str, Any] | None = None
                   ) -> Any:
    return _detail(request, db, user, service.get_follow_up(db, user, follow_up_id, day), day,
                   log_values=log_values, errors={name: form_errors(exc)}, status_code=422)


def _back(form: Any, follow_up_id: int) -> str:
    """Where an action returns: the page it was clicked on (``next``: My day, the overdue
    list; a local path only), else the follow-up's page."""
    target = form.get("next") if form is not None else None
    if isinstance(target, str) and target.startswith("/") and not target.startswith(
            ("//", "/\\")) and not any(c in target for c in "\r\n"):
        return target
    return f"/follow-ups/{follow_up_id}"


@router.post("/follow-ups/{follow_up_id}/done", dependencies=csrf)
def done_follow_up(request: Request, follow_up_id: Id, user: PageUser, db: Db,
                   form: FormData, day: Today) -> Any:
    try:
        service.complete(db, user, follow_up_id, day)
    except ValidationFailed as exc:
        return _action_failed(request, db, user, follow_up_id, day, "done", exc)
    flash(request, "Follow-up done.")
    return RedirectResponse(_back(form, follow_up_id), status_code=303)


@router.post("/follow-ups/{follow_up_id}/snooze", dependencies=csrf)
def snooze_follow_up(request: Request, follow_up_id: Id, user: PageUser, db: Db,
                     form: FormData, day: Today) -> Any:
    try:
        until = snooze_in(form_values(form, ("until",))).until
        out = service.snooze(db, user, follow_up_id, until, day)
    except ValidationFailed as exc:
        return _action_failed(request, db, user, follow_up_id, day, "snooze", exc)
    flash(request, f"Snoozed until {out.snoozed_until}.")
    return RedirectResponse(_back(form, follow_up_id), status_code=303)


@router.post("/follow-ups/{follow_up_id}/cancel", dependencies=csrf)
def cancel_follow_up(request: Request, follow_up_id: Id, user: PageUser, db: Db,
                     form: FormData, day: Today) -> Any:
    try:
        reason = cancel_in(form_values(form, ("reason",))).reason
        service.cancel(db, user, follow_up_id, reason, today=day)
    except ValidationFailed as exc:
        return _action_failed(request, db, user, follow_up_id, day, "cancel", exc)
    flash(request, "Follow-up cancelled.")
    return RedirectResponse(f"/follow-ups/{follow_up_id}", status_code=303)


@router.post("/follow-ups/{follow_up_id}/log", dependencies=csrf)
def log_follow_up(request: Request, follow_up_id: Id, user: PageUser, db: Db,
                  form: FormData, day: Today) -> Any:
    values = form_values(form, LOG_FIELDS, multi=("contact_ids",))
    try:
        service.log_and_close(db, user, follow_up_id, log_in(values), day)
    except ValidationFailed as exc:
        return _action_failed(request, db, user, follow_up_id, day, "log", exc,
                              log_values=values)
    flash(request, "Interaction logged; follow-up done.")
    return RedirectResponse(f"/follow-ups/{follow_up_id}", status_code=303)
