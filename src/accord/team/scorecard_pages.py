"""The scorecard pages (issue 17): the managers' table with a row per team and for all of
them (sortable, a period picker, a team filter, CSV and Excel export), one manager's
scorecard (a tile per figure with its definition and a small trend line, each figure a link
to the accounts behind it) and those accounts. Every figure is the service's."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request

from accord.core.errors import ValidationFailed
from accord.core.schemas import Id, PageNumber, Word
from accord.team import scorecard as service
from accord.team.scorecard_rules import PERIOD_HELP, FigureOut, ScorecardOut, default_period
from accord.web.charts import line_chart
from accord.web.page_deps import Db, PageToday, PageUser, form_errors
from accord.web.templating import render

router = APIRouter()
PeriodText = Annotated[Word | None, Query()]
PAGE_SIZE = 50


def _query(shown: dict[str, Any], **change: Any) -> str:
    merged = {**shown, **change}
    return urlencode({k: v for k, v in merged.items() if v not in (None, "")})


def _shortcuts(today: date) -> list[tuple[str, str]]:
    last = default_period(today)
    quarter = f"{last.start.year}-Q{(last.start.month + 2) // 3}"
    return [(last.label, "Last month"), (last.shifted(-1).label, "The month before"),
            (quarter, "Its quarter"), (str(last.start.year), "Its year")]


@router.get("/team/scorecards")
def table_page(request: Request, user: PageUser, db: Db, day: PageToday,
               team_id: Id | None = None, period: PeriodText = None,
               sort: Word = "manager") -> Any:
    errors: dict[str, str] = {}
    try:
        table = service.scorecards(db, user, day, team_id=team_id, period=period, sort=sort)
    except ValidationFailed as exc:  # the picker's fields: shown with the defaults' table
        errors = form_errors(exc)
        table = service.scorecards(db, user, day, team_id=team_id)
    shown = {"period": period or "", "team_id": team_id, "sort": table.sort}
    return render(request, "team/scorecards.html", {
        "user": user, "table": table, "errors": errors, "shown": shown,
        "period_help": PERIOD_HELP, "shortcuts": _shortcuts(day),
        "query": lambda **change: _query(shown, **change),
        "export": lambda fmt: "/api/v1/team/scorecards/export?" + _query(
            {**shown, "period": table.period, "format": fmt}),
    }, status_code=422 if errors else 200)


def _chart(card: ScorecardOut, f: FigureOut) -> Any:
    return line_chart(card.periods, {f.label: [p.value for p in f.trend]}, width=280,
                      height=120, percent=f.unit == "ratio",
                      title=f"{f.label}: {card.periods[0]} to {card.periods[-1]}")


@router.get("/team/scorecards/{manager_id}")
def scorecard_page(request: Request, manager_id: Id, user: PageUser, db: Db, day: PageToday,
                   period: PeriodText = None) -> Any:
    errors: dict[str, str] = {}
    try:
        card = service.scorecard(db, user, day, manager_id=manager_id, period=period)
    except ValidationFailed as exc:
        errors = form_errors(exc)
        card = service.scorecard(db, user, day, manager_id=manager_id)
    return render(request, "team/scorecard.html", {
        "user": user, "card": card, "errors": errors, "shown": {"period": period or ""},
        "period_help": PERIOD_HELP, "shortcuts": _shortcuts(day),
        "charts": {f.key: _chart(card, f) for f in card.figures},
        "link": lambda key: f"/team/scorecards/{card.manager.id}/accounts?" + _query(
            {"figure": key, "period": card.period}),
    }, status_code=422 if errors else 200)


@router.get("/team/scorecards/{manager_id}/accounts")
def accounts_page(request: Request, manager_id: Id, user: PageUser, db: Db, day: PageToday,
                  figure: Word, period: PeriodText = None, page: PageNumber = 1) -> Any:
    found = service.figure_accounts(db, user, day, manager_id, figure=figure, period=period,
                                    page=page, page_size=PAGE_SIZE)
    shown = {"figure": figure, "period": found.period}
    return render(request, "team/scorecard_accounts.html", {
        "user": user, "found": found, "query": lambda **change: _query(shown, **change),
    })
