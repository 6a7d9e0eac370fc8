"""The licences settings page for admins and heads (``/admin/licences``): when a seat counts
as active and the thresholds of the up-sell and risk signals. A refused save comes back with
the error by its field; a stale one (409) with the input kept."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request

from accord.core import policy_store
from accord.core.roles import require_role
from accord.licences import settings
from accord.licences.signals import service as signals
from accord.web.page_deps import Db, FormData, PageToday, PageUser, csrf
from accord.web.settings_form import save_settings_form
from accord.web.templating import render

router = APIRouter()
PAGE = "/admin/licences"
FIELDS = ("active_days", "upsell_allocation", "upsell_adoption", "risk_adoption")
SHARES = FIELDS[1:]


def _page(request: Request, db: Any, user: Any, *, values: dict[str, Any] | None = None,
          errors: dict[str, str] | None = None, conflict: bool = False,
          status_code: int = 200) -> Any:
    stored = settings.policy(db)
    shown = values or {"active_days": str(stored.active_days),
                       **{f: str(getattr(stored, f) * 100).rstrip("0").rstrip(".")
                          for f in SHARES}}
    return render(request, "licences/settings.html", {
        "user": user, "stored": stored, "values": shown, "errors": errors or {},
        "conflict": conflict, "version": settings.version(db),
        "currency": settings.currency(db)}, status_code=status_code)


def _parsed(values: dict[str, Any]) -> dict[str, Any]:
    """The form's text as the policy's fields: days whole, shares typed in per cent."""
    out: dict[str, Any] = {}
    for field in FIELDS:
        text = str(values.get(field) or "").strip()
        if not text:
            continue
        if field == "active_days":
            out[field] = int(text) if text.isdigit() and len(text) < 10 else text
            continue
        try:
            out[field] = str(Decimal(text) / 100)
        except ArithmeticError:
            out[field] = text  # the policy names the field
    return out


@router.get(PAGE)
def licences_settings_page(request: Request, user: PageUser, db: Db) -> Any:
    require_role(user, *policy_store.EDITORS)
    return _page(request, db, user)


@router.post(PAGE, dependencies=csrf)
def save_licences_settings(request: Request, user: PageUser, db: Db, form: FormData,
                           day: PageToday) -> Any:
    require_role(user, *policy_store.EDITORS)
    return save_settings_form(
        request, form, FIELDS,
        save=lambda values, expected: signals.change_settings(
            db, user, _parsed(values), expected, day),
        page=lambda **shown: _page(request, db, user, **shown),
        saved="Licences settings saved.", to=PAGE)
