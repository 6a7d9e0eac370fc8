"""The KPI dashboard: tiles, revenue bridge, trend, breakdown tables, CSV export, drill-down."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from accord.core.models import User
from accord.core.periods import format_month
from accord.kpis import charts, service
from accord.kpis.formulas import RETENTION_FIELDS
from accord.kpis.registry import BY_SLUG
from accord.web.deps import get_db, page_user, today
from accord.web.templating import render

router = APIRouter()

TILES = ("nrr", "grr", "logo_churn_rate", "expansion_rate")


def _previous(doc: dict[str, Any], db: Session, user: User) -> dict[str, Any] | None:
    year, month = map(int, doc["as_of"].split("-"))
    prev = format_month(year * 12 + month - 2)
    try:
        return service.kpi_report(db, user, today=today(), as_of=prev)
    except Exception:  # noqa: BLE001 - no previous month in the data: no change shown
        return None


@router.get("/dashboard")
def dashboard(
    request: Request, as_of: str | None = None, db: Session = Depends(get_db),
    user: User = Depends(page_user),
) -> Any:
    doc = service.kpi_report(db, user, today=today(), as_of=as_of or None, series=True)
    before = _previous(doc, db, user)
    tiles = []
    for slug in TILES:
        value = doc["portfolio"][slug]
        old = before["portfolio"][slug] if before else None
        tiles.append({"slug": slug, "label": BY_SLUG[slug].label, "value": value,
                      "change": None if value is None or old is None else value - old})
    top, old_top = doc["concentration"]["top20_share"], (
        before["concentration"]["top20_share"] if before else None)
    tiles.append({"slug": "top20_share", "label": BY_SLUG["top20_share"].label, "value": top,
                  "change": None if top is None or old_top is None else top - old_top})
    first, last = service.data_months(db)
    months = [] if first is None or last is None else [
        format_month(m) for m in range(last, first - 1, -1)]
    return render(request, "kpis/dashboard.html", {
        "user": user, "doc": doc, "tiles": tiles, "months": months,
        "bridge": charts.bridge(doc["portfolio"]),
        "trend": charts.trend(doc["series"], ("nrr", "grr")),
        "fields": RETENTION_FIELDS, "registry": BY_SLUG,
    })


@router.get("/dashboard/accounts")
def drill_down(
    request: Request, movement: str, as_of: str | None = None, db: Session = Depends(get_db),
    user: User = Depends(page_user),
) -> Any:
    page = service.account_movements(db, user, movement=movement, today=today(),
                                     as_of=as_of or None, limit=500)
    return render(request, "kpis/accounts.html", {"user": user, "page": page})


@router.get("/dashboard/export/{table}.csv")
def export_csv(
    table: str, as_of: str | None = None, db: Session = Depends(get_db),
    user: User = Depends(page_user),
) -> Response:
    by = {"managers": "manager", "segments": "segment", "tiers": "tier"}.get(table)
    doc = service.kpi_report(db, user, today=today(), as_of=as_of or None, series=True)
    rows, key = (doc[f"by_{by}"], by) if by else (doc["series"], "as_of")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([key, *RETENTION_FIELDS])
    for row in rows:
        writer.writerow([row[key] or "", *("" if row[f] is None else row[f]
                                          for f in RETENTION_FIELDS)])
    name = f"kpis-{table}-{doc['as_of']}.csv"
    return Response(out.getvalue(), media_type="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
