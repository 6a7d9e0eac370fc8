"""Subscription pages (issue 15): the account's Licences tab, the portfolio's Licences page,
one subscription with its history and forms, and billing's queue of requests.

The pages parse the forms, call ``service`` (where every rule lives: who may, what is
refused) and render; a refused form comes back with its messages (422), anything else the
service refuses is the app's error page (403, 404, 409)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ValidationError

from accord.accounts.visibility import can_write, get_visible_account
from accord.core import versions
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.models import Role, User
from accord.core.roles import require_role
from accord.core.schemas import Id, PageNumber, SearchText, Word
from accord.licences.subscriptions import panels, service
from accord.licences.subscriptions.reading import REQUEST_STATES
from accord.licences.subscriptions.schemas import (
    STATES,
    ChangeIn,
    DecisionIn,
    EndIn,
    SubscriptionIn,
)
from accord.web.flash import flash
from accord.web.page_deps import Db, FormData, PageToday, PageUser, csrf, form_errors, form_values
from accord.web.templating import render

router = APIRouter()
PAGE_SIZE = 50
NEW_FIELDS = ("account_id", "sku_id", "start_on", "term_months", "quantity", "unit_price",
              "status", "auto_renew", "notice_days", "reference", "reason")
CHANGE_FIELDS = ("quantity", "unit_price", "effective_on", "reason")
END_FIELDS = ("status", "on", "reason")
INT_FIELDS = ("account_id", "sku_id", "term_months", "quantity", "notice_days")
STATUS_CHOICES = [("all", "All"), *[(s, s.capitalize()) for s in STATES]]
SORT_LABELS = [("account", "Account"), ("service", "Service"), ("end", "Term ends"),
               ("amount", "Monthly amount")]
BADGES = {"trial": "blue", "active": "green", "cancelled": "grey", "expired": "grey",
          "pending": "amber", "approved": "green", "declined": "grey"}
BILLING = tuple(Role(r) for r in service.BILLING)
_INTEGER = re.compile(r"^[+-]?\d{1,12}$")
M = TypeVar("M", bound=BaseModel)


def _render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Any:
    return render(request, name, {"badges": BADGES, **context}, status_code=status_code)


def _parsed(model: type[M], values: dict[str, Any]) -> M:
    """The model from a form's text: blanks left out, whole numbers as numbers, a checkbox
    as a flag; pydantic's refusals as field problems (422 on the form)."""
    given: dict[str, Any] = {k: v for k, v in values.items()
                             if k in model.model_fields and v not in ("", None)}
    for key in INT_FIELDS:
        raw = given.get(key)
        if isinstance(raw, str) and _INTEGER.match(raw.strip()):
            given[key] = int(raw.strip())
    if "auto_renew" in model.model_fields:
        given["auto_renew"] = values.get("auto_renew") in ("true", "on", "1")
    try:
        return model.model_validate(given)
    except ValidationError as exc:
        raise ValidationFailed([FieldProblem(p[0], p[1]) for p in form_errors(exc).items()]
                               ) from None


def _is_billing(user: User) -> bool:
    return user.role in service.BILLING


# ---------------------------------------------------------------- the portfolio


@router.get("/licences")
def licences_page(request: Request, user: PageUser, db: Db, day: PageToday,
                  status: Word = "all", q: SearchText | None = None, sort: Word = "account",
                  page: PageNumber = 1) -> Any:
    shown = {"status": status, "q": q, "sort": sort}
    errors: dict[str, str] = {}
    listing = None
    try:
        listing = panels.portfolio(db, user, day, status=None if status == "all" else status,
                                   q=q, sort=sort, page=page, page_size=PAGE_SIZE)
    except ValidationFailed as exc:
        errors = form_errors(exc)
    window, in_window = panels.renewals(db, user, day)
    upsells, upsell_total = panels.signal_list(db, user, "upsell")
    risks, risk_total = panels.signal_list(db, user, "risk")

    def query(**change: Any) -> str:
        merged = {**shown, **change}
        return urlencode({k: v for k, v in merged.items() if v not in (None, "")})

    return _render(request, "licences/portfolio.html", {
        "user": user, "listing": listing, "errors": errors, "filters": shown,
        "statuses": STATUS_CHOICES, "sorts": panels.SORTS, "sort_labels": SORT_LABELS,
        "window": window, "in_window": in_window, "window_days": panels.WINDOW_DAYS,
        "pending": panels.pending_count(db, user), "today": day, "query": query,
        "usage": panels.usage_of(db, listing.rows if listing else []),
        "upsells": upsells, "upsell_total": upsell_total,
        "risks": risks, "risk_total": risk_total,
    }, status_code=422 if errors else 200)


