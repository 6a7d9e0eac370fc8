"""The account plan's pages: the current plan, starting one, the edit form of each part, the
shareable sections, the review, the key people, and the history of earlier plans.

Every form posts to a path under its account; a form naming an object (a key person) acts
only on the account's current plan and only on that plan's objects (404 otherwise), so a
path never reaches another account's plan. A failed form comes back with its errors next to
its fields and its values kept, and nothing written (422; a stale save 409)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from accord.accounts import service as account_service
from accord.accounts.visibility import require_writer
from accord.core import versions
from accord.core.errors import NotFound, ValidationFailed
from accord.core.schemas import Id
from accord.plans import rules, service
from accord.plans.plan_view import (
    EDIT_PARTS,
    LIST_FIELDS,
    base_context,
    contact_choices,
    current_or_404,
    plan_page,
    relmap_of,
)
from accord.plans.schemas import KeyPersonIn, KeyPersonPatch, PlanOut, PlanPatch, PlanStart
from accord.web.deps import today
from accord.web.flash import flash
from accord.web.page_deps import Db, FormData, PageUser, csrf, form_errors, form_values
from accord.web.templating import render

router = APIRouter()
Today = Annotated[date, Depends(today)]


def _back(account_id: int, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/accounts/{account_id}/plan{anchor}", status_code=303)


# ---------------------------------------------------------------- the plan


@router.get("/accounts/{account_id}/plan")
def plan(request: Request, account_id: Id, db: Db, user: PageUser, day: Today) -> Any:
    return plan_page(request, db, user, account_id, day)


@router.post("/accounts/{account_id}/plan", dependencies=csrf)
def start(
    request: Request, account_id: Id, db: Db, user: PageUser, day: Today, form: FormData
) -> Any:
    """Start a plan (the current one, if any, becomes history)."""
    require_writer(user)
    values = form_values(form, ("horizon_months", "copy_current"))
    try:
        horizon = (values.get("horizon_months") or "").strip()
        data = PlanStart.model_validate(
            {"horizon_months": int(horizon) if horizon.isdigit() and len(horizon) < 4
             else horizon or None,
             "copy_current": values.get("copy_current") == "on"}
        )
        started = service.start_plan(db, user, account_id, data, today=day)
    except (ValidationFailed, ValidationError) as exc:
        db.rollback()
        return plan_page(request, db, user, account_id, day, status_code=422,
                         forms={"start": {"values": values, "errors": form_errors(exc)}})
    flash(request, f"Plan started: {started.horizon_months} months, "
                   f"{started.starts_on} to {started.ends_on}.")
    return _back(account_id)


# ---------------------------------------------------------------- editing a part


def _part(section: str) -> tuple[str, ...]:
    fields = EDIT_PARTS.get(section)
    if fields is None:
        raise NotFound(f"a plan has no part {section!r} to edit")
    return fields


def _stored(plan: PlanOut, fields: tuple[str, ...]) -> dict[str, Any]:
    """The part's stored values as the service compares them (lists as lists)."""
    return {name: getattr(plan, name) for name in fields}


def _shown(values: dict[str, Any]) -> dict[str, str]:
    """A value as the form and the conflict box show it: a list one entry a line."""
    return {k: "\n".join(v) if isinstance(v, list) else (v or "") for k, v in values.items()}


def _edit_page(
    request: Request,
    user: Any,
    account: Any,
    plan: PlanOut,
    section: str,
    values: dict[str, str],
    errors: dict[str, str],
    *,
    started: dict[str, Any],
    changed: dict[str, str] | None = None,
    status_code: int = 200,
) -> Any:
    shown_changed = None
    if changed:
        current = _shown(_stored(plan, tuple(changed)))
        shown_changed = {name: current.get(name, value) for name, value in changed.items()}
    context = base_context(user, account, plan)
    context.update(
        {
            "section": section,
            "fields": EDIT_PARTS[section],
            "list_fields": LIST_FIELDS,
            "values": values,
            "errors": errors,
            **versions.form_state(started, shown_changed),
        }
    )
    return render(request, "plans/plan_edit.html", context, status_code=status_code)


