"""The account page's forms: contacts (add, edit, unlink), interactions, team members, timeline.

A form with errors re-renders the whole account page (422) with the values kept and the
messages next to their fields; success redirects back to the account page (303).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from accord.accounts import contacts as contact_service
from accord.accounts import service
from accord.accounts.models import BuyingRole, InteractionKind, Seniority, Stance
from accord.accounts.schemas import ContactIn, InteractionIn
from accord.accounts.visibility import require_writer
from accord.core import versions
from accord.core.errors import FieldProblem, NotFound, ValidationFailed
from accord.core.periods import month_index
from accord.core.schemas import MAX_ID, Count, Id
from accord.glance import profile
from accord.web.charts import bar_chart
from accord.web.deps import today
from accord.web.flash import flash
from accord.web.page_deps import (
    Db,
    FormData,
    PageUser,
    csrf,
    enum_choices,
    form_errors,
    form_values,
)
from accord.web.templating import render

router = APIRouter()

CONTACT_FIELDS = tuple(ContactIn.model_fields)
INTERACTION_FIELDS = ("kind", "occurred_on", "summary", "outcome", "sentiment")
STATUS_BADGES = {
    "active": "green",
    "onboarding": "blue",
    "prospect": "grey",
    "lapsed": "amber",
    "churned": "red",
}
ROLE_BADGES = {
    "decision_maker": "blue",
    "champion": "green",
    "influencer": "grey",
    "user": "grey",
    "blocker": "red",
}


def account_page_context(
    user: Any, view: profile.AccountProfile, **extra: Any
) -> dict[str, Any]:
    """Everything accounts/detail.html needs; ``extra`` carries a failed form's values/errors."""
    revenue = view.revenue
    chart = bar_chart(
        [r.month for r in revenue],
        [r.amount for r in revenue],
        width=600,
        height=280,
        title=f"Monthly revenue, {revenue[0].month} to {revenue[-1].month}"
        if revenue
        else "Monthly revenue",
    )
    delta = None
    if view.previous_12:
        delta = (view.trailing_12 - view.previous_12) / view.previous_12
    context: dict[str, Any] = {
        "user": user,
        "view": view,
        "account": view.account,
        "can_write": view.can_write,
        "chart": chart,
        "t12_delta": delta,
        "zero": Decimal("0.00"),
        "badges": STATUS_BADGES,
        "role_badges": ROLE_BADGES,
        "buying_roles": enum_choices(BuyingRole),
        "seniorities": enum_choices(Seniority),
        "stances": enum_choices(Stance),
        "interaction_kinds": enum_choices(InteractionKind),
        "today": today().isoformat(),
        "participants": _participants(view),
        "contact_values": {},
        "contact_errors": {},
        "interaction_values": {
            "kind": "call",
            "occurred_on": today().isoformat(),
            "contact_ids": [],
            "user_ids": [],
        },
        "interaction_errors": {},
        "next_offset": len(view.timeline),
    }
    context.update(extra)
    return context


def _participants(view: profile.AccountProfile) -> list[tuple[int, str]]:
    """Users who may take part in an interaction: the manager and the account team."""
    people: dict[int, str] = {}
    if view.account.manager_id:
        people[view.account.manager_id] = (
            view.account.manager_name or view.account.manager_email or ""
        )
    for member in view.members:
        people[member.id] = member.name
    return sorted(people.items(), key=lambda p: p[1])


def _rerender(request: Request, db: Any, user: Any, account_id: Id, **extra: Any) -> Any:
    view = profile.account_profile(db, user, account_id, last_month=month_index(today()),
                                   today=today())
    return render(
        request, "accounts/detail.html", account_page_context(user, view, **extra), status_code=422
    )


