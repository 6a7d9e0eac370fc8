"""The Pipeline page: the weighted pipeline by manager, account, segment or tier, the
forecast by month against the managers' targets, and the opportunities behind it (filters,
sort, pages) with its CSV export."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from accord.core.errors import ValidationFailed
from accord.core.schemas import Id, PageNumber, Word
from accord.growth.opportunities import pipeline, rules
from accord.web.deps import today
from accord.web.page_deps import Db, PageUser, form_errors
from accord.web.templating import render

router = APIRouter()
PAGE_SIZE = 50


def _query(f: dict[str, Any], **change: Any) -> str:
    merged = {**f, **change}
    return urlencode({k: v for k, v in merged.items() if v not in (None, "")})


@router.get("/pipeline")
def pipeline_page(
    request: Request, user: PageUser, db: Db, by: Word = "manager",
    manager_id: Id | None = None, segment: Word | None = None, tier: Word | None = None,
    stage: Word | None = None, kind: Word | None = None, close_month: Word | None = None,
    sort: Word = "close", page: PageNumber = 1,
) -> Any:
    shown = {"by": by, "manager_id": manager_id, "segment": segment, "tier": tier,
             "stage": stage, "kind": kind, "close_month": close_month, "sort": sort}
    errors: dict[str, str] = {}
    summary = listing = None
    try:
        f = pipeline.parse_filters(manager_id=manager_id, segment=segment, tier=tier,
                                   stage=stage, kind=kind, close_month=close_month)
        summary = pipeline.pipeline(db, user, f, by=by)
        listing = pipeline.opportunities(db, user, f, sort=sort, page=page,
                                         page_size=PAGE_SIZE)
    except ValidationFailed as exc:
        errors = form_errors(exc)
    return render(request, "growth/pipeline.html", {
        "user": user, "summary": summary, "listing": listing, "errors": errors,
        "filters": shown, "choices": pipeline.filter_choices(db, user),
        "by_choices": pipeline.BY, "stage_choices": pipeline.STAGE_CHOICES,
        "kinds": [(k, rules.KIND_LABELS[k]) for k in rules.KINDS], "sorts": pipeline.SORTS,
        "query": lambda **change: _query(shown, **change),
        "pages": max(1, -(-(listing.total if listing else 0) // PAGE_SIZE)), "page": page,
    }, status_code=422 if errors else 200)


@router.get("/pipeline/export.csv")
def pipeline_export(
    user: PageUser, db: Db, manager_id: Id | None = None, segment: Word | None = None,
    tier: Word | None = None, stage: Word | None = None, kind: Word | None = None,
    close_month: Word | None = None, sort: Word = "close",
) -> Response:
    f = pipeline.parse_filters(manager_id=manager_id, segment=segment, tier=tier, stage=stage,
                               kind=kind, close_month=close_month)
    body = pipeline.export_csv(db, user, f, sort=sort)
    day: date = today()
    return Response(body, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="accord-pipeline-{day.isoformat()}.csv"'})
