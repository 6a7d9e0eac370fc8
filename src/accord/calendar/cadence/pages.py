"""Pages of the contact cadence: the policy for admins (``/admin/cadence``), an account's
cadence with its override form (``/accounts/{id}/cadence``) and coverage
(``/cadence/coverage``). Each form is parsed here and handed to ``cadence.service``."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from accord.accounts.visibility import can_write
from accord.calendar.cadence import service
from accord.calendar.cadence.rules import STAGES, TIERS
from accord.calendar.cadence.schemas import CoverageBy, OverrideIn
from accord.calendar.cadence.settings import version
from accord.core import versions
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.models import Role
from accord.core.roles import require_role
from accord.core.schemas import Id
from accord.web.flash import flash
from accord.web.page_deps import Db, FormData, PageToday, PageUser, csrf, form_errors, form_values
from accord.web.templating import render

router = APIRouter()
Today = PageToday  # the user's own date (their time zone)
ADMIN_PAGE = "/admin/cadence"
MAX_FORM_DAYS = 1_000_000


def _days(raw: str | None, field: str, problems: list[FieldProblem]) -> int | None:
    text = (raw or "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 7:
        problems.append(FieldProblem(field, "a whole number of days (empty: none)"))
        return None
    return int(text)


def _field(tier_name: str, what: str) -> str:
    return f"{tier_name.replace(' ', '_')}_{what}"


# ---------------------------------------------------------------- the policy


def _admin_page(request: Request, db: Any, user: Any, *, errors: dict[str, str] | None = None,
                values: dict[str, Any] | None = None, changed: bool = False,
                status_code: int = 200) -> Any:
    policy = service.policy(db)
    rows = [{"tier": t, "touch": _field(t, "touch"), "review": _field(t, "review"),
             "spec": policy.tiers.get(t)} for t in TIERS]
    staged = [(t, s, spec) for t, by in policy.stages.items() for s, spec in by.items()]
    return render(request, "calendar/cadence_admin.html", {
        "user": user, "policy": policy, "rows": rows, "staged": staged, "stages": STAGES,
        "version": version(db), "errors": errors or {}, "values": values or {},
        "changed": changed,
    }, status_code=status_code)


@router.get(ADMIN_PAGE)
def cadence_admin(request: Request, user: PageUser, db: Db) -> Any:
    require_role(user, Role.ADMIN)
    return _admin_page(request, db, user)


@router.post(ADMIN_PAGE, dependencies=csrf)
def save_cadence(request: Request, user: PageUser, db: Db, form: FormData) -> Any:
    require_role(user, Role.ADMIN)
    fields = ["version", "due_ratio", "neglected_ratio"]
    fields += [_field(t, w) for t in TIERS for w in ("touch", "review")]
    values = form_values(form, tuple(fields))
    problems: list[FieldProblem] = []
    tiers = {
        t: {"touch_days": _days(values.get(_field(t, "touch")), f"tiers.{t}.touch_days",
                                problems),
            "review_days": _days(values.get(_field(t, "review")), f"tiers.{t}.review_days",
                                 problems)}
        for t in TIERS
    }
    change: dict[str, Any] = {"tiers": tiers}
    for ratio in ("due_ratio", "neglected_ratio"):
        if (values.get(ratio) or "").strip():
            change[ratio] = values[ratio].strip()
    try:
        if problems:
            raise ValidationFailed(problems)
        service.update_policy(db, user, change, expected=versions.form_expected(values))
    except versions.Stale:
        return _admin_page(request, db, user, values=values, changed=True, status_code=409)
    except ValidationFailed as exc:
        return _admin_page(request, db, user, values=values, errors=form_errors(exc),
                           status_code=422)
    flash(request, "Cadence saved.")
    return RedirectResponse(ADMIN_PAGE, status_code=303)


# ---------------------------------------------------------------- one account


def _account_page(request: Request, db: Any, user: Any, account_id: int, day: date, *,
                  errors: dict[str, str] | None = None, values: dict[str, Any] | None = None,
                  status_code: int = 200) -> Any:
    cadence = service.account_cadence(db, user, account_id, day)
    if values is None and cadence.override is not None:
        o = cadence.override
        values = {"touch_days": o.touch_days, "review_days": o.review_days, "reason": o.reason}
    return render(request, "calendar/cadence_account.html", {
        "user": user, "c": cadence, "errors": errors or {}, "values": values or {},
        "can_write": can_write(user),
    }, status_code=status_code)


@router.get("/accounts/{account_id}/cadence")
def account_cadence(request: Request, account_id: Id, user: PageUser, db: Db, day: Today) -> Any:
    return _account_page(request, db, user, account_id, day)


@router.post("/accounts/{account_id}/cadence", dependencies=csrf)
def set_override(request: Request, account_id: Id, user: PageUser, db: Db, day: Today,
                 form: FormData) -> Any:
    values = form_values(form, ("touch_days", "review_days", "reason", "reports_only"))
    problems: list[FieldProblem] = []
    reports_only = values.get("reports_only") in ("1", "on", "true")
    touch = None if reports_only else _days(values.get("touch_days"), "touch_days", problems)
    if not reports_only and touch is None and not problems:
        problems.append(FieldProblem(
            "touch_days", "days between touches, or tick \"reports only\""))
    review = _days(values.get("review_days"), "review_days", problems)
    try:
        if problems:
            service.account_cadence(db, user, account_id, day)  # 404 before a form error
            raise ValidationFailed(problems)
        data = OverrideIn(touch_days=touch, review_days=review, reason=values.get("reason") or "")
        service.set_override(db, user, account_id, data, day)
    except (ValidationFailed, ValidationError) as exc:
        return _account_page(request, db, user, account_id, day, values=values,
                             errors=form_errors(exc), status_code=422)
    flash(request, "The account's own cadence is saved.")
    return RedirectResponse(f"/accounts/{account_id}/cadence", status_code=303)


@router.post("/accounts/{account_id}/cadence/clear", dependencies=csrf)
def clear_override(request: Request, account_id: Id, user: PageUser, db: Db, day: Today) -> Any:
    service.clear_override(db, user, account_id, day)
    flash(request, "The account follows the cadence policy again.")
    return RedirectResponse(f"/accounts/{account_id}/cadence", status_code=303)


# ---------------------------------------------------------------- coverage


@router.get("/cadence/coverage")
def coverage(request: Request, user: PageUser, db: Db, day: Today,
             by: CoverageBy | None = None) -> Any:
    out = service.coverage(db, user, day, by)
    return render(request, "calendar/cadence_coverage.html",
                  {"user": user, "cov": out, "by": by, "choices": service.BY})
