"""Pages of individual clients' personal data (issue 16): the consent form of the account
page's privacy panel (``clients/_privacy_panel.html``), the suppression list
(``/clients/suppressions``, admins and heads) and erasure with its confirmation step
(``/accounts/{id}/client/erase``). Each route parses the form, calls one function of
``clients.privacy.service`` and renders or redirects; a refused form comes back with the
error by its field."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from accord.clients.privacy import service
from accord.core.errors import Conflict, FieldProblem, ValidationFailed
from accord.core.schemas import Id, PageNumber, SearchText
from accord.web.flash import flash
from accord.web.page_deps import Db, FormData, PageToday, PageUser, csrf, form_errors, form_values
from accord.web.templating import render

router = APIRouter()
LIST = "/clients/suppressions"
CHOICES = {"true": True, "false": False}


def _suppressions_page(request: Request, db: Any, user: Any, *, q: str | None = None,
                       page: int = 1, values: dict[str, Any] | None = None,
                       errors: dict[str, str] | None = None, status_code: int = 200) -> Any:
    listed = service.suppressions(db, user, q=q, page=page)

    def query(**change: Any) -> str:
        merged = {"q": listed.q, "page": listed.page, **change}
        return urlencode({k: v for k, v in merged.items() if v not in (None, "", 1)})

    return render(request, "clients/suppressions.html", {
        "user": user, "listed": listed, "values": values or {}, "errors": errors or {},
        "query": query}, status_code=status_code)


@router.get(LIST)
def suppressions_page(request: Request, user: PageUser, db: Db, q: SearchText | None = None,
                      page: PageNumber = 1) -> Any:
    return _suppressions_page(request, db, user, q=q, page=page)


@router.post(LIST, dependencies=csrf)
def add_suppression(request: Request, user: PageUser, db: Db, form: FormData) -> Any:
    values = form_values(form, ("email", "reason"))
    try:
        row = service.add_suppression(db, user, values.get("email") or "",
                                      values.get("reason"))
    except ValidationFailed as exc:
        return _suppressions_page(request, db, user, values=values, errors=form_errors(exc),
                                  status_code=422)
    except Conflict as exc:
        return _suppressions_page(request, db, user, values=values,
                                  errors={"email": exc.detail}, status_code=409)
    flash(request, f"{row.email} is on the suppression list.")
    return RedirectResponse(LIST, status_code=303)


@router.post(LIST + "/{suppression_id}/remove", dependencies=csrf)
def remove_suppression(request: Request, suppression_id: Id, user: PageUser,
                       db: Db) -> Any:
    service.remove_suppression(db, user, suppression_id)
    flash(request, "The address is off the suppression list.")
    return RedirectResponse(LIST, status_code=303)


@router.post("/accounts/{account_id}/client/consent", dependencies=csrf)
def set_consent(request: Request, account_id: Id, user: PageUser, db: Db, form: FormData,
                day: PageToday) -> Any:
    value = (form_values(form, ("marketing_consent",)).get("marketing_consent") or "").lower()
    if value not in CHOICES:
        raise ValidationFailed([FieldProblem("marketing_consent", "true or false")])
    service.set_consent(db, user, account_id, CHOICES[value], day)
    flash(request, "Marketing consent given." if CHOICES[value] else
          "Marketing consent withdrawn.")
    return RedirectResponse(f"/accounts/{account_id}", status_code=303)


def _erase_page(request: Request, db: Any, user: Any, account_id: int, *,
                errors: dict[str, str] | None = None, status_code: int = 200) -> Any:
    preview = service.erasure_preview(db, user, account_id)
    return render(request, "clients/erase_confirm.html", {
        "user": user, "preview": preview, "errors": errors or {}}, status_code=status_code)


@router.get("/accounts/{account_id}/client/erase")
def erase_page(request: Request, account_id: Id, user: PageUser, db: Db) -> Any:
    return _erase_page(request, db, user, account_id)


@router.post("/accounts/{account_id}/client/erase", dependencies=csrf)
def erase(request: Request, account_id: Id, user: PageUser, db: Db, form: FormData,
          day: PageToday) -> Any:
    confirmed = form_values(form, ("confirm",)).get("confirm") == "yes"
    try:
        if not confirmed:
            raise ValidationFailed([FieldProblem(
                "confirm", "tick the box to confirm: an erasure cannot be undone")])
        done = service.erase_client(db, user, account_id, day)
    except ValidationFailed as exc:
        return _erase_page(request, db, user, account_id, errors=form_errors(exc),
                           status_code=422)
    except Conflict as exc:
        return _erase_page(request, db, user, account_id, errors={"confirm": exc.detail},
                           status_code=409)
    flash(request, f"The client's personal data was erased: {done.contacts_erased} contacts "
          f"anonymised, {done.interactions} interactions, {done.follow_ups} follow-ups and "
          f"{done.events} meetings cleared, {done.revenue_lines_kept} revenue lines kept.")
    return RedirectResponse(f"/accounts/{account_id}", status_code=303)