# ---------------------------------------------------------------- billing's queue


def _queue(request: Request, user: User, db: Any, status: str, errors: dict[int, dict[str, str]],
           values: dict[int, dict[str, Any]], status_code: int = 200) -> Any:
    return _render(request, "licences/requests.html", {
        "user": user, "requests": service.list_requests(db, user, status=status),
        "status": status, "statuses": [(s, s.capitalize()) for s in REQUEST_STATES],
        "can_decide": _is_billing(user), "errors": errors, "values": values,
    }, status_code=status_code)


@router.get("/licences/requests")
def requests_page(request: Request, user: PageUser, db: Db, status: Word = "pending") -> Any:
    return _queue(request, user, db, status, {}, {})


def _decide(request: Request, user: User, db: Any, day: date, request_id: int, form: Any,
            approve: bool) -> Any:
    values = form_values(form, ("note",))
    try:
        out = service.decide_request(db, user, request_id, approve, _parsed(DecisionIn, values),
                                     day)
    except ValidationFailed as exc:
        return _queue(request, user, db, "pending", {request_id: form_errors(exc)},
                      {request_id: values}, status_code=422)
    flash(request, f"Request {out.id} {out.status}: {out.account_name}, {out.service}, "
                   f"{out.quantity} from {out.effective_on.isoformat()}.")
    return RedirectResponse("/licences/requests", status_code=303)


@router.post("/licences/requests/{request_id}/approve", dependencies=csrf)
def approve(request: Request, request_id: Id, user: PageUser, db: Db, form: FormData,
            day: PageToday) -> Any:
    return _decide(request, user, db, day, request_id, form, True)


@router.post("/licences/requests/{request_id}/decline", dependencies=csrf)
def decline(request: Request, request_id: Id, user: PageUser, db: Db, form: FormData,
            day: PageToday) -> Any:
    return _decide(request, user, db, day, request_id, form, False)


# ---------------------------------------------------------------- the account's tab


@router.get("/accounts/{account_id}/licences")
def account_tab(request: Request, account_id: Id, user: PageUser, db: Db, day: PageToday,
                q: SearchText | None = None, page: PageNumber = 1) -> Any:
    """Subscriptions with their history, the seat grid (``q``, ``page``: its people),
    utilisation bars and domains: rendered by the seats' pages, whose forms post there."""
    from accord.licences.seats.pages import tab  # the seats' pages render the whole tab

    return tab(request, db, user, account_id, day, q=q, page=page)


# ---------------------------------------------------------------- a new subscription


def _new(request: Request, db: Any, user: User, account_id: int, values: dict[str, Any],
         errors: dict[str, str], status_code: int = 200) -> Any:
    require_role(user, *BILLING)
    account = get_visible_account(db, user, account_id)
    return _render(request, "licences/new.html", {
        "user": user, "account": account, "values": values, "errors": errors,
        "skus": panels.sku_choices(db),
        "statuses": [("active", "Active"), ("trial", "Trial")],
    }, status_code=status_code)


@router.get("/subscriptions/new")
def new_subscription(request: Request, user: PageUser, db: Db, day: PageToday,
                     account_id: Id) -> Any:
    values = {"account_id": str(account_id), "start_on": day.isoformat(), "term_months": "12",
              "notice_days": "0", "status": "active"}
    return _new(request, db, user, account_id, values, {})


