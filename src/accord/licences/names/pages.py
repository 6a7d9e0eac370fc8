"""The product-name mapping's admin page (``/admin/product-names``): the names vendors'
exports use, the service each maps to, a form to add one and a button to delete one.
Billing and admins (the service decides: anyone else 403)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from accord.core.errors import Conflict, FieldProblem, ValidationFailed
from accord.core.models import Role, User
from accord.core.roles import require_role
from accord.core.schemas import MAX_ID, Id, PageNumber, SearchText
from accord.licences.names import service
from accord.licences.subscriptions.panels import sku_choices
from accord.web.flash import flash
from accord.web.page_deps import Db, FormData, PageUser, csrf, form_errors, form_values
from accord.web.templating import render

router = APIRouter()
PAGE = "/admin/product-names"


def _page(request: Request, db: Any, user: User, *, q: str | None = None, page: int = 1,
          values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
          refusal: str | None = None, status_code: int = 200) -> Any:
    require_role(user, Role.ADMIN, Role.BILLING)
    rows, total = service.names(db, user, search=q, page=page)
    pages = max(1, -(-total // service.PAGE_SIZE))
    return render(request, "licences/product_names.html", {
        "user": user, "rows": rows, "total": total, "q": q or "", "page": page,
        "pages": pages, "skus": sku_choices(db), "values": values or {},
        "errors": errors or {}, "refusal": refusal,
        "query": lambda **c: urlencode({k: v for k, v in {"q": q or "", **c}.items() if v}),
    }, status_code=status_code)


@router.get(PAGE)
def product_names(request: Request, user: PageUser, db: Db, q: SearchText | None = None,
                  page: PageNumber = 1) -> Any:
    return _page(request, db, user, q=q, page=page)


@router.post(PAGE, dependencies=csrf)
def add_name(request: Request, user: PageUser, db: Db, form: FormData) -> Any:
    require_role(user, Role.ADMIN, Role.BILLING)
    values = form_values(form, ("name", "sku_id"))
    raw = str(values.get("sku_id") or "").strip()
    try:
        if not (raw.isdigit() and len(raw) < 11 and 0 < int(raw) <= MAX_ID):
            raise ValidationFailed([FieldProblem("sku_id", "choose a service")])
        row = service.add(db, user, str(values.get("name") or ""), int(raw))
    except ValidationFailed as exc:
        return _page(request, db, user, values=values, errors=form_errors(exc),
                     status_code=422)
    except Conflict as exc:
        return _page(request, db, user, values=values, refusal=exc.detail, status_code=409)
    flash(request, f"{row.name} now maps to service {row.sku_id}.")
    return RedirectResponse(PAGE, status_code=303)


@router.post(PAGE + "/{product_name_id}/delete", dependencies=csrf)
def delete_name(request: Request, product_name_id: Id, user: PageUser, db: Db) -> Any:
    service.remove(db, user, product_name_id)
    flash(request, "Product name deleted: an import now reports it as unknown.")
    return RedirectResponse(PAGE, status_code=303)
