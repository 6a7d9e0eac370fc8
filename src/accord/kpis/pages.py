"""The KPI dashboard, its drill-down, CSV/Excel exports and the monthly report (HTML, PDF).

Each route parses its query, calls ONE use case of ``accord.kpis.report`` (which applies
visibility through the KPI service) and renders.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from accord.core.errors import NotFound
from accord.kpis import exporting, report
from accord.kpis.registry import BY_SLUG
from accord.web.deps import today
from accord.web.page_deps import Db, PageUser
from accord.web.templating import render

router = APIRouter()


def _attachment(body: str | bytes, fmt: str, name: str) -> Response:
    return Response(body, media_type=exporting.CONTENT_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/dashboard")
def dashboard(
    request: Request, user: PageUser, db: Db, as_of: str | None = None,
    manager: str | None = None, source: str | None = None,
) -> Any:
    data = report.dashboard(db, user, today=today(), as_of=as_of or None, manager=manager or None,
                            source=source or None)
    return render(request, "kpis/dashboard.html", {
        "user": user, **data, **report.charts_for(data), "registry": BY_SLUG,
        "movements": report.MOVEMENTS, "movement_fields": report.MOVEMENT_FIELDS,
    })


@router.get("/dashboard/accounts")
def drill_down(
    request: Request, user: PageUser, db: Db, movement: str, as_of: str | None = None,
    manager: str | None = None, source: str | None = None,
) -> Any:
    page = report.drill_down(db, user, movement=movement, today=today(), as_of=as_of or None,
                             manager=manager or None, source=source or None)
    return render(request, "kpis/accounts.html", {"user": user, "page": page,
                                                  "movements": report.MOVEMENTS})


@router.get("/dashboard/export/{table}.{fmt}")
def export(
    table: str, fmt: str, user: PageUser, db: Db, as_of: str | None = None,
    manager: str | None = None, movement: str | None = None, source: str | None = None,
) -> Response:
    """CSV or Excel of managers, segments, tiers, series, accounts (?movement=), all (xlsx)."""
    if fmt not in exporting.CONTENT_TYPES or (table == "all" and fmt == "csv"):
        raise NotFound(f"no export {table}.{fmt}")
    tables = report.export_tables(db, user, table=table, today=today(), as_of=as_of or None,
                                  manager=manager or None, movement=movement,
                                  source=source or None)
    about = tables[0].about
    suffix = f"-{about['movement']}" if table == "accounts" else ""
    name = f"kpis-{table}{suffix}-{about['as_of']}.{fmt}"
    if fmt == "csv":
        return _attachment(exporting.to_csv(tables[0]), fmt, name)
    return _attachment(exporting.to_xlsx(tables), fmt, name)


@router.get("/dashboard/report")
def monthly_report(
    request: Request, user: PageUser, db: Db, as_of: str | None = None,
    manager: str | None = None, source: str | None = None,
) -> Any:
    data = report.monthly(db, user, today=today(), as_of=as_of or None, manager=manager or None,
                          source=source or None)
    return render(request, "kpis/report.html", {
        "user": user, **report.report_context(data, print_version=False)})


@router.get("/dashboard/report.pdf")
def monthly_report_pdf(
    user: PageUser, db: Db, as_of: str | None = None, manager: str | None = None,
    source: str | None = None,
) -> Response:
    data = report.monthly(db, user, today=today(), as_of=as_of or None, manager=manager or None,
                          source=source or None)
    return Response(report.render_pdf(data, user), media_type="application/pdf",
                    headers={"Content-Disposition":
                             f'inline; filename="{report.filename(data, "pdf")}"'})
