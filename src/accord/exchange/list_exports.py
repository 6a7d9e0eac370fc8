"""The list pages' export routes: ``/plans/export.csv`` and ``/plans/export.xlsx`` write the
Plans list (every page) for the page's own filters and sort (``list_exporting``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from accord.exchange import exporting
from accord.exchange.list_exporting import export_list
from accord.exchange.schemas import ExportFormat
from accord.web.deps import today
from accord.web.page_deps import Db, PageUser

router = APIRouter()


@router.get("/plans/export.{fmt}")
def plans_export(request: Request, fmt: str, user: PageUser, db: Db) -> Response:
    """The Plans list with the page's filters and sort, every page, as CSV or Excel."""
    body = export_list(db, user, "plans", fmt, dict(request.query_params), today())
    return Response(body, media_type=exporting.MEDIA[ExportFormat(fmt)], headers={
        "Content-Disposition": f'attachment; filename="accord-plans-{today().isoformat()}.{fmt}"'
    })
