"""NRR and GRR of the scorecards: the KPI engine's sums of each manager's book (its
``by_manager`` groups, ``kpi_groups.manager_id``) as of each period's month, turned into
ratios by ``kpis.formulas.retention`` — or, for the report's month, the report's own KPI
document. The month of a period is the targets' (``plans.targets.actuals.nrr_month``). A
user who sees the managers' whole books reads their groups' ranges of the derived rows'
key (one statement for every month); anyone else the engine's ``one_month`` per month over
the accounts they see. Part of ``scorecard_figures`` (``scorecard_cells``'s ``Cell`` and
``Ctx``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from accord.core.models import User
from accord.core.periods import month_index
from accord.kpis import derived
from accord.kpis import queries as kpi_sql
from accord.kpis import service as kpi_service
from accord.kpis.formulas import Sums, last_complete_month
from accord.kpis.models import KpiAccountWindow, KpiGroup
from accord.plans.targets import actuals
from accord.team.scorecard_cells import Cell, Cells, Ctx, kpi_cell
from accord.team.scorecard_rules import Period

kpi_windows: Table = KpiAccountWindow.__table__  # type: ignore[assignment]
kpi_groups: Table = KpiGroup.__table__  # type: ignore[assignment]


def _cents(value: Any) -> int:
    return int(Decimal(str(value)) * 100)


def _from_doc(doc: dict[str, Any], managers: Sequence[User]) -> dict[int, Sums]:
    """The KPI document's ``by_manager`` rows as the sums they were made of."""
    rows = {r["manager"]: r for r in doc.get("by_manager", [])}
    found = {}
    for m in managers:
        r = rows.get(m.email)
        found[m.id] = Sums() if r is None else Sums(
            accounts_at_start=int(r["accounts_at_start"]), starting=_cents(r["starting_revenue"]),
            churned_accounts=int(r["churned_accounts"]), churned=_cents(r["churned_revenue"]),
            contraction=_cents(r["contraction_revenue"]),
            expansion=_cents(r["expansion_revenue"]))
    return found


def as_of_months(session: Session, today: date, chosen: Sequence[Period]
                 ) -> tuple[kpi_service.Resolved, dict[int, int | None]]:
    """The KPI data brought up to date, and each period's as-of month (the targets'
    choice: its last month, or the last complete month of the data when that is earlier;
    none before the period began)."""
    newest_audit, newest_load = derived.watermarks(session)
    r = kpi_service.resolve(session, as_of=None, window=None, basis=None, today=today,
                            newest_audit=newest_audit, newest_load=newest_load)
    cap = last_complete_month(r.state.last_month, month_index(today))
    return r, {i: actuals.nrr_month(p.last_month, p.first_month, cap)
               for i, p in enumerate(chosen)}


def _book_sums(c: Ctx, variant: int, months: list[int]) -> dict[tuple[int, int], Sums]:
    """The KPI sums of each manager's groups (``kpi_groups.manager_id``: the engine's
    ``by_manager``) as of each month: one statement reading their ranges of the derived
    rows' key, for a user who sees the whole books."""
    groups = select(kpi_groups.c.gid, kpi_groups.c.manager_id).where(
        kpi_groups.c.manager_id.in_(c.ids)).subquery("book_groups")
    w = kpi_windows.c
    rows = c.session.execute(
        select(w.month, groups.c.manager_id, w.movement, func.count(), func.sum(w.prev_cents),
               func.sum(w.cur_cents))
        .select_from(kpi_windows.join(groups, groups.c.gid == w.gid))
        .where(w.variant == variant, w.month.in_(months))
        .group_by(w.month, groups.c.manager_id, w.movement)).all()
    per: dict[tuple[int, int], Sums] = {}
    for month, manager, movement, n, prev, cur in rows:
        key = (int(manager), int(month))
        per[key] = per.get(key, Sums()) + Sums.of_movement(int(movement), int(n),
                                                            int(prev or 0), int(cur or 0))
    return per


def nrr_grr(c: Ctx) -> dict[str, Cells]:
    if (c.doc and len(c.chosen) == 1 and c.doc.get("as_of") == c.chosen[0].label
            and "by_manager" in c.doc):  # the report's month: its own KPI document
        sums = _from_doc(c.doc, c.managers)
        return {key: {(m, 0): kpi_cell(key, sums[m]) for m in c.ids} for key in ("nrr", "grr")}
    r, month_of = as_of_months(c.session, c.today, c.chosen)
    months = sorted({m for m in month_of.values() if m is not None})
    per: dict[tuple[int, int], Sums] = {}
    kpi_sql.tune(c.session)
    if months and c.whole_books:
        per.update(_book_sums(c, r.variant, months))
    else:
        for m in months:
            for manager, _segment, _tier, s in kpi_sql.one_month(
                    c.session, r.variant, m, c.book).groups:
                if manager is not None:
                    per[(manager, m)] = per.get((manager, m), Sums()) + s
    out: dict[str, Cells] = {"nrr": {}, "grr": {}}
    for i, month in month_of.items():
        for mid in c.ids:
            for key in out:
                out[key][(mid, i)] = Cell() if month is None else kpi_cell(
                    key, per.get((mid, month), Sums()))
    return out
