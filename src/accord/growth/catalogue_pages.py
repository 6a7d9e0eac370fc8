"""``/admin/catalogue``: the product lines, offerings and SKUs, the aliases and the unknown
product-line values of revenue (admins change; everybody signed in reads)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from accord.core.errors import AccordError, ValidationFailed
from accord.core.models import User
from accord.core.schemas import Id
from accord.growth import catalogue
from accord.growth.schemas import AliasIn, LineIn, OfferingIn, SkuIn, parsed
from accord.web.deps import today
from accord.web.flash import flash
from accord.web.page_deps import Db, FormData, PageUser, csrf, form_errors, form_values
from accord.web.templating import render

router = APIRouter()
PRICE = ("list_price",)


def _page(request: Request, db: Any, user: User, *, errors: dict[str, str] | None = None,
          values: dict[str, Any] | None = None, form: str = "", status_code: int = 200) -> Any:
    view = catalogue.catalogue_page(db, user)
    return render(request, "growth/catalogue.html", {
        "user": user, "cat": view.catalogue, "aliases": view.aliases, "unmapped": view.unmapped,
        "is_admin": user.role == "admin", "errors": errors or {}, "values": values or {},
        "form": form}, status_code=status_code)


@router.get("/admin/catalogue")
def catalogue_page(request: Request, user: PageUser, db: Db) -> Any:
    return _page(request, db, user)


def _submit(request: Request, db: Any, user: User, form_name: str, values: dict[str, Any],
            action: Any, message: str) -> Any:
    try:
        action()
    except ValidationFailed as exc:
        return _page(request, db, user, errors=form_errors(exc), values=values,
                     form=form_name, status_code=422)
    except AccordError as exc:
        if exc.status in (401, 403, 404):
            raise
        return _page(request, db, user, errors={"form": exc.detail}, values=values,
                     form=form_name, status_code=exc.status)
    flash(request, message)
    return RedirectResponse("/admin/catalogue", status_code=303)


@router.post("/admin/catalogue/lines", dependencies=csrf)
def add_line(request: Request, user: PageUser, db: Db, form: FormData) -> Any:
    values = form_values(form, ("name", "description", "owner_email", "list_price"))
    return _submit(request, db, user, "line", values, lambda: catalogue.add_line(
        db, user, parsed(LineIn, values), today=today()),  # type: ignore[arg-type]
        f"Product line {values.get('name')} added.")


@router.post("/admin/catalogue/lines/{line_id}/offerings", dependencies=csrf)
def add_offering(request: Request, line_id: Id, user: PageUser, db: Db,
                 form: FormData) -> Any:
    values = form_values(form, ("name", "description", "owner_email", "list_price"))
    return _submit(request, db, user, f"offering-{line_id}", values, lambda: (
        catalogue.add_offering(db, user, line_id, parsed(OfferingIn, values))),  # type: ignore[arg-type]
        f"Offering {values.get('name')} added.")


@router.post("/admin/catalogue/offerings/{offering_id}/skus", dependencies=csrf)
def add_sku(request: Request, offering_id: Id, user: PageUser, db: Db,
            form: FormData) -> Any:
    values = form_values(form, ("code", "name", "unit", "owner_email", "list_price"))
    return _submit(request, db, user, f"sku-{offering_id}", values, lambda: (
        catalogue.add_sku(db, user, offering_id, parsed(SkuIn, values))),  # type: ignore[arg-type]
        f"SKU {values.get('code')} added.")


@router.post("/admin/catalogue/aliases", dependencies=csrf)
def add_alias(request: Request, user: PageUser, db: Db, form: FormData) -> Any:
    values = form_values(form, ("alias", "product_line_id"))
    raw = values.get("product_line_id") or ""
    given = {**values, "product_line_id": int(raw) if raw.isdigit() and len(raw) < 10 else raw}
    return _submit(request, db, user, "alias", values, lambda: catalogue.add_alias(
        db, user, parsed(AliasIn, given), today=today()),  # type: ignore[arg-type]
        f"{values.get('alias')} mapped.")


@router.post("/admin/catalogue/aliases/{alias_id}/delete", dependencies=csrf)
def delete_alias(request: Request, alias_id: Id, user: PageUser, db: Db) -> Any:
    catalogue.delete_alias(db, user, alias_id, today=today())
    flash(request, "Alias removed.")
    return RedirectResponse("/admin/catalogue", status_code=303)
