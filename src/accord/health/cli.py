"""``accord health``: one account's breakdown, the stored scores, or a recompute."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from accord.cli.common import acting_user, console, handles_errors, unit_of_work
from accord.health import service
from accord.selection.cli import TodayOption, _today


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


@handles_errors
def health(
    account: Annotated[
        int | None, typer.Option("--account", help="One account's breakdown")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
    recompute: Annotated[
        bool,
        typer.Option(
            "--recompute", help="Recompute and store every visible account's score (run daily)"
        ),
    ] = False,
    band: Annotated[str | None, typer.Option("--band", help="green, amber or red")] = None,
    limit: Annotated[int, typer.Option("--limit")] = 50,
    today: TodayOption = None,
) -> None:
    """Account health (0–100, green/amber/red) with the measures behind it."""
    day = _today(today)
    with unit_of_work() as session:
        user = acting_user(session)
        if recompute:
            result = service.recompute_all(session, user, today=day)
            if fmt is Format.JSON:
                typer.echo(json.dumps(result.model_dump(mode="json")))
            else:
                console.print(
                    f"health recomputed for {result.accounts} accounts on "
                    f"{result.computed_on}: {result.green} green, {result.amber} "
                    f"amber, {result.red} red, {result.unscored} without a score",
                    highlight=False,
                )
            return
        if account is not None:
            out = service.account_health(session, user, account, today=day)
            if fmt is Format.JSON:
                typer.echo(json.dumps(out.model_dump(mode="json"), indent=2))
                return
            table = Table(
                title=f"Account {account} health: "
                f"{'—' if out.score is None else out.score} ({out.band or 'no score'})"
            )
            for col in ("measure", "value", "score", "weight", "counts for", "note"):
                table.add_column(col)
            for m in out.measures:
                table.add_row(
                    m.label,
                    "—" if m.value is None else f"{m.value:.2f}",
                    "left out" if m.score is None else f"{m.score:.0f}",
                    f"{m.weight}",
                    f"{m.effective_weight:.1f} %",
                    m.note,
                )
            console.print(table)
            return
        rows = service.list_health(session, user, band=band, limit=limit)
    if fmt is Format.JSON:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in rows], indent=2))
        return
    table = Table(title="Stored health, worst first")
    for col in (
        "id",
        "account",
        "segment",
        "score",
        "band",
        "trend",
        "freshness",
        "sentiment",
        "computed",
    ):
        table.add_column(col)
    for r in rows:
        table.add_row(
            str(r.account_id),
            r.name,
            r.segment or "",
            "—" if r.score is None else str(r.score),
            r.band or "—",
            "—" if r.revenue_trend is None else f"{r.revenue_trend:.2f}",
            "—" if r.contact_freshness is None else f"{r.contact_freshness:.2f}",
            "—" if r.sentiment is None else str(r.sentiment),
            str(r.computed_on),
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the accord CLI."""
    app.command("health")(health)
