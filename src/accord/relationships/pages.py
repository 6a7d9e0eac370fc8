"""Pages of relationships: the decisions page for heads (every key or large account, sortable,
filterable, exported) and the stage forms of an account's KAM page (recorded stage, overrides)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse

from accord.core.schemas import PageNumber
from accord.relationships import decisions
from accord.relationships.decisions import DecisionFilter
from accord.web.deps import today
from accord.web.page_deps import Db, PageUser
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
        "relationships/decisions.html",
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
