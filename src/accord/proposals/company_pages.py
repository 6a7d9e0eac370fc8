"""The company settings page for admins and heads (``/admin/company``): the name and logo
proposals print, and the one currency of every amount. A refused save comes back with the
error by its field; a stale one (409) with the input kept."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from accord.core import policy_store, versions
from accord.core.errors import ValidationFailed
from accord.core.roles import require_role
from accord.proposals import company
from accord.web.flash import flash
from accord.web.page_deps import Db, FormData, PageUser, csrf, form_errors, form_values
from accord.web.templating import render

router = APIRouter()
PAGE = "/admin/company"


def _page(request: Request, db: Any, user: Any, *, values: dict[str, Any] | None = None,
          errors: dict[str, str] | None = None, conflict: bool = False,
          status_code: int = 200) -> Any:
    stored = company.show(db)
    return render(request, "proposals/company.html", {
        "user": user, "stored": stored, "errors": errors or {}, "conflict": conflict,
        "values": values or {"name": stored.name, "currency": stored.currency,
                             "logo": stored.logo},
        "version": company.version(db)}, status_code=status_code)


@router.get(PAGE)
def company_page(request: Request, user: PageUser, db: Db) -> Any:
    require_role(user, *policy_store.EDITORS)
    return _page(request, db, user)


@router.post(PAGE, dependencies=csrf)
def save_company(request: Request, user: PageUser, db: Db, form: FormData) -> Any:
    require_role(user, *policy_store.EDITORS)
    values = form_values(form, company.FIELDS)
    expected = versions.form_expected(form_values(form, ("version",)))
    try:
        company.change(db, user, {k: str(v).strip() for k, v in values.items()}, expected)
    except versions.Stale:
        return _page(request, db, user, values=values, conflict=True, status_code=409)
    except ValidationFailed as exc:
        return _page(request, db, user, values=values, errors=form_errors(exc),
                     status_code=422)
    flash(request, "Company settings saved.")
    return RedirectResponse(PAGE, status_code=303)
