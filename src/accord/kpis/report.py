"""The dashboard and the monthly performance report: assembling figures, rendering HTML and PDF.

Everything here reads through the KPI service (``service.kpi_report`` and
``service.account_movements``) and ``pareto``, which apply visibility. A report "for a
manager" covers the accounts that manager sees *and the asking user sees* (the asker's
visibility bounds every figure, ``service.scope``), and only for someone allowed to look at
that manager: themselves, their head, or a role that sees everything; anyone else gets the
same ``NotFound`` as for an unknown e-mail, so nothing is learned.

One Jinja template (``kpis/report.html``) renders both the web page (inside ``web/base.html``)
and the PDF (inside ``kpis/_print.html``, printed by WeasyPrint).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.accounts.visibility import sees_everything
from accord.core.errors import NotFound, ValidationFailed
from accord.core.identity import get_user_by_email
from accord.core.models import Role, Team, User
from accord.core.periods import format_month, parse_month
from accord.kpis import charts, exporting, panels, pareto, service
from accord.kpis.formulas import Basis, Source, Windows
from accord.kpis.registry import BY_SLUG

#: (slug, where in the document, higher is better)
TILES = (
    ("nrr", "portfolio", True),
    ("grr", "portfolio", True),
    ("logo_churn_rate", "portfolio", False),
    ("expansion_rate", "portfolio", True),
    ("top20_share", "concentration", False),
)
MOVEMENTS = ("churned", "contracted", "expanded", "new", "reactivated")
#: the bridge amount behind each drill-down movement
MOVEMENT_FIELDS = {"churned": "churned_revenue", "contracted": "contraction_revenue",
                   "expanded": "expansion_revenue", "new": "new_revenue",
                   "reactivated": "reactivated_revenue"}
TOP_MOVEMENTS = 5


# ---------------------------------------------------------------- whose figures


@dataclass(frozen=True)
class Subject:
    """Whose accounts the figures cover: the asking user's, or one manager's."""

    user: User  # who asks: their visibility bounds every figure
    manager: User | None  # set when a manager was chosen: only what they see too

    @property
    def label(self) -> str:
        if self.manager is not None:
            return f"{self.manager.name} ({self.manager.email})"
        if sees_everything(self.user):
            return "Whole portfolio"
        return f"Accounts visible to {self.user.name}"

    @property
    def email(self) -> str | None:
        return None if self.manager is None else self.manager.email


def subject_for(session: Session, user: User, manager: str | None) -> Subject:
    """The asking user, or the chosen manager if the user may look at them (else NotFound)."""
    if not manager:
        return Subject(user, None)
    hidden = NotFound(f"no manager {manager}")
    try:
        target = get_user_by_email(session, manager)
    except NotFound:
        raise hidden from None
    if sees_everything(user):
        allowed = True
    elif user.id is not None and target.id == user.id:
        allowed = True
    elif Role(user.role) is Role.HEAD and target.team_id is not None:
        head = session.scalar(select(Team.head_id).where(Team.id == target.team_id))
        allowed = head == user.id
    else:
        allowed = False
    if not allowed:
        raise hidden
    return Subject(user, target)


# ---------------------------------------------------------------- the dashboard


def _previous_month(as_of: str) -> str:
    return format_month(parse_month(as_of) - 1)


def _tiles(doc: dict[str, Any], before: dict[str, Any] | None) -> list[dict[str, Any]]:
    tiles = []
    for slug, where, higher_is_better in TILES:
        value = doc[where][slug]
        old = before[where][slug] if before else None
        change = None if value is None or old is None else value - old
        trend = ""
        if change is not None and abs(change) >= Decimal("0.0005"):  # shown as ±0.0 pts
            better = (change > 0) == higher_is_better
            trend = ("up" if change > 0 else "down") + (" better" if better else " worse")
        tiles.append({"slug": slug, "label": BY_SLUG[slug].label, "value": value,
                      "previous": old, "change": change, "trend": trend,
                      "description": BY_SLUG[slug].description})
    return tiles


def dashboard(
    session: Session, user: User, *, today: date, as_of: str | None = None,
    manager: str | None = None, source: str | None = None,
) -> dict[str, Any]:
    """Everything the dashboard shows: document with series, tiles, Pareto curve, months
    (``source``: invoices or subscriptions instead of the policy's)."""
    subject = subject_for(session, user, manager)
    first, last = service.data_months(session, source)
    doc = service.kpi_report(session, subject.user, today=today, as_of=as_of or None,
                             series=True, within=subject.manager, source=source)
    try:
        before = service.kpi_report(session, subject.user, today=today,
                                    as_of=_previous_month(doc["as_of"]), within=subject.manager,
                                    source=source)
    except ValidationFailed:
        before = None
    curve = pareto.pareto_curve(session, subject.user, today=today, as_of=doc["as_of"],
                                within=subject.manager, source=source)
    months = [] if first is None or last is None else [
        format_month(m) for m in range(last, first - 1, -1)]
    return {
        "doc": doc, "before": before, "tiles": _tiles(doc, before), "curve": curve,
        "months": months, "empty": last is None, "subject": subject,
        "source_param": doc["source"] if source else None,
        "previous_as_of": None if before is None else before["as_of"],
        "can_pick_manager": sees_everything(user) or (
            user.is_active and Role(user.role) is Role.HEAD),
        # what higher capabilities add (targets against actuals): kpis.panels
        "sections": [] if last is None else panels.sections(session, panels.ReportScope(
            subject.user, subject.manager, doc["as_of"], today, doc)),
    }


def charts_for(data: dict[str, Any], links: bool = True) -> dict[str, Any]:
    """The SVG charts of a dashboard or report context."""
    doc = data["doc"]
    manager = f"&manager={data['subject'].email}" if data["subject"].email else ""
    if data.get("source_param"):
        manager += f"&source={data['source_param']}"
    hrefs = {m: f"/dashboard/accounts?movement={m}&as_of={doc['as_of']}{manager}"
             for m in MOVEMENTS} if links else None
    return {
        "bridge_svg": charts.bridge(doc["portfolio"], links=hrefs),
        "trend_svg": charts.trend(doc.get("series") or []),
        "pareto_svg": (charts.pareto(data["curve"], width=560, height=320) if links
                       else charts.pareto(data["curve"], height=230)),
    }


# ---------------------------------------------------------------- drill-down and exports


def drill_down(
    session: Session, user: User, *, movement: str, today: date, as_of: str | None = None,
    manager: str | None = None, limit: int = 500, source: str | None = None,
) -> dict[str, Any]:
    """The accounts behind one movement, each with both window revenues and its ABC class."""
    subject = subject_for(session, user, manager)
    page = service.account_movements(session, subject.user, movement=movement, today=today,
                                     as_of=as_of or None, limit=limit, within=subject.manager,
                                     source=source)
    policy = service.get_policy(session).policy.model_copy(
        update={"source": Source(page["source"])})
    w = Windows(parse_month(page["as_of"]), page["window_months"], Basis(page["basis"]))
    classes = pareto.abc_classes(session, subject.user, w, policy,
                                 (a["account_id"] for a in page["accounts"]), subject.manager)
    for a in page["accounts"]:
        a["abc"] = classes.get(a["account_id"])
    page["subject"] = subject
    page["cutoffs"] = {"A": policy.abc_a, "B": policy.abc_b}
    return page


def export_tables(
    session: Session, user: User, *, table: str, today: date, as_of: str | None = None,
    manager: str | None = None, movement: str | None = None, source: str | None = None,
) -> list[exporting.Table]:
    """The rows of one dashboard table (``all``: every breakdown and the series)."""
    if table == "accounts":
        page = drill_down(session, user, movement=movement or "", today=today, as_of=as_of,
                          manager=manager, limit=1000, source=source)
        return [exporting.accounts_table(page)]
    names = list(exporting.BREAKDOWN_TABLES) if table == "all" else [table]
    if any(n not in exporting.BREAKDOWN_TABLES for n in names):
        raise NotFound(f"no table {table}")
    subject = subject_for(session, user, manager)
    doc = service.kpi_report(session, subject.user, today=today, as_of=as_of or None,
                             series=True, within=subject.manager, source=source)
    return [exporting.breakdown_table(doc, n) for n in names]


# ---------------------------------------------------------------- the monthly report


def monthly(
    session: Session, user: User, *, today: date, as_of: str | None = None,
    manager: str | None = None, source: str | None = None,
) -> dict[str, Any]:
    """The monthly performance report: the dashboard plus the largest movements."""
    data = dashboard(session, user, today=today, as_of=as_of, manager=manager, source=source)
    subject = data["subject"]
    movers = {}
    for movement in ("churned", "contracted", "expanded", "new"):
        movers[movement] = service.account_movements(
            session, subject.user, movement=movement, today=today, as_of=data["doc"]["as_of"],
            limit=TOP_MOVEMENTS, within=subject.manager, source=source)
    data["movers"] = movers
    data["generated_on"] = today.isoformat()
    return data


def report_context(data: dict[str, Any], *, print_version: bool) -> dict[str, Any]:
    """The template context of ``kpis/report.html`` for the page or the PDF."""
    return {**data, **charts_for(data, links=not print_version),
            "layout": "kpis/_print.html" if print_version else "web/base.html",
            "print_version": print_version, "registry": BY_SLUG,
            "movement_fields": MOVEMENT_FIELDS}


def render_html(data: dict[str, Any], user: User | None = None) -> str:
    """The report as a standalone printable HTML document (as the PDF shows it)."""
    # imported here: the accord command loads this module and must start without jinja2/fastapi
    from accord.web.templating import templates

    template = templates.env.get_template("kpis/report.html")
    return template.render({**report_context(data, print_version=True), "user": user,
                            "request": None, "csrf_token": ""})


def render_pdf(data: dict[str, Any], user: User | None = None) -> bytes:
    """The report as PDF bytes (WeasyPrint; no network: everything is inline)."""
    from weasyprint import HTML  # here: slow to load, and only the PDF needs it

    pdf: bytes = HTML(string=render_html(data, user)).write_pdf()
    return pdf


def filename(data: dict[str, Any], ext: str) -> str:
    who = data["subject"].email or "portfolio"
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in who)
    return f"kpi-report-{safe}-{data['doc']['as_of']}.{ext}"
