"""The account's KAM page (scoring, stage, health) and the forms on it: each form calls its
own capability's service (selection, relationships) and, when it fails, the page comes back
with the form's errors and values."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from accord.accounts.visibility import require_writer
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.schemas import MAX_ID, Id
from accord.glance.kam import kam_page
from accord.relationships import service as stages
from accord.relationships.schemas import AssessmentIn, OverrideIn
from accord.selection import service
from accord.selection.schemas import ScoringIn
from accord.web.deps import today
from accord.web.flash import flash
from accord.web.page_deps import Db, FormData, PageUser, csrf, form_errors
from accord.web.templating import render

router = APIRouter()
Today = Annotated[date, Depends(today)]


def account_kam_page(
    request: Request,
    db: Any,
    user: Any,
    account_id: Id,
    day: date,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Any:
    """The account's KAM page (scoring, stage, health), with a form's errors and values when
    a post from it failed (the stage and health routes of their own packages use it too)."""
    page = kam_page(db, user, account_id, day)
    return render(
        request,
        "selection/account_kam.html",
        {
            "user": user,
            "account": page.account,
            "kam": page.summary,
            "criteria": page.criteria,
            "errors": errors or {},
            "values": values or {},
        },
        status_code=status_code,
    )


@router.get("/accounts/{account_id}/kam")
def account_kam(request: Request, account_id: Id, db: Db, user: PageUser, day: Today) -> Any:
    return account_kam_page(request, db, user, account_id, day)


def _criterion(key: str, prefix: int) -> int:
    """The criterion id a scoring field is named after (``a_12``, ``us_7``); B4: any other
    name is a form error, not a crash."""
    text = key[prefix:]
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_ID:
        raise ValidationFailed([FieldProblem(key, "not a criterion of this form")])
    return int(text)


def _scoring_from_form(form: dict[str, Any]) -> dict[str, Any]:
    attractiveness, buying = [], []
    for key, value in form.items():
        if key.startswith("a_"):
            attractiveness.append({"criterion_id": _criterion(key, 2), "score": value or None})
        elif key.startswith("us_"):
            cid = _criterion(key, 3)
            buying.append(
                {
                    "criterion_id": cid,
                    "us": value or None,
                    "competitor": form.get(f"them_{cid}") or None,
                }
            )
    return {
        "attractiveness": attractiveness,
        "buying": buying,
        "competitor_name": form.get("competitor_name") or "",
        "comment": form.get("comment") or None,
        "potential_override": form.get("potential_override") or None,
    }


@router.post("/accounts/{account_id}/kam/score", dependencies=csrf)
def score(
    request: Request, account_id: Id, db: Db, user: PageUser, day: Today, form: FormData
) -> Any:
    require_writer(user)  # a read-only role is refused before its form is read (403, not 422)
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    try:
        data = ScoringIn.model_validate(_scoring_from_form(values))
        result = service.score_account(db, user, account_id, data, today=day)
    except (ValidationFailed, ValidationError) as exc:
        db.rollback()
        return account_kam_page(
            request,
            db,
            user,
            account_id,
            day,
            errors=form_errors(exc),
            values=values,
            status_code=422,
        )
    flash(request, f"Scored: {result.quadrant}, potential {result.potential}.")
    return RedirectResponse(f"/accounts/{account_id}/kam", status_code=303)


@router.post("/accounts/{account_id}/kam/deselect", dependencies=csrf)
def deselect(
    request: Request, account_id: Id, db: Db, user: PageUser, day: Today, form: FormData
) -> Any:
    reason = str(form.get("reason") or "").strip()
    if not reason:
        return account_kam_page(
            request,
            db,
            user,
            account_id,
            day,
            errors={"deselect_reason": "say why the account is no longer key"},
            status_code=422,
        )
    service.deselect(db, user, account_id, reason)
    flash(request, "Account deselected: tier 'not key'.")
    return RedirectResponse(f"/accounts/{account_id}/kam", status_code=303)


@router.post("/accounts/{account_id}/kam/reselect", dependencies=csrf)
def reselect(request: Request, account_id: Id, db: Db, user: PageUser) -> Any:
    service.reselect(db, user, account_id)
    flash(request, "Account back in the programme.")
    return RedirectResponse(f"/accounts/{account_id}/kam", status_code=303)


@router.post("/accounts/{account_id}/kam/stage", dependencies=csrf)
def record_stage(
    request: Request, account_id: Id, db: Db, user: PageUser, day: Today, form: FormData
) -> Any:
    stage = form.get("stage") or None
    comment = form.get("comment") or None
    try:
        data = AssessmentIn.model_validate({"stage": stage, "comment": comment})
        out = stages.record_stage(db, user, account_id, data, today=day)
    except (ValidationFailed, ValidationError) as exc:
        db.rollback()
        return account_kam_page(
            request, db, user, account_id, day, errors=form_errors(exc), status_code=422
        )
    flash(request, f"Stage recorded: {out.recorded_stage}.")
    return RedirectResponse(f"/accounts/{account_id}/kam#stage", status_code=303)


@router.post("/accounts/{account_id}/kam/override", dependencies=csrf)
def override(
    request: Request, account_id: Id, db: Db, user: PageUser, day: Today, form: FormData
) -> Any:
    criterion = str(form.get("criterion") or "")
    try:
        data = OverrideIn.model_validate(
            {"score": form.get("score") or 0, "reason": form.get("reason") or ""}
        )
        stages.set_override(db, user, account_id, criterion, data, today=day)
    except (ValidationFailed, ValidationError) as exc:
        db.rollback()
        return account_kam_page(
            request, db, user, account_id, day, errors=form_errors(exc), status_code=422
        )
    flash(request, "Override saved.")
    return RedirectResponse(f"/accounts/{account_id}/kam#stage", status_code=303)


@router.post("/accounts/{account_id}/kam/override/{criterion}/clear", dependencies=csrf)
def clear_override(
    request: Request, account_id: Id, criterion: str, db: Db, user: PageUser, day: Today
) -> Any:
    stages.clear_override(db, user, account_id, criterion, today=day)
    flash(request, "Override removed; the evidence counts again.")
    return RedirectResponse(f"/accounts/{account_id}/kam#stage", status_code=303)
