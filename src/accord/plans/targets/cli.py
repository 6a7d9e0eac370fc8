"""``accord targets set|list|delete``: managers' targets and how far each has come."""

from __future__ import annotations

import json
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from accord.cli.common import acting_user, console, handles_errors, unit_of_work
from accord.plans.targets import service
from accord.plans.targets.rules import METRICS, PERIOD_HELP
from accord.plans.targets.schemas import TargetOut, target_in
from accord.selection.cli import TodayOption, _today

app = typer.Typer(help="Targets for managers per period, with their actuals.",
                  no_args_is_help=True)


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


def _figure(value: Decimal | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "money":
        return f"{value:,.2f}"
    if unit == "ratio":
        return f"{value:.4f}"
    return f"{value:,.0f}"


def _share(value: Decimal | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


@app.command("set")
@handles_errors
def set_target(
    manager: Annotated[str, typer.Argument(help="The manager's e-mail")],
    period: Annotated[str, typer.Argument(help=PERIOD_HELP)],
    metric: Annotated[str, typer.Argument(help=", ".join(METRICS))],
    value: Annotated[str, typer.Argument(help="The target: revenue, a ratio (1.05) or a count")],
    today: TodayOption = None,
) -> None:
    """Set (create or replace) a manager's target (their head or an admin); audited."""
    data = target_in({"manager": manager, "period": period, "metric": metric, "target": value})
    with unit_of_work() as session:
        out, created = service.set_target(session, acting_user(session), data,
                                          today=_today(today))
    console.print(f"{'set' if created else 'changed'}: {out.manager.email} {out.period} "
                  f"{out.metric} = {_figure(out.target, out.unit)} (target {out.id}); "
                  f"actual {_figure(out.actual, out.unit)}", highlight=False, markup=False)


@app.command("list")
@handles_errors
def list_targets(
    period: Annotated[str | None, typer.Option("--period", help=PERIOD_HELP)] = None,
    manager: Annotated[str | None, typer.Option("--manager", help="A manager's e-mail")] = None,
    page: Annotated[int, typer.Option("--page", min=1, max=100_000)] = 1,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
    today: TodayOption = None,
) -> None:
    """Targets with their actual, attainment and status (yours; a head: the teams')."""
    with unit_of_work() as session:
        result = service.list_targets(session, acting_user(session), period=period,
                                      manager=manager, page=page, page_size=200,
                                      today=_today(today))
    if fmt is Format.JSON:
        typer.echo(json.dumps(result.model_dump(mode="json"), indent=2))
        return
    if not result.items:
        console.print("No targets.", highlight=False)
        return
    console.print(_table(result.items, result.total))


def _table(items: list[TargetOut], total: int) -> Table:
    table = Table(title=f"Targets ({total})")
    for col in ("id", "manager", "period", "metric", "target", "actual", "attainment",
                "elapsed", "status"):
        table.add_column(col, justify="right" if col in (
            "target", "actual", "attainment", "elapsed") else "left")
    for t in items:
        colour = {"on_track": "green", "behind": "red"}.get(t.status or "", "")
        table.add_row(str(t.id), t.manager.email, t.period, t.metric,
                      _figure(t.target, t.unit), _figure(t.actual, t.unit),
                      _share(t.attainment), _share(t.elapsed_share),
                      f"[{colour}]{t.status}[/]" if colour else "—")
    return table


@app.command("delete")
@handles_errors
def delete_target(target_id: Annotated[int, typer.Argument(min=1, max=2_147_483_647)]) -> None:
    """Remove a target (the manager's head or an admin); audited."""
    with unit_of_work() as session:
        service.delete_target(session, acting_user(session), target_id)
    console.print(f"target {target_id} removed", highlight=False)
