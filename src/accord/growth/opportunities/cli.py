"""``accord opportunities list|add|move``: opportunities and their stages from the shell."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from accord.cli.common import acting_user, console, handles_errors, unit_of_work
from accord.growth.opportunities import pipeline, service
from accord.growth.opportunities.rules import KINDS, STAGES
from accord.growth.opportunities.schemas import OpportunityOut, opportunity_in, stage_move
from accord.selection.cli import TodayOption, _today

app = typer.Typer(help="Opportunities (up-sell, cross-sell, renewal, new vertical) and "
                  "their stages.", no_args_is_help=True)
MAX_ID = 2_147_483_647


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


@app.command("list")
@handles_errors
def list_opportunities(
    account: Annotated[int | None, typer.Option("--account", min=1, max=MAX_ID,
                                                help="One account's (by id)")] = None,
    stage: Annotated[str | None, typer.Option("--stage",
                                              help="open (default), all or a stage")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help=", ".join(KINDS))] = None,
    page: Annotated[int, typer.Option("--page", min=1, max=100_000)] = 1,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
) -> None:
    """The opportunities on the accounts you see (or one account's, every stage)."""
    with unit_of_work() as session:
        user = acting_user(session)
        if account is not None:
            items = service.account_opportunities(session, user, account)
            total = len(items)
        else:
            f = pipeline.parse_filters(stage=stage, kind=kind)
            result = pipeline.opportunities(session, user, f, page=page, page_size=200)
            items, total = result.items, result.total
    if fmt is Format.JSON:
        typer.echo(json.dumps({"items": [o.model_dump(mode="json") for o in items],
                               "total": total}, indent=2))
        return
    if not items:
        console.print("No opportunities.", highlight=False)
        return
    console.print(_table(items, total))


def _table(items: list[OpportunityOut], total: int) -> Table:
    table = Table(title=f"Opportunities ({total})")
    for col in ("id", "account", "title", "kind", "stage", "value", "prob.", "weighted",
                "close"):
        table.add_column(col, justify="right" if col in ("value", "prob.", "weighted")
                         else "left")
    for o in items:
        table.add_row(str(o.id), o.account_name, o.title, o.kind, o.stage, f"{o.value:,.2f}",
                      f"{o.probability} %", f"{o.weighted_value:,.2f}",
                      str(o.expected_close_on or "—"))
    return table


@app.command("add")
@handles_errors
def add_opportunity(
    account: Annotated[int, typer.Argument(min=1, max=MAX_ID, help="The account's id")],
    title: Annotated[str, typer.Argument(help="What the opportunity is")],
    kind: Annotated[str, typer.Option("--kind", help=", ".join(KINDS))],
    value: Annotated[str, typer.Option("--value", help="In the company's currency")],
    stage: Annotated[str, typer.Option("--stage", help="An open stage")] = "identified",
    probability: Annotated[str | None, typer.Option(
        "--probability", help="Per cent (default: the stage's)")] = None,
    close: Annotated[str | None, typer.Option("--close", help="Expected close YYYY-MM-DD")] = None,
    line: Annotated[list[str] | None, typer.Option("--line", help="A product line id")] = None,
    today: TodayOption = None,
) -> None:
    """Add an opportunity to an account you may change; audited."""
    data = opportunity_in({"title": title, "kind": kind, "value": value, "stage": stage,
                           "probability": probability, "expected_close_on": close,
                           "product_line_ids": list(line or [])})
    with unit_of_work() as session:
        out = service.create_opportunity(session, acting_user(session), account, data,
                                         today=_today(today))
    console.print(f"opportunity {out.id} added: {out.title} ({out.stage}, {out.value:,.2f} "
                  f"{out.currency} at {out.probability} %)", highlight=False, markup=False)


@app.command("move")
@handles_errors
def move_opportunity(
    opportunity: Annotated[int, typer.Argument(min=1, max=MAX_ID, help="The opportunity's id")],
    stage: Annotated[str, typer.Argument(help=", ".join(STAGES))],
    reason: Annotated[str | None, typer.Option("--reason", help="Why it was lost")] = None,
    probability: Annotated[str | None, typer.Option(
        "--probability", help="Per cent (default: the stage's)")] = None,
    today: TodayOption = None,
) -> None:
    """Move an opportunity to another stage (lost needs --reason); audited."""
    move = stage_move({"stage": stage, "reason": reason, "probability": probability})
    with unit_of_work() as session:
        out = service.move_opportunity(session, acting_user(session), opportunity, move.stage,
                                       today=_today(today), reason=move.reason,
                                       probability=move.probability)
    console.print(f"opportunity {out.id} is {out.stage} ({out.probability} %)",
                  highlight=False, markup=False)
