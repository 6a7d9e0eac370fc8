"""The scorecard pages: every department's on-time figures (``/briefs/scorecard``, with its
CSV export) and one department's scorecard (``/departments/{id}/scorecard``: headline
figures with their definitions, the monthly on-time rate as a chart, the accounts, the late
briefs, effort). A period picker on both: a month, a quarter, a year or from–to."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from accord.agency.scorecard import service
from accord.agency.scorecard.schemas import (
    PERIOD_HELP,
    SORTS,
    Period,
    period_label,
    period_of,
    quarter_of,
)
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.schemas import Id, PageNumber, Word
from accord.kpis.registry import BY_SLUG
from accord.web.charts import line_chart
from accord.web.page_deps import Db, PageToday, PageUser, form_errors
from accord.web.templating import render

router = APIRouter()
SLUGS = ("brief_on_time_rate", "brief_on_time_rate_original", "brief_median_turnaround",
         "brief_rounds", "brief_effort")
PeriodText = Annotated[Word | None, Query()]
From = Annotated[str | None, Query(alias="from", max_length=10)]
To = Annotated[str | None, Query(alias="to", max_length=10)]


def _day(text: str | None, field: str, errors: dict[str, str]) -> date | None:
    if text is None or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        errors[field] = "a date, YYYY-MM-DD"
        return None


def _period(period: str | None, start: str | None, end: str | None, today: date
            ) -> tuple[Period, dict[str, str], dict[str, Any]]:
    """The period asked for, the problems with the picker's fields (the quarter of today
    is shown then), and the picker's values."""
    shown = {"period": period or "", "from": start or "", "to": end or ""}
    errors: dict[str, str] = {}
    first, last = _day(start, "from", errors), _day(end, "to", errors)
    if not errors:
        try:
            return period_of(period=period, start=first, end=last, today=today), errors, shown
        except ValidationFailed as exc:
            errors = form_errors(exc)
    start_q, end_q = quarter_of(today)
    return Period(start=start_q, end=end_q, label=period_label(start_q, end_q)), errors, shown


def _shortcuts(today: date) -> list[tuple[str, str]]:
    """Links of the picker: this and last month, quarter and year."""
    last_month = today.replace(day=1) - timedelta(days=1)
    quarter = (today.month + 2) // 3
    previous_q = f"{today.year - 1}-Q4" if quarter == 1 else f"{today.year}-Q{quarter - 1}"
    return [(f"{today.year:04d}-{today.month:02d}", "This month"),
            (f"{last_month.year:04d}-{last_month.month:02d}", "Last month"),
            (f"{today.year:04d}-Q{quarter}", "This quarter"), (previous_q, "Last quarter"),
            (f"{today.year:04d}", "This year"), (f"{today.year - 1:04d}", "Last year")]


def _query(shown: dict[str, Any], **change: Any) -> str:
    merged = {**shown, **change}
    return urlencode({k: v for k, v in merged.items() if v not in (None, "")})


def _context(user: Any, today: date, errors: dict[str, str], shown: dict[str, Any],
             sort: str) -> dict[str, Any]:
    return {"user": user, "today": today, "errors": errors, "shown": shown,
            "shortcuts": _shortcuts(today), "period_help": PERIOD_HELP,
            "definitions": {s: BY_SLUG[s] for s in SLUGS}, "sort": sort,
            "query": lambda **change: _query({**shown, "sort": sort}, **change)}


@router.get("/briefs/scorecard")
def overview(request: Request, user: PageUser, db: Db, day: PageToday,
             period: PeriodText = None, start: From = None, end: To = None,
             sort: Word = "name") -> Any:
    p, errors, shown = _period(period, start, end, day)
    if sort not in SORTS:
        errors["sort"] = "one of " + ", ".join(SORTS)
        sort = "name"
    report = service.on_time(db, user, start=p.start, end=p.end, by="department", sort=sort,
                             page_size=200)
    return render(request, "agency/scorecard_overview.html", {
        **_context(user, day, errors, shown, sort), "report": report,
    }, status_code=422 if errors else 200)


@router.get("/briefs/scorecard/export.csv")
def export(user: PageUser, db: Db, day: PageToday, period: PeriodText = None,
           start: From = None, end: To = None, sort: Word = "name") -> Response:
    errors: dict[str, str] = {}
    first, last = _day(start, "from", errors), _day(end, "to", errors)
    if errors:
        raise ValidationFailed([FieldProblem(k, v) for k, v in errors.items()])
    p = period_of(period=period, start=first, end=last, today=day)
    body = service.export_csv(db, user, start=p.start, end=p.end, sort=sort)
    return Response(body, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition":
            f'attachment; filename="accord-brief-scorecard-{p.start}-{p.end}.csv"'})


@router.get("/departments/{department_id}/scorecard")
def department_page(request: Request, department_id: Id, user: PageUser, db: Db,
                    day: PageToday, period: PeriodText = None, start: From = None,
                    end: To = None, sort: Word = "name", page: PageNumber = 1) -> Any:
    p, errors, shown = _period(period, start, end, day)
    if sort not in SORTS:
        errors["sort"] = "one of " + ", ".join(SORTS)
        sort = "name"
    card = service.department_scorecard(db, user, department_id, start=p.start, end=p.end,
                                        today=day, sort=sort, page=page)
    chart = line_chart([m.month for m in card.trend],
                       {"On-time rate": [m.rate for m in card.trend]}, percent=True,
                       title=f"{card.department.name}: on-time rate per month")
    return render(request, "agency/scorecard_department.html", {
        **_context(user, day, errors, shown, sort), "card": card, "chart": chart,
        "pages": max(1, -(-card.accounts.total // card.accounts.page_size)), "page": page,
    }, status_code=422 if errors else 200)
