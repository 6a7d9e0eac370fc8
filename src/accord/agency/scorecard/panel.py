"""Agency work's section of the dashboard and the monthly report (``kpis.panels``, connected
by ``app.wiring``): the on-time rate of each department for the report's month, against the
agreed and the original date, with the median turnaround and rounds per brief — over the
briefs the reader sees, and of the chosen manager's accounts only when one is chosen. No
section when nothing was delivered that month."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from accord.agency.scorecard import service
from accord.core.periods import first_day, parse_month
from accord.kpis.panels import ReportScope, Section
from accord.kpis.registry import BY_SLUG

KEY = "agency"
TEMPLATE = "agency/scorecard_panel.html"
SLUGS = ("brief_on_time_rate", "brief_on_time_rate_original", "brief_median_turnaround",
         "brief_rounds")


def agency_section(session: Session, scope: ReportScope) -> Section | None:
    month = parse_month(scope.as_of)
    start, end = first_day(month), first_day(month + 1) - timedelta(days=1)
    overall, rows = service.month_by_department(
        session, scope.user, start=start, end=end,
        manager_id=None if scope.manager is None else scope.manager.id)
    if not overall.delivered:
        return None
    return Section(KEY, "Briefs delivered on time", TEMPLATE, {
        "rows": rows, "overall": overall, "as_of": scope.as_of,
        "definitions": [BY_SLUG[s] for s in SLUGS],
        "manager": None if scope.manager is None else scope.manager.name,
    })
