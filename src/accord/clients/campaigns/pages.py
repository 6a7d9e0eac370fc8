"""Win-back campaign pages (issue 16): the list, the form (prefilled from the Clients page's
link: the list and its filters), one campaign with its members, exclusions, follow-ups and
its result (treatment against holdout, with the interval), and its e-mail export. The pages
parse, call one function of ``service`` (creating) or ``reading`` and render; a refused form
comes back with its messages (422)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup, escape

from accord.clients.campaigns import reading, service
from accord.clients.campaigns.rules import MAX_MONTHS, MIN_MONTHS
from accord.clients.campaigns.schemas import SOURCE_LABELS, SOURCES, DifferenceOut, from_text
from accord.core.errors import ValidationFailed
from accord.core.schemas import Id, PageNumber, SearchText, Word
from accord.web.charts import bar_chart, money_text, percent_text
from accord.web.flash import flash
from accord.web.page_deps import Db, FormData, PageToday, PageUser, csrf, form_errors, form_values
from accord.web.templating import render

router = APIRouter()
BASE = "/clients/campaigns"
FIELDS = ("name", "source", "segment", "account_ids", "manager_id", "min_value", "p_alive_min",
          "p_alive_max", "q", "limit", "holdout", "follow_ups_due_on", "result_months", "notes")
MONTH_CHOICES = (1, 2, 3, 6, 9, 12, 18, 24, 36)
Months = Annotated[int | None, Query(ge=MIN_MONTHS, le=MAX_MONTHS)]


def _form(request: Request, db: Any, user: Any, values: dict[str, Any],
          errors: dict[str, str], status_code: int = 200) -> Any:
    segments = reading.form_choices(db, user)
    return render(request, "clients/campaign_new.html", {
        "user": user, "values": values, "errors": errors,
        "sources": [(s, SOURCE_LABELS[s]) for s in SOURCES],
        "segments": [(s, s) for s in segments]}, status_code=status_code)


@router.get(BASE)
def campaigns_page(request: Request, user: PageUser, db: Db, page: PageNumber = 1) -> Any:
    listing = reading.list_campaigns(db, user, page=page, page_size=50)
    return render(request, "clients/campaigns.html", {"user": user, "listing": listing})


@router.get(f"{BASE}/new")
def new_campaign_page(
    request: Request, user: PageUser, db: Db, day: PageToday, source: Word | None = None,
    list_: Annotated[Word | None, Query(alias="list")] = None, segment: Word | None = None,
    manager_id: Word | None = None, min_value: Word | None = None,
    p_alive_min: Word | None = None, p_alive_max: Word | None = None,
    q: SearchText | None = None, limit: Word | None = None,
    account_ids: SearchText | None = None,
) -> Any:
    """The form, filled in from the Clients page's link (its list and filters)."""
    chosen = next((s for s in (source, list_) if s in SOURCES), None) or (
        "segment" if segment else "winback")
    titles = {"winback": "Win-back", "at_risk": "At risk", "best": "Best clients",
              "segment": segment or "Segment", "accounts": "Clients"}
    values = {"source": chosen, "segment": segment,
              "manager_id": manager_id, "min_value": min_value, "p_alive_min": p_alive_min,
              "p_alive_max": p_alive_max, "q": q, "limit": limit, "account_ids": account_ids,
              "holdout": "0.2", "result_months": "3",
              "name": f"{titles[chosen]} {day.isoformat()}"}
    return _form(request, db, user, values, {})


@router.post(BASE, dependencies=csrf)
def create_campaign(request: Request, user: PageUser, db: Db, form: FormData,
                    day: PageToday) -> Any:
    values = form_values(form, FIELDS)
    try:
        made = service.create_campaign(db, user, from_text(values), day)
    except ValidationFailed as exc:
        return _form(request, db, user, values, form_errors(exc), status_code=422)
    flash(request, f"Campaign created: {made.members} clients, {made.held_out} held out.")
    return RedirectResponse(f"{BASE}/{made.id}", status_code=303)