@router.get("/accounts/{account_id}/plan/edit/{section}")
def edit_part(
    request: Request, account_id: Id, section: str, db: Db, user: PageUser, day: Today
) -> Any:
    require_writer(user)
    fields = _part(section)
    plan = current_or_404(db, user, account_id, day)
    account = account_service.get_account(db, user, account_id)
    stored = _stored(plan, fields)
    return _edit_page(request, user, account, plan, section, _shown(stored), {},
                      started=versions.form_started(plan.version, stored))


@router.post("/accounts/{account_id}/plan/edit/{section}", dependencies=csrf)
def save_part(
    request: Request, account_id: Id, section: str, db: Db, user: PageUser, day: Today,
    form: FormData,
) -> Any:
    require_writer(user)
    fields = _part(section)
    plan = current_or_404(db, user, account_id, day)
    values = {name: values_of(form, name) for name in fields}
    started = form_values(form, ("version", "original"))
    patch: dict[str, Any] = {
        name: [line.strip() for line in value.splitlines() if line.strip()]
        if name in LIST_FIELDS else value
        for name, value in values.items()
    }
    try:
        data = PlanPatch.model_validate(patch)
        service.update_plan(db, user, plan.id, data, today=day,
                            expected=versions.form_expected(started, patch))
    except versions.Stale as exc:  # the input stays; the form now starts from the store
        db.rollback()
        plan = current_or_404(db, user, account_id, day)
        account = account_service.get_account(db, user, account_id)
        return _edit_page(request, user, account, plan, section, values, {},
                          started=versions.form_started(plan.version, _stored(plan, fields)),
                          changed=exc.changed, status_code=409)
    except (ValidationFailed, ValidationError) as exc:
        db.rollback()
        account = account_service.get_account(db, user, account_id)
        return _edit_page(request, user, account, plan, section, values, form_errors(exc),
                          started=started, status_code=422)
    flash(request, f"{rules.SECTION_LABELS.get(section, section)} saved.")
    return _back(account_id, f"#{section}")


