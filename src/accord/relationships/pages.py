"""Pages of relationships: the decisions page for heads (every key or large account, sortable,
filterable, exported) and the stage forms of an account's KAM page (recorded stage, overrides)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from pydantic import ValidationError

from accord.core.errors import ValidationFailed
from accord.core.schemas import Id, PageNumber
from accord.relationships import decisions, service
from accord.relationships.decisions import DecisionFilter
from accord.relationships.schemas import AssessmentIn, OverrideIn
from accord.selection.pages import account_kam_page
from accord.web.deps import today
from accord.web.flash import flash
from accord.web.page_deps import Db, FormData, PageUser, csrf, form_errors
from accord.web.templating import render

router = APIRouter()
Today = Annotated[date, Depends(today)]
FILTERS = ("q", "tier", "decision", "stage", "potential", "segment", "band", "flag")


def _filter(request: Request) -> tuple[DecisionFilter, dict[str, str]]:
    params = {k: request.query_params.get(k, "").strip() for k in FILTERS}
    values = {k: v for k, v in params.items() if v}
    return DecisionFilter(**values), params  # type: ignore[arg-type]


@router.get("/decisions")
def decisions_page(
    request: Request, db: Db, user: PageUser, day: Today, sort: str = "name", page: PageNumber = 1
) -> Any:
    flt, params = _filter(request)
    data = decisions.decisions_page(db, user, today=day, flt=flt, sort=sort, page=page)
    query = "&".join(f"{k}={v}" for k, v in params.items() if v)
    return render(
        request,
        "decisions.html",
        {
            "user": user,
            **data,
            "params": params,
            "sort": sort,
            "query": query,
            "sorts": decisions.SORTS,
        },
    )


@router.get("/decisions/export.csv")
def export_csv(request: Request, db: Db, user: PageUser, day: Today, sort: str = "name") -> Any:
    flt, _ = _filter(request)
    chunks = list(decisions.export_csv(db, user, today=day, flt=flt, sort=sort))
    return StreamingResponse(
        iter(chunks),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="decisions.csv"'},
    )


@router.get("/decisions/export.xlsx")
def export_xlsx(request: Request, db: Db, user: PageUser, day: Today, sort: str = "name") -> Any:
    flt, _ = _filter(request)
    body = decisions.export_xlsx(db, user, today=day, flt=flt, sort=sort)
    return Response(
        body,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="decisions.xlsx"'},
    )


# ---------------------------------------------------------------- the KAM page's stage forms


@router.post("/accounts/{account_id}/kam/stage", dependencies=csrf)
def record_stage(
    request: Request, account_id: Id, db: Db, user: PageUser, day: Today, form: FormData
) -> Any:
    stage = form.get("stage") or None
    comment = form.get("comment") or None
    try:
        data = AssessmentIn.model_validate({"stage": stage, "comment": comment})
        out = service.record_stage(db, user, account_id, data, today=day)
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
        service.set_override(db, user, account_id, criterion, data, today=day)
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
    service.clear_override(db, user, account_id, criterion, today=day)
    flash(request, "Override removed; the evidence counts again.")
    return RedirectResponse(f"/accounts/{account_id}/kam#stage", status_code=303)
