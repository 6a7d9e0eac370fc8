"""``accord departments scorecard``: on-time rates from the shell (as the operator, or as a
user with ``--as EMAIL``)."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.table import Table

from accord.agency.scorecard import service
from accord.agency.scorecard.schemas import PERIOD_HELP, OnTimeReport, Scorecard, period_of
from accord.cli.common import (
    acting_today,
    acting_user,
    console,
    handles_errors,
    option_date,
    unit_of_work,
)


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


class By(StrEnum):
    DEPARTMENT = "department"
    ACCOUNT = "account"



def _percent(value: Any) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


def _table(report: OnTimeReport, title: str) -> Table:
    table = Table(title=title)
    for col in (report.by, "delivered", "on time", "rate", "vs original", "median turnaround",
                "rounds/brief"):
        table.add_column(col, justify="left" if col == report.by else "right")
    for r in [*report.items, report.overall]:
        table.add_row(r.name, str(r.delivered), str(r.on_time), _percent(r.rate),
                      _percent(r.rate_original),
                      "—" if r.median_turnaround is None else str(r.median_turnaround),
                      "—" if r.rounds_per_brief is None else str(r.rounds_per_brief))
    return table


def scorecard(
    department: Annotated[str | None, typer.Option(
        "--department", help="A department's name or id: its scorecard (default: every "
        "department)")] = None,
    period: Annotated[str | None, typer.Option("--period", help=PERIOD_HELP)] = None,
    start: Annotated[str | None, typer.Option("--from", help="First day YYYY-MM-DD")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day YYYY-MM-DD")] = None,
    by: Annotated[By, typer.Option("--by", help="Rows per department or per account")]
    = By.DEPARTMENT,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
    today: Annotated[str | None, typer.Option(
        "--today", help="Act as of this day (YYYY-MM-DD; default: today in your time zone)")]
    = None,
) -> None:
    """On-time rates of briefs (against the agreed and the original date, blocked days not
    counted), median turnaround and rounds, per department or account, over a period of
    first deliveries (default: this quarter); with --department, that department's
    scorecard and its accounts."""
    first, last = option_date(start, "--from"), option_date(end, "--to")
    card: Scorecard | None = None
    with unit_of_work() as session:
        day = acting_today(session, today)
        p = period_of(period=period, start=first, end=last, today=day)
        user = acting_user(session)
        if department is not None:
            card = service.named_scorecard(session, user, department, start=p.start,
                                           end=p.end, today=day)
            report = card.accounts
        else:
            report = service.on_time(session, user, start=p.start, end=p.end, by=by.value,
                                     page_size=200)
    if fmt is Format.JSON:
        shown: Any = card if card is not None else report
        typer.echo(json.dumps(shown.model_dump(mode="json"), indent=2))
        return
    if card is not None:
        f = card.figures
        console.print(f"{card.department.name}, {card.period.label}: {f.on_time} of "
                      f"{f.delivered} on time ({_percent(f.rate)}; {_percent(f.rate_original)} "
                      f"against the original date), median turnaround "
                      f"{f.median_turnaround if f.median_turnaround is not None else '—'} "
                      f"working days, {f.rounds_per_brief or '—'} rounds per brief, "
                      f"{card.late_total} late", highlight=False, markup=False, soft_wrap=True)
        if report.items:
            console.print(_table(report, f"Accounts ({report.total})"))
        return
    if not report.items:
        console.print("No departments.", highlight=False)
        return
    console.print(_table(report, f"Briefs on time, {report.period.label}"))


def register(app: typer.Typer) -> None:
    """Add the scorecard command to ``accord departments``."""
    app.command("scorecard")(handles_errors(scorecard))