def values_of(form: Any, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


# ---------------------------------------------------------------- sharing and review


@router.post("/accounts/{account_id}/plan/sharing", dependencies=csrf)
def choose_shared(
    request: Request, account_id: Id, db: Db, user: PageUser, day: Today, form: FormData
) -> Any:
    """The sections a share link shows the client."""
    require_writer(user)
    plan = current_or_404(db, user, account_id, day)
    chosen = form_values(form, (), multi=("shared_sections",))["shared_sections"]
    started = form_values(form, ("version", "original"))
    try:
        data = PlanPatch.model_validate({"shared_sections": chosen})
        ordered = [s for s in rules.SECTIONS if s in set(chosen)]
        service.update_plan(db, user, plan.id, data, today=day,
                            expected=versions.form_expected(started, {"shared_sections": ordered}))
    except versions.Stale:
        db.rollback()
        flash(request, "Someone changed the shared sections meanwhile: check them and save "
                       "again.", "warning")
        return _back(account_id, "#sharing")
    except (ValidationFailed, ValidationError) as exc:
        db.rollback()
        return plan_page(request, db, user, account_id, day, status_code=422, forms={
            "sharing": {"values": {"shared_sections": chosen}, "errors": form_errors(exc)}})
    flash(request, "Shared sections saved." if chosen else "Nothing of the plan is shared now.")
    return _back(account_id, "#sharing")


@router.post("/accounts/{account_id}/plan/review", dependencies=csrf)
def mark_reviewed(request: Request, account_id: Id, db: Db, user: PageUser, day: Today) -> Any:
    require_writer(user)
    plan = current_or_404(db, user, account_id, day)
    service.mark_reviewed(db, user, plan.id, today=day)
    flash(request, f"Plan marked reviewed on {day}.")
    return _back(account_id)


# ---------------------------------------------------------------- key people


def _people_page(
    request: Request, db: Any, user: Any, account_id: int, day: date,
    forms: dict[str, dict[str, Any]] | None = None, status_code: int = 200,
) -> Any:
    plan = current_or_404(db, user, account_id, day)
    account = account_service.get_account(db, user, account_id)
    taken = {p.contact_id for p in plan.key_people}
    context = base_context(user, account, plan)
    context.update(
        {
            "relmap": relmap_of(plan),
            "contacts": [c for c in contact_choices(db, user, account_id)
                         if int(c[0]) not in taken],
            "people_choices": [(str(p.contact_id), p.name) for p in plan.key_people],
            "forms": forms or {},
        }
    )
    return render(request, "plans/plan_people.html", context, status_code=status_code)


def _person(plan: PlanOut, person_id: int) -> Any:
    for person in plan.key_people:
        if person.id == person_id:
            return person
    raise NotFound(f"no key person {person_id} in this plan")


PERSON_FIELDS = ("contact_id", "buying_role", "reports_to_contact_id", "note")


@router.get("/accounts/{account_id}/plan/people")
def people(request: Request, account_id: Id, db: Db, user: PageUser, day: Today) -> Any:
    require_writer(user)
    return _people_page(request, db, user, account_id, day)


@router.post("/accounts/{account_id}/plan/people", dependencies=csrf)
def add_person(
    request: Request, account_id: Id, db: Db, user: PageUser, day: Today, form: FormData
) -> Any:
    require_writer(user)
    plan = current_or_404(db, user, account_id, day)
    values = form_values(form, PERSON_FIELDS)
    try:
        service.add_key_person(db, user, plan.id, KeyPersonIn.model_validate(values), today=day)
    except (ValidationFailed, ValidationError) as exc:
        db.rollback()
        return _people_page(request, db, user, account_id, day, status_code=422,
                            forms={"add": {"values": values, "errors": form_errors(exc)}})
    flash(request, "Key person added.")
    return RedirectResponse(f"/accounts/{account_id}/plan/people", status_code=303)


@router.post("/accounts/{account_id}/plan/people/{person_id}", dependencies=csrf)
def save_person(
    request: Request, account_id: Id, person_id: Id, db: Db, user: PageUser, day: Today,
    form: FormData,
) -> Any:
    require_writer(user)
    person = _person(current_or_404(db, user, account_id, day), person_id)
    values = form_values(form, PERSON_FIELDS[1:])
    try:
        data = KeyPersonPatch.model_validate(
            {name: values.get(name) for name in PERSON_FIELDS[1:]})
        service.update_key_person(db, user, person.id, data, today=day)
    except (ValidationFailed, ValidationError) as exc:
        db.rollback()
        return _people_page(request, db, user, account_id, day, status_code=422, forms={
            f"person-{person_id}": {"values": values, "errors": form_errors(exc)}})
    flash(request, f"{person.name} saved.")
    return RedirectResponse(f"/accounts/{account_id}/plan/people", status_code=303)


@router.post("/accounts/{account_id}/plan/people/{person_id}/remove", dependencies=csrf)
def remove_person(
    request: Request, account_id: Id, person_id: Id, db: Db, user: PageUser, day: Today
) -> Any:
    require_writer(user)
    plan = current_or_404(db, user, account_id, day)
    person = _person(plan, person_id)
    service.remove_key_person(db, user, plan.id, person.id, today=day)
    flash(request, f"{person.name} is no longer a key person of the plan.")
    return RedirectResponse(f"/accounts/{account_id}/plan/people", status_code=303)


# ---------------------------------------------------------------- history


@router.get("/accounts/{account_id}/plans")
def history(request: Request, account_id: Id, db: Db, user: PageUser) -> Any:
    plans = service.plan_history(db, user, account_id)
    account = account_service.get_account(db, user, account_id)
    return render(request, "plans/history.html", {"user": user, "account": account,
                                                  "plans": plans})


@router.get("/accounts/{account_id}/plans/{plan_id}")
def earlier_plan(
    request: Request, account_id: Id, plan_id: Id, db: Db, user: PageUser, day: Today
) -> Any:
    """One plan of the history, read-only (the current one is the plan page)."""
    shown = service.get_plan(db, user, plan_id, today=day)
    if shown.account_id != account_id:
        raise NotFound(f"no plan {plan_id}")
    account = account_service.get_account(db, user, account_id)
    context = base_context(user, account, shown)
    context.update({"can_write": False, "relmap": relmap_of(shown), "owners": [],
                    "may_start": False, "horizons": [], "forms": {},
                    "today": day.isoformat(), "read_only_view": True})
    return render(request, "plans/plan.html", context)