def _back(account_id: Id, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/accounts/{account_id}{anchor}", status_code=303)


# ------------------------------------------------------------------ contacts


@router.post("/accounts/{account_id}/contacts", dependencies=csrf)
def add_contact(request: Request, account_id: Id, user: PageUser, db: Db, form: FormData) -> Any:
    require_writer(user)
    values = form_values(form, CONTACT_FIELDS)
    try:
        contact = contact_service.add_contact(
            db, user, account_id, ContactIn.model_validate(values)
        )
    except (ValidationFailed, ValidationError) as exc:
        return _rerender(
            request, db, user, account_id, contact_values=values, contact_errors=form_errors(exc)
        )
    flash(request, f"Contact “{contact.name}” added.")
    return _back(account_id, "#contacts")


def _contact(db: Any, user: Any, account_id: Id, contact_id: Id) -> Any:
    for contact in contact_service.list_contacts(db, user, account_id):
        if contact.id == contact_id:
            return contact
    raise NotFound(f"no contact {contact_id} at account {account_id}")


@router.get("/accounts/{account_id}/contacts/{contact_id}/edit")
def edit_contact_form(
    request: Request, account_id: Id, contact_id: Id, user: PageUser, db: Db
) -> Any:
    account = service.get_account(db, user, account_id)
    contact = _contact(db, user, account_id, contact_id)
    require_writer(user)
    return render(
        request,
        "accounts/contact_form.html",
        _contact_form_context(
            user, account, contact, _contact_values(contact), {}, started=_started(contact)
        ),
    )


def _contact_values(contact: Any) -> dict[str, str]:
    return {
        f: "" if getattr(contact, f, None) is None else str(getattr(contact, f))
        for f in CONTACT_FIELDS
    }


def _started(contact: Any) -> dict[str, Any]:
    """The hidden fields of an edit form showing ``contact`` as stored."""
    return versions.form_started(contact.version, _contact_values(contact))


CONTACT_LABELS = {
    "name": "Name",
    "title": "Job title",
    "email": "E-mail",
    "phone": "Phone",
    "function": "Function (department)",
    "seniority": "Seniority",
    "buying_role": "Buying role",
    "stance": "Stance",
    "influence": "Influence (1–5)",
    "external_id": "External id",
}


def _contact_form_context(
    user: Any,
    account: Any,
    contact: Any,
    values: dict[str, Any],
    errors: dict[str, str],
    *,
    started: dict[str, Any] | None = None,
    changed: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "user": user,
        "account": account,
        "contact": contact,
        "values": values,
        "errors": errors,
        "buying_roles": enum_choices(BuyingRole),
        "seniorities": enum_choices(Seniority),
        "stances": enum_choices(Stance),
        **versions.form_state(started, changed),
        "labels": CONTACT_LABELS,
    }


@router.post("/accounts/{account_id}/contacts/{contact_id}/edit", dependencies=csrf)
def update_contact(
    request: Request, account_id: Id, contact_id: Id, user: PageUser, db: Db, form: FormData
) -> Any:
    require_writer(user)
    values = form_values(form, CONTACT_FIELDS)
    started = form_values(form, ("version", "original"))
    try:
        contact = contact_service.update_contact(
            db,
            user,
            account_id,
            contact_id,
            values,
            expected=versions.form_expected(started, values),
        )
    except versions.Stale as exc:  # the user's input stays; the form now starts from the store
        account = service.get_account(db, user, account_id)
        current = _contact(db, user, account_id, contact_id)
        context = _contact_form_context(
            user, account, current, values, {}, started=_started(current), changed=exc.changed
        )
        return render(request, "accounts/contact_form.html", context, status_code=409)
    except (ValidationFailed, ValidationError) as exc:
        account = service.get_account(db, user, account_id)
        current = _contact(db, user, account_id, contact_id)
        return render(
            request,
            "accounts/contact_form.html",
            _contact_form_context(
                user, account, current, values, form_errors(exc), started=started
            ),
            status_code=422,
        )
    flash(request, f"Contact “{contact.name}” saved.")
    return _back(account_id, "#contacts")


@router.post("/accounts/{account_id}/contacts/{contact_id}/unlink", dependencies=csrf)
def unlink_contact(
    request: Request, account_id: Id, contact_id: Id, user: PageUser, db: Db
) -> Any:
    require_writer(user)
    contact_service.unlink_contact(db, user, account_id, contact_id)
    flash(request, "Contact removed from this account.")
    return _back(account_id, "#contacts")


# ------------------------------------------------------------------ interactions and timeline


@router.post("/accounts/{account_id}/interactions", dependencies=csrf)
def log_interaction(
    request: Request, account_id: Id, user: PageUser, db: Db, form: FormData
) -> Any:
    require_writer(user)
    values = form_values(form, INTERACTION_FIELDS, multi=("contact_ids", "user_ids"))
    try:
        data = InteractionIn.model_validate(values)
        contact_service.log_interaction(db, user, account_id, data, today=today())
    except (ValidationFailed, ValidationError) as exc:
        return _rerender(
            request,
            db,
            user,
            account_id,
            interaction_values=values,
            interaction_errors=form_errors(exc),
        )
    flash(request, "Interaction logged.")
    return _back(account_id, "#timeline")


@router.get("/accounts/{account_id}/timeline")
def timeline_items(
    request: Request,
    account_id: Id,
    user: PageUser,
    db: Db,
    offset: Count = 0,
    limit: Count = profile.TIMELINE_PAGE,
) -> Any:
    """The next interactions as list items (htmx "load more")."""
    offset, limit = max(offset, 0), min(max(limit, 1), 200)
    items = contact_service.timeline(db, user, account_id, limit=limit, offset=offset)
    total = contact_service.count_interactions(db, user, account_id)
    return render(
        request,
        "accounts/_timeline_items.html",
        {
            "user": user,
            "items": items,
            "account_id": account_id,
            "total": total,
            "next_offset": offset + len(items),
        },
    )


# ------------------------------------------------------------------ team members


@router.post("/accounts/{account_id}/members", dependencies=csrf)
def set_members(request: Request, account_id: Id, user: PageUser, db: Db, form: FormData) -> Any:
    require_writer(user)
    ids = form_values(form, (), multi=("user_ids",))["user_ids"]
    try:
        numbers = [int(i) for i in ids]
    except ValueError:
        raise ValidationFailed([]) from None
    if not all(1 <= n <= MAX_ID for n in numbers):  # B1: not a user id, not a crash
        raise ValidationFailed([FieldProblem("user_ids", "choose people from the list")])
    service.set_members(db, user, account_id, numbers)
    flash(request, "Account team saved.")
    return _back(account_id, "#team")


@router.get("/accounts/{account_id}/members/edit")
def members_form(request: Request, account_id: Id, user: PageUser, db: Db) -> Any:
    account = service.get_account(db, user, account_id)
    require_writer(user)
    members = {m.id for m in service.list_members(db, user, account_id)}
    return render(
        request,
        "accounts/members_form.html",
        {
            "user": user,
            "account": account,
            "members": members,
            "candidates": service.assignable_managers(db),
        },
    )