@router.post("/subscriptions", dependencies=csrf)
def create_subscription(request: Request, user: PageUser, db: Db, form: FormData,
                        day: PageToday) -> Any:
    values = form_values(form, NEW_FIELDS)
    raw = str(values.get("account_id") or "").strip()
    try:
        out = service.add_subscription(db, user, _parsed(SubscriptionIn, values), day)
    except ValidationFailed as exc:
        if not (raw.isdigit() and 0 < len(raw) < 11 and 0 < int(raw) <= 2_147_483_647):
            raise
        return _new(request, db, user, int(raw), values, form_errors(exc), status_code=422)
    flash(request, f"Subscription added: {out.account_name}, {out.quantity} × {out.service}.")
    return RedirectResponse(f"/subscriptions/{out.id}", status_code=303)


# ---------------------------------------------------------------- one subscription


def _detail(request: Request, db: Any, user: User, subscription_id: int, day: date, *,
            errors: dict[str, dict[str, str]] | None = None,
            values: dict[str, dict[str, Any]] | None = None, status_code: int = 200) -> Any:
    s = service.get_subscription(db, user, subscription_id, day)
    given = values or {}
    blank = {"effective_on": day.isoformat()}
    return _render(request, "licences/detail.html", {
        "user": user, "s": s, "today": day, "errors": errors or {},
        "change": given.get("change", blank), "ending": given.get("end", {"on": day.isoformat()}),
        "ask": given.get("request", blank), "pending": panels.pending_of(db, s.id),
        "can_change": _is_billing(user), "can_request": can_write(user),
        "ended": s.status in ("cancelled", "expired"),
    }, status_code=status_code)


@router.get("/subscriptions/{subscription_id}")
def subscription_page(request: Request, subscription_id: Id, user: PageUser, db: Db,
                      day: PageToday) -> Any:
    return _detail(request, db, user, subscription_id, day)


def _started(form: Any) -> versions.Expected | None:
    """The version the form was shown at (its hidden ``version`` field)."""
    return versions.form_expected(form_values(form, ("version",)))


def _act(request: Request, db: Any, user: User, subscription_id: int, day: date, form: Any,
         which: str, fields: tuple[str, ...], act: Any, message: str) -> Any:
    values = form_values(form, fields)
    try:
        act(values)
    except ValidationFailed as exc:
        return _detail(request, db, user, subscription_id, day,
                       errors={which: form_errors(exc)}, values={which: values},
                       status_code=422)
    except versions.Stale as exc:  # changed since the page was shown: show it as it is now
        return _detail(request, db, user, subscription_id, day,
                       errors={which: {"version": exc.detail}}, values={which: values},
                       status_code=409)
    flash(request, message)
    return RedirectResponse(f"/subscriptions/{subscription_id}", status_code=303)


@router.post("/subscriptions/{subscription_id}/changes", dependencies=csrf)
def change(request: Request, subscription_id: Id, user: PageUser, db: Db, form: FormData,
           day: PageToday) -> Any:
    service.require_billing(user, "change quantities and prices")  # before the form's errors
    return _act(request, db, user, subscription_id, day, form, "change", CHANGE_FIELDS,
                lambda v: service.change_terms(db, user, subscription_id,
                                               _parsed(ChangeIn, v), day,
                                               expected=_started(form)),
                "Quantity changed.")


@router.post("/subscriptions/{subscription_id}/end", dependencies=csrf)
def end(request: Request, subscription_id: Id, user: PageUser, db: Db, form: FormData,
        day: PageToday) -> Any:
    service.require_billing(user, "end subscriptions")  # before the form's errors
    return _act(request, db, user, subscription_id, day, form, "end", END_FIELDS,
                lambda v: service.end_subscription(db, user, subscription_id,
                                                   _parsed(EndIn, v), day,
                                                   expected=_started(form)),
                "Subscription ended.")


@router.post("/subscriptions/{subscription_id}/requests", dependencies=csrf)
def ask(request: Request, subscription_id: Id, user: PageUser, db: Db, form: FormData,
        day: PageToday) -> Any:
    return _act(request, db, user, subscription_id, day, form, "request", CHANGE_FIELDS,
                lambda v: service.request_change(db, user, subscription_id,
                                                 _parsed(ChangeIn, v), day),
                "Change requested: billing approves or declines it.")
