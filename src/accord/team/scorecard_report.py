"""The scorecards' section of the dashboard and the monthly performance report (HTML and
PDF), registered with ``kpis.panels`` by ``app.wiring``: each manager's figures for the
report's month — of the chosen manager, or of every manager the reader may read — with a
row per team and for all of them, their status against the month's targets and the
definitions. NRR and GRR come from the report's own KPI document. No section when there is
no manager to show."""

from __future__ import annotations

from sqlalchemy.orm import Session

from accord.kpis.panels import ReportScope, Section
from accord.team import scorecard

KEY = "scorecards"
TEMPLATE = "team/_report_section.html"


def scorecard_section(session: Session, scope: ReportScope) -> Section | None:
    table = scorecard.month_table(session, scope.user, scope.today, month=scope.as_of,
                                  manager=scope.manager, doc=dict(scope.doc))
    if table is None:
        return None
    return Section(KEY, "Managers' scorecards", TEMPLATE, {
        "table": table, "as_of": scope.as_of,
        "manager": None if scope.manager is None else scope.manager.name,
    })
