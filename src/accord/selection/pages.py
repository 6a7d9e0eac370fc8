"""Pages: the selection matrix, the criteria, and an account's KAM page (score, stage,
health); the page's stage and health forms post to the routes of their own packages."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from accord.accounts.visibility import require_writer
from accord.core import versions
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.schemas import MAX_ID, Id
from accord.selection import matrix as matrix_service
from accord.selection import service
from accord.selection.schemas import ScoringIn
from accord.selection.summary import kam_page
from accord.web.deps import today
from accord.web.flash import flash
from accord.web.page_deps import Db, FormData, PageUser, csrf, form_errors, form_values
from accord.web.templating import render

router = APIRouter()
Today = Annotated[date, Depends(today)]


def _int(value: str | None) -> int | None:
    """A row id from the query; anything else, or past a row id's range, is ignored."""
    try:
        number = int(value) if value not in (None, "") else None
    except ValueError:
        return None
    return number if number is None or 1 <= number <= MAX_ID else None


@router.get("/matrix")
def matrix_page(
    request: Request,
    db: Db,
    user: PageUser,
    day: Today,
    manager_id: str | None = None,
    segment: str | None = None,
) -> Any:
    data = matrix_service.matrix_page(
        db, user, today=day, manager_id=_int(manager_id), segment=segment or None
    )
    return render(
        request,
        "matrix.html",
        {
            "user": user,
            **data,
            "filters": {"manager_id": _int(manager_id), "segment": segment or ""},
        },
    )


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
        "account_kam.html",
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


def _criteria_page(
    request: Request,
    db: Any,
    user: Any,
    errors: dict[str, str] | None = None,
    submitted: dict[str, Any] | None = None,
    status_code: int = 200,
    changed: dict[str, str] | None = None,
) -> Any:
    """``changed``: a stale save's kind and the criteria now stored (L1)."""
    criteria = service.list_criteria(db, user)
    return render(
        request,
        "criteria.html",
        {
            "user": user,
            "criteria": criteria,
            "versions": {
                kind: service.criteria_version(getattr(criteria, kind))
                for kind in ("attractiveness", "buying")
            },
            "policy": service.get_policy(db, user).to_dict(),
            "errors": errors or {},
            "submitted": submitted or {},
            "changed": changed or {},
        },
        status_code=status_code,
    )


@router.get("/selection/criteria")
def criteria_page(request: Request, db: Db, user: PageUser) -> Any:
    return _criteria_page(request, db, user)


@router.post("/selection/criteria/{kind}", dependencies=csrf)
def save_criteria(request: Request, kind: str, db: Db, user: PageUser, form: FormData) -> Any:
    rows = []
    for i in range(10):
        name = str(form.get(f"name_{i}") or "").strip()
        if not name:
            continue
        rows.append(
            {
                "name": name,
                "weight": form.get(f"weight_{i}") or 0,
                "anchor_0": form.get(f"anchor0_{i}") or "",
                "anchor_5": form.get(f"anchor5_{i}") or "",
                "anchor_10": form.get(f"anchor10_{i}") or "",
            }
        )
    try:
        from accord.selection.schemas import CriteriaSetIn

        data = CriteriaSetIn.model_validate({"criteria": rows})
        expected = versions.form_expected(form_values(form, ("version",)))
        service.replace_criteria(db, user, kind, data.criteria, expected)
    except versions.Stale as exc:  # the rows typed stay; the form now starts from the store
        db.rollback()
        return _criteria_page(
            request,
            db,
            user,
            submitted={"kind": kind, "rows": rows},
            status_code=409,
            changed={"kind": kind, **exc.changed},
        )
    except (ValidationFailed, ValidationError) as exc:
        db.rollback()
        return _criteria_page(
            request,
            db,
            user,
            errors=form_errors(exc),
            submitted={"kind": kind, "rows": rows},
            status_code=422,
        )
    flash(request, f"The {kind} criteria are saved.")
    return RedirectResponse("/selection/criteria", status_code=303)
