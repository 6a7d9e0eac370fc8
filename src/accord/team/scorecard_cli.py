"""``accord team scorecard --manager EMAIL [--period …] [--format table|json]``: one manager's
scorecard, each figure with its trend and definition (the service's, ``team.scorecard``)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Annotated

import typer
from rich.table import Table

from accord.cli.common import (
    Format,
    acting_today,
    acting_user,
    console,
    handles_errors,
    unit_of_work,
)
from accord.team import scorecard as service
from accord.team.scorecard_rules import PERIOD_HELP, ScorecardOut


def _figure(value: Decimal | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "ratio":
        return f"{value * 100:.1f} %"
    if unit == "money":
        return f"{value:,.2f}"
    return f"{value:,.0f}"


def _table(card: ScorecardOut) -> Table:
    table = Table(title=f"{card.manager.name} <{card.manager.email}> · {card.period}")
    table.add_column("figure")
    for p in card.periods:
        table.add_column(p, justify="right")
    table.add_column("trend")
    table.add_column("target", justify="right")
    table.add_column("definition")
    arrows = {"up": "▲", "down": "▼", "flat": "="}
    for f in card.figures:
        if not f.measured:
            table.add_row(f.label, *["—"] * len(card.periods), "", "", f.note or "")
            continue
        target = "" if f.target is None else f"{_figure(f.target, f.unit)} {f.status or ''}"
        table.add_row(f.label, *[_figure(p.value, f.unit) for p in f.trend],
                      arrows.get(f.direction or "", ""), target,
                      f.definition + (f" ({f.note})" if f.note else ""))
    return table


def register(app: typer.Typer) -> None:
    """Adds ``accord team scorecard``."""

    @app.command("scorecard")
    @handles_errors
    def scorecard(
        manager: Annotated[str, typer.Option("--manager", help="The manager's e-mail")],
        period: Annotated[str | None, typer.Option(
            "--period", help=PERIOD_HELP + "; default: the last complete month")] = None,
        fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
        today: Annotated[str | None, typer.Option(
            "--today", help="Evaluate as of this day (YYYY-MM-DD; default: today)")] = None,
    ) -> None:
        """A manager's scorecard: NRR, GRR, revenue against target, new key accounts,
        coverage, plans, hand-offs, briefs, client inputs, licences, win-back — with the
        periods before it (yours; a head: the teams'; admin: all)."""
        with unit_of_work() as session:
            card = service.scorecard(session, acting_user(session),
                                     acting_today(session, today), manager_email=manager,
                                     period=period)
        if fmt is Format.JSON:
            typer.echo(json.dumps(card.model_dump(mode="json"), indent=2))
            return
        console.print(_table(card))
