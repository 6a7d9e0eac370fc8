"""The account's Growth tab (whitespace grid with a form per cell, needs, links to
opportunities and proposals) and the portfolio view (``/growth/whitespace``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from accord.core.errors import AccordError, ValidationFailed
from accord.core.models import User
from accord.core.schemas import Id
from accord.growth import needs, service, whitespace
from accord.growth.schemas import NeedIn, parsed
from accord.web.deps import today
from accord.web.flash import flash
from accord.web.page_deps import Db, FormData, PageUser, csrf, form_errors, form_values
from accord.web.templating import render

router = APIRouter()


def _tab(request: Request, db: Any, user: User, account_id: int, *,
         errors: dict[str, str] | None = None, values: dict[str, Any] | None = None,
         status_code: int = 200) -> Any:
    tab = service.growth_tab(db, user, account_id, today=today())
    return render(request, "growth/account.html", {
        "user": user, "tab": tab, "account": tab.account, "m": tab.matrix,
        "errors": errors or {}, "values": values or {}}, status_code=status_code)


@router.get("/accounts/{account_id}/growth")
def growth_page(request: Request, account_id: Id, user: PageUser, db: Db) -> Any:
    return _tab(request, db, user, account_id)


def _back(form: FormData, account_id: int) -> str:
    raw = form.get("back")
    back = int(raw) if isinstance(raw, str) and raw.isdigit() and len(raw) < 10 else account_id
    return f"/accounts/{back}/growth"


@router.post("/accounts/{account_id}/growth/cells/{product_line_id}", dependencies=csrf)
def cell_form(request: Request, account_id: Id, product_line_id: Id, user: PageUser, db: Db,
              form: FormData) -> Any:
    values = form_values(form, ("action", "reason"))
    try:
        if values.get("action") == "clear":
            whitespace.clear_not_relevant(db, user, account_id, product_line_id)
            flash(request, "The cell is no longer marked not relevant.")
        else:
            whitespace.mark_not_relevant(db, user, account_id, product_line_id,
                                         values.get("reason") or "")
            flash(request, "Marked not relevant.")
    except ValidationFailed as exc:
        return _tab(request, db, user, account_id, status_code=422,
                    errors={f"cell-{account_id}-{product_line_id}":
                            form_errors(exc).get("reason", exc.detail)})
    return RedirectResponse(_back(form, account_id), status_code=303)


@router.post("/accounts/{account_id}/growth/needs", dependencies=csrf)
def add_need(request: Request, account_id: Id, user: PageUser, db: Db, form: FormData) -> Any:
    values = form_values(form, ("text", "category"), multi=("product_line_ids",))
    values["product_line_ids"] = [int(v) if v.isdigit() and len(v) < 10 else v
                                  for v in values["product_line_ids"]]
    try:
        data = parsed(NeedIn, values)
        assert isinstance(data, NeedIn)
        needs.add_need(db, user, account_id, data)
    except ValidationFailed as exc:
        return _tab(request, db, user, account_id, errors=form_errors(exc), values=values,
                    status_code=422)
    except AccordError as exc:
        if exc.status in (401, 403, 404):
            raise
        return _tab(request, db, user, account_id, errors={"text": exc.detail},
                    values=values, status_code=exc.status)
    flash(request, "Need added.")
    return RedirectResponse(f"/accounts/{account_id}/growth#needs", status_code=303)


@router.post("/accounts/{account_id}/growth/needs/{need_id}/delete", dependencies=csrf)
def delete_need(request: Request, account_id: Id, need_id: Id, user: PageUser,
                db: Db) -> Any:
    needs.delete_need(db, user, account_id, need_id)
    flash(request, "Need removed.")
    return RedirectResponse(f"/accounts/{account_id}/growth#needs", status_code=303)


@router.get("/growth/whitespace")
def portfolio_page(request: Request, user: PageUser, db: Db) -> Any:
    page = service.portfolio_page(db, user, today=today())
    return render(request, "growth/portfolio.html", {
        "user": user, "p": page.portfolio, "gaps": page.gaps})
