"""Seat pages (issue 15): the account's Licences tab (its subscriptions with their history,
the seat grid of people × services to tick within the quantity purchased, utilisation bars,
the e-mail domains) and the forms it posts: the grid, a new licence user, a domain.

The pages parse the forms, call the service (every rule lives there: who may, the quantity
limit, the audit) and render. A refusal (beyond the quantity, a seat or person twice, a
malformed field) re-renders the tab with its message (409 or 422) and writes nothing: the
grid's changes are one savepoint in ``service.set_seats``."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from accord.accounts.visibility import can_write, get_visible_account
from accord.core.errors import Conflict, FieldProblem, ValidationFailed
from accord.core.models import User
from accord.core.schemas import MAX_ID, Id
from accord.licences.seats import reading, service, tenants
from accord.licences.subscriptions import panels
from accord.web.charts import bar_chart
from accord.web.flash import flash
from accord.web.page_deps import Db, FormData, PageToday, PageUser, csrf, form_errors, form_values
from accord.web.templating import render

router = APIRouter()
PEOPLE_PAGE = 50
MAX_GRID_FIELDS = 5000
BADGES = {"trial": "blue", "active": "green", "cancelled": "grey", "expired": "grey",
          "upsell": "green", "risk": "red"}
PERSON_FIELDS = ("principal", "display_name", "department", "contact_id")


def may_write_seats(user: User) -> bool:
    """Whether the forms are shown (the service decides again on every post)."""
    return user.role in service.BILLING or can_write(user)


def tab(request: Request, db: Any, user: User, account_id: int, day: date, *,
        q: str | None = None, page: int = 1, refusal: str | None = None,
        errors: dict[str, dict[str, str]] | None = None,
        values: dict[str, dict[str, Any]] | None = None, status_code: int = 200) -> Any:
    """The account's Licences tab."""
    account = get_visible_account(db, user, account_id)
    listing = panels.portfolio(db, user, day, account_id=account_id, sort="service",
                               page_size=200)
    mrr = panels.account_mrr(db, account_id, day)
    chart = bar_chart([m for m, _ in mrr], [v for _, v in mrr], width=600, height=240,
                      title=f"MRR of {account.name}, {mrr[0][0]} to {mrr[-1][0]}"
                      ) if mrr else None
    usage = reading.usage(db, user, account_id, day)
    people, total = reading.grid_people(db, user, account_id, day, q=q, page=page,
                                        page_size=PEOPLE_PAGE)
    writer = may_write_seats(user)
    shown = {"q": q or "", "page": page}

    def query(**change: Any) -> str:
        merged = {**shown, **change}
        return urlencode({k: v for k, v in merged.items() if v not in (None, "", 1)})

    return render(request, "licences/account_tab.html", {
        "user": user, "account": account, "listing": listing, "mrr": mrr, "chart": chart,
        "can_add": user.role in service.BILLING, "today": day, "badges": BADGES,
        "usage": usage, "people": people, "people_total": total, "q": q or "", "page": page,
        "pages": max(1, -(-total // PEOPLE_PAGE)), "query": query, "can_seat": writer,
        "domains": tenants.domains_of(db, user, account_id),
        "contacts": reading.contact_choices(db, account_id) if writer else [],
        "refusal": refusal, "errors": errors or {}, "values": values or {},
    }, status_code=status_code)


def _back(account_id: int, form: Any) -> str:
    """The tab again, at the page and search the form was posted from."""
    values = form_values(form, ("q", "page"))
    q = str(values.get("q") or "")[:200]
    raw = str(values.get("page") or "")
    page = int(raw) if raw.isdigit() and len(raw) < 6 and int(raw) > 0 else 1
    params = urlencode({k: v for k, v in (("q", q), ("page", page)) if v not in ("", 1)})
    return f"/accounts/{account_id}/licences" + (f"?{params}" if params else "")


def _ids(raw: list[Any]) -> list[int]:
    return [int(v) for v in raw if isinstance(v, str) and v.isdigit() and len(v) < 11
            and 0 < int(v) <= MAX_ID]


def _pairs(raw: list[Any]) -> set[tuple[int, int]]:
    """``"<licence user id>:<service id>"`` values of the ticked boxes (others ignored)."""
    found = set()
    for value in raw:
        person, _, sku = str(value).partition(":")
        ids = _ids([person, sku])
        if len(ids) == 2:
            found.add((ids[0], ids[1]))
    return found


def _refused(request: Request, db: Any, user: User, account_id: int, day: date, form: Any,
             exc: Conflict | ValidationFailed, which: str,
             values: dict[str, Any] | None = None) -> Any:
    back = form_values(form, ("q", "page"))
    raw = str(back.get("page") or "")
    page = int(raw) if raw.isdigit() and len(raw) < 6 and int(raw) > 0 else 1
    errors = form_errors(exc) if isinstance(exc, ValidationFailed) else {}
    return tab(request, db, user, account_id, day, q=str(back.get("q") or "")[:200] or None,
               page=page, refusal=exc.detail, errors={which: errors},
               values={which: values or {}}, status_code=exc.status)


@router.post("/accounts/{account_id}/seats", dependencies=csrf)
def save_seats(request: Request, account_id: Id, user: PageUser, db: Db, form: FormData,
               day: PageToday) -> Any:
    """The seat grid: the ticked boxes of the people on the page are their seats from
    today; beyond the quantity, nothing is written."""
    service.require_seat_writer(db, user, account_id)
    people = form.getlist("person")[:MAX_GRID_FIELDS]
    ticked = form.getlist("seat")[:MAX_GRID_FIELDS]
    try:
        added, removed = service.set_seats(db, user, account_id, _ids(people), _pairs(ticked),
                                           day)
    except (Conflict, ValidationFailed) as exc:
        return _refused(request, db, user, account_id, day, form, exc, "grid")
    flash(request, f"Seats saved: {added} assigned, {removed} freed from {day.isoformat()}."
          if added or removed else "No change to the seats.", "success" if added or removed
          else "info")
    return RedirectResponse(_back(account_id, form) + "#seat-grid", status_code=303)


@router.post("/accounts/{account_id}/licence-users", dependencies=csrf)
def add_person(request: Request, account_id: Id, user: PageUser, db: Db, form: FormData,
               day: PageToday) -> Any:
    values = form_values(form, PERSON_FIELDS)
    raw = str(values.get("contact_id") or "").strip()
    try:
        if raw and not _ids([raw]):
            raise ValidationFailed([FieldProblem("contact_id",
                                                 "choose one of the account's contacts")])
        row = service.add_licence_user(
            db, user, account_id, str(values.get("principal") or ""),
            str(values.get("display_name") or ""), values.get("department") or None,
            _ids([raw])[0] if raw else None)
    except (Conflict, ValidationFailed) as exc:
        return _refused(request, db, user, account_id, day, form, exc, "person", values)
    flash(request, f"Licence user {row.principal} added.")
    return RedirectResponse(_back(account_id, form) + "#seat-grid", status_code=303)


@router.post("/accounts/{account_id}/domains", dependencies=csrf)
def add_domain(request: Request, account_id: Id, user: PageUser, db: Db, form: FormData,
               day: PageToday) -> Any:
    values = form_values(form, ("domain",))
    try:
        domain = tenants.add_domain(db, user, account_id, str(values.get("domain") or ""))
    except (Conflict, ValidationFailed) as exc:
        return _refused(request, db, user, account_id, day, form, exc, "domain", values)
    flash(request, f"Domain {domain} added.")
    return RedirectResponse(_back(account_id, form) + "#domains", status_code=303)


@router.post("/accounts/{account_id}/domains/remove", dependencies=csrf)
def remove_domain(request: Request, account_id: Id, user: PageUser, db: Db, form: FormData,
                  day: PageToday) -> Any:
    values = form_values(form, ("domain",))
    try:
        tenants.remove_domain(db, user, account_id, str(values.get("domain") or ""))
    except ValidationFailed as exc:
        return _refused(request, db, user, account_id, day, form, exc, "domain", values)
    flash(request, f"Domain {values.get('domain')} removed.")
    return RedirectResponse(_back(account_id, form) + "#domains", status_code=303)
