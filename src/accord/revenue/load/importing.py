"""The revenue load's public entry: a revenue file already opened (``import_revenue``, called
by ``accord.exchange``, which reads every file and owns the import's frame), and revenue rows
already held (``bulk_load_revenue``).

A revenue file takes the route its probe chooses (``routes.py``); the KPI engine is then
told which accounts changed.
"""

from __future__ import annotations

import time

from sqlalchemy.orm import Session

from accord.core.models import User
from accord.revenue.load import staging
from accord.revenue.load.bulk import DEFAULT_BATCH, LoadStats, bulk_load_revenue
from accord.revenue.load.events import revenue_changed
from accord.revenue.load.readers import Table
from accord.revenue.load.routes import Progress, load_revenue_file
from accord.revenue.load.rows import Columns, LoadReport

#: the public entry of the revenue load (``bulk_load_revenue``: rows already held)
__all__ = ["CHUNK", "DEFAULT_BATCH", "LoadStats", "Progress", "bulk_load_revenue",
           "import_revenue"]

#: rows staged per step (progress)
CHUNK = staging.CHUNK


def import_revenue(
    session: Session, user: User, table: Table, cols: Columns, report: LoadReport,
    progress: Progress | None, batch_size: int,
) -> None:
    """Load a revenue file by the route its probe chooses (``routes.py``), then tell the
    KPI engine which accounts changed."""
    stats = load_revenue_file(session, user, table, cols, report, progress, batch_size)
    if progress:
        progress(table.size, table.size)
    report.inserted, report.updated = stats.inserted, stats.updated
    report.unchanged = stats.unchanged
    report.accounts_refreshed = stats.accounts
    report.phases |= {k: round(v, 3) for k, v in stats.seconds.items()}
    if stats.account_ids and (report.skip_invalid or not report.invalid_rows):
        started = time.perf_counter()
        _kpi_hook(session, stats.account_ids, stats.first_months)
        report.phases["kpis"] = round(time.perf_counter() - started, 3)


def _kpi_hook(session: Session, account_ids: list[int], first_months: dict[int, int]) -> None:
    """Tell the KPI engine which accounts' monthly revenue changed, and from which month on
    (same transaction), through the listeners of ``load.events``."""
    revenue_changed(session, account_ids, first_months)
