"""``accord matrix``: the selection matrix and the portfolio checks, as a table or JSON."""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from accord.cli.common import acting_user, console, handles_errors, unit_of_work
from accord.core.database import utcnow
from accord.selection import matrix as matrix_service


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


def _today(value: str | None) -> date:
    if value is None:
        return utcnow().date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"expected YYYY-MM-DD, got {value!r}") from None


TodayOption = Annotated[
    str | None, typer.Option("--today", help="Evaluate as of this day (YYYY-MM-DD; default: today)")
]


@handles_errors
def matrix(
    fmt: Annotated[Format, typer.Option("--format", help="table or json")] = Format.TABLE,
    segment: Annotated[str | None, typer.Option("--segment")] = None,
    manager_id: Annotated[int | None, typer.Option("--manager-id")] = None,
    today: TodayOption = None,
) -> None:
    """The selection matrix: every scored account's quadrant, and the portfolio checks."""
    day = _today(today)
    with unit_of_work() as session:
        out = matrix_service.matrix(
            session, acting_user(session), today=day, manager_id=manager_id, segment=segment
        )
    if fmt is Format.JSON:
        typer.echo(json.dumps(out.model_dump(mode="json"), indent=2))
        return
    table = Table(
        title=f"Selection matrix (revenue window {out.window_months} months to "
        f"{out.as_of}; cuts: attractiveness {out.attractiveness_cut}, "
        f"strength {out.strength_cut})"
    )
    for col, just in (
        ("id", "right"),
        ("account", "left"),
        ("quadrant", "left"),
        ("tier", "left"),
        ("attractiveness", "right"),
        ("strength", "right"),
        ("potential", "left"),
        ("revenue", "right"),
        ("ABC", "left"),
        ("scored", "left"),
        ("moved from", "left"),
    ):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    for p in out.points:
        moved = (
            ""
            if p.previous_attractiveness is None
            else f"{p.previous_attractiveness} / {p.previous_strength}"
        )
        table.add_row(
            str(p.account_id),
            p.name,
            p.quadrant,
            p.tier,
            str(p.attractiveness),
            "—" if p.strength is None else str(p.strength),
            p.potential,
            f"{p.revenue:,.2f}",
            p.abc or "—",
            p.scored_on.isoformat(),
            moved,
        )
    console.print(table)
    console.print("  ".join(f"{k}: {v}" for k, v in out.counts.items()), highlight=False)
    for check in out.checks:
        mark = "[yellow]![/]" if check.severity == "warn" else "[green]✓[/]"
        console.print(f"{mark} {check.message}", highlight=False)
        for ref in check.accounts[:10]:
            detail = f" — {ref['detail']}" if ref.get("detail") else ""
            console.print(f"    {ref['id']}  {ref['name']}{detail}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the accord CLI."""
    app.command("matrix")(matrix)