def _interval(d: DifferenceOut | None, money: bool, label: str) -> Markup:
    """The difference and its interval on a line through zero (an SVG)."""
    if d is None:
        return Markup("")
    width, height, left, right = 520, 64, 20, 20
    lo, hi, est = float(d.low), float(d.high), float(d.estimate)
    span_lo, span_hi = min(lo, 0.0), max(hi, 0.0)
    pad = (span_hi - span_lo) * 0.1 or 1.0
    span_lo, span_hi = span_lo - pad, span_hi + pad

    def x(v: float) -> float:
        return left + (v - span_lo) / (span_hi - span_lo) * (width - left - right)

    fmt = (lambda v: money_text(v)) if money else (lambda v: percent_text(float(v)))
    text = f"{label}: {fmt(d.estimate)} (95 % interval {fmt(d.low)} to {fmt(d.high)})"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(text)}" class="chart-svg interval-chart"><title>{escape(text)}'
        f'</title>',
        f'<line x1="{x(0):.1f}" x2="{x(0):.1f}" y1="8" y2="44" stroke="#8a93a3" '
        f'stroke-dasharray="3 3"/>',
        f'<text x="{x(0):.1f}" y="58" text-anchor="middle">0</text>',
        f'<line class="interval" x1="{x(lo):.1f}" x2="{x(hi):.1f}" y1="26" y2="26" '
        f'stroke="#3b6fd9" stroke-width="4"/>',
        f'<circle class="estimate" cx="{x(est):.1f}" cy="26" r="6" fill="#e07b39"/>',
        f'<text x="{x(lo):.1f}" y="14" text-anchor="middle">{escape(fmt(d.low))}</text>',
        f'<text x="{x(hi):.1f}" y="14" text-anchor="middle">{escape(fmt(d.high))}</text>',
        "</svg>"]
    return Markup("".join(parts))


@router.get(f"{BASE}/{{campaign_id}}")
def campaign_page(request: Request, campaign_id: Id, user: PageUser, db: Db, day: PageToday,
                  page: PageNumber = 1, months: Months = None) -> Any:
    detail, outcome = reading.view(db, user, campaign_id, page=page, months=months, today=day)
    groups = [("Treatment", outcome.treatment)]
    if outcome.holdout is not None:
        groups.append(("Holdout", outcome.holdout))
    charts = {
        "share": bar_chart([g[0] for g in groups], [g[1].share for g in groups],
                           title="Share of members who bought again", height=220,
                           value_format=lambda v: percent_text(float(v))),
        "revenue": bar_chart([g[0] for g in groups],
                             [g[1].revenue_per_member for g in groups],
                             title="Revenue per member", height=220),
        "share_interval": _interval(outcome.share_difference, False,
                                    "Difference in the share who bought"),
        "revenue_interval": _interval(outcome.revenue_difference, True,
                                      "Difference in revenue per member"),
    }
    shown_months = months or detail.result_months

    def query(**change: Any) -> str:
        merged = {"months": months, "page": page, **change}
        return urlencode({k: v for k, v in merged.items()
                          if v is not None and not (k == "page" and v == 1)})

    return render(request, "clients/campaign.html", {
        "user": user, "c": detail, "result": outcome, "charts": charts, "query": query,
        "months": shown_months, "today": day,
        "month_choices": sorted({*MONTH_CHOICES, detail.result_months, shown_months}),
        "source_label": SOURCE_LABELS.get(detail.source, detail.source),
        "holdout_percent": (detail.holdout * 100).quantize(Decimal("0.1"))})


@router.get(f"{BASE}/{{campaign_id}}/export")
def campaign_export(campaign_id: Id, user: PageUser, db: Db) -> Response:
    text, counts = reading.export(db, user, campaign_id)
    return Response(text, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="campaign-{campaign_id}.csv"',
        "X-Left-Out-No-Consent": str(counts.no_consent),
        "X-Left-Out-Suppressed": str(counts.suppressed),
        "X-Left-Out-No-Email": str(counts.no_email),
        "X-Left-Out-Held-Out": str(counts.held_out)})
