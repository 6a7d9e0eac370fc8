"""The targets' section of the dashboard and the monthly report ("measured against goals"),
registered with ``kpis.panels`` by ``app.wiring``: the targets whose period holds the
report's month, of the chosen manager or of everyone the reader may read, each with its
actual up to the end of that month (or today) and the book NRR of that month's KPI document."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from accord.core.periods import first_day, parse_month
from accord.kpis.panels import ReportScope, Section
from accord.plans.targets import service

KEY = "targets"
TEMPLATE = "plans/targets_panel.html"


def targets_section(session: Session, scope: ReportScope) -> Section:
    month = parse_month(scope.as_of)
    start, end = first_day(month), first_day(month + 1) - timedelta(days=1)
    items = service.in_month(session, scope.user, manager=scope.manager, month_start=start,
                             month_end=end, today=scope.today, nrr_cap=month,
                             doc=dict(scope.doc))
    return Section(KEY, "Measured against targets", TEMPLATE, {
        "items": items, "as_of": scope.as_of, "can_set": service.may_set(scope.user),
        "manager": None if scope.manager is None else scope.manager.email,
    })
