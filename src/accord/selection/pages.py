"""Pages: the selection matrix, the criteria, and an account's KAM page (score, stage,
health); the page's stage and health forms post to the routes of their own packages."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from accord.core import versions
from accord.core.errors import ValidationFailed
from accord.core.schemas import MAX_ID
from accord.selection import matrix as matrix_service
from accord.selection import service
from accord.selection.schemas import CriteriaSetIn
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
        "selection/matrix.html",
        {
            "user": user,
            **data,
            "filters": {"manager_id": _int(manager_id), "segment": segment or ""},
        },
    )


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
        "selection/criteria.html",
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
