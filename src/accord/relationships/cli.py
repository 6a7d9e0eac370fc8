"""``accord stages`` (the rubric and recorded stages) and ``accord decisions``."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from accord.cli.common import acting_user, console, handles_errors, unit_of_work
from accord.relationships import decisions as decision_service
from accord.relationships import service
from accord.relationships.decisions import DecisionFilter
from accord.selection.cli import TodayOption, _today


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


@handles_errors
def stages(
    account: Annotated[int | None, typer.Option("--account", help="One account's rubric")] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
    today: TodayOption = None,
) -> None:
    """Relationship stages: one account's rubric with evidence, or every recorded stage."""
    day = _today(today)
    with unit_of_work() as session:
        user = acting_user(session)
        if account is not None:
            out = service.stage_view(session, user, account, today=day)
            if fmt is not Format.TABLE:
                typer.echo(json.dumps(out.model_dump(mode="json"), indent=2))
                return
            table = Table(
                title=f"Account {account}: suggested {out.suggested_stage} "
                f"({out.suggested_total}/24), recorded "
                f"{out.recorded_stage or '—'}"
            )
            for col in ("criterion", "score", "source", "level", "evidence", "override reason"):
                table.add_column(col)
            for c in out.criteria:
                table.add_row(c.label, str(c.score), c.source, c.level, c.evidence, c.reason or "")
            console.print(table)
            if out.reasoning:
                console.print(f"Decision ({out.decision_basis}): {out.reasoning}", highlight=False)
            for h in out.history:
                console.print(
                    f"  {h.assessed_on}  {h.recorded_stage:<15} suggested "
                    f"{h.suggested_stage} ({h.suggested_total})  by {h.assessed_by}",
                    highlight=False,
                )
            return
        rows = service.list_recorded_stages(session, user)
    if fmt is not Format.TABLE:
        typer.echo(json.dumps(rows, indent=2, default=str))
        return
    table = Table(title="Recorded relationship stages")
    for col in ("id", "account", "recorded", "suggested", "total", "on", "by"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            str(r["id"]),
            r["name"],
            r["recorded_stage"],
            r["suggested_stage"],
            str(r["suggested_total"]),
            str(r["assessed_on"]),
            r["assessed_by"],
        )
    console.print(table)


@handles_errors
def decisions(
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
    sort: Annotated[
        str, typer.Option("--sort", help="name, -health, -revenue, decision, …")
    ] = "name",
    limit: Annotated[int, typer.Option("--limit", help="rows (0: all)")] = 50,
    tier: Annotated[str | None, typer.Option("--tier")] = None,
    decision: Annotated[str | None, typer.Option("--decision")] = None,
    stage: Annotated[str | None, typer.Option("--stage")] = None,
    potential: Annotated[str | None, typer.Option("--potential")] = None,
    segment: Annotated[str | None, typer.Option("--segment")] = None,
    band: Annotated[str | None, typer.Option("--band")] = None,
    flag: Annotated[
        str | None, typer.Option("--flag", help="large_not_key or key_not_large")
    ] = None,
    today: TodayOption = None,
) -> None:
    """Every key or large account with tier, potential, stage, decision and health."""
    day = _today(today)
    flt = DecisionFilter(
        tier=tier,
        decision=decision,
        stage=stage,
        potential=potential,
        segment=segment,
        band=band,
        flag=flag,
    )
    with unit_of_work() as session:
        user = acting_user(session)
        if limit == 0 or fmt is Format.CSV:
            rows = list(
                decision_service.iter_decisions(session, user, today=day, flt=flt, sort=sort)
            )
            if limit:
                rows = rows[:limit]
            total = len(rows)
        else:
            page = decision_service.list_decisions(
                session, user, today=day, flt=flt, sort=sort, page_size=min(limit, 500)
            )
            rows, total = page.items, page.total
    if fmt is Format.JSON:
        typer.echo(
            json.dumps(
                {"total": total, "items": [r.model_dump(mode="json") for r in rows]}, indent=2
            )
        )
        return
    if fmt is Format.CSV:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(decision_service.EXPORT_COLUMNS)
        for r in rows:
            writer.writerow(decision_service.export_values(r))
        return
    table = Table(title=f"Decisions ({len(rows)} of {total})")
    for col in (
        "id",
        "account",
        "tier",
        "potential",
        "stage",
        "decision",
        "health",
        "revenue",
        "ABC",
        "flag",
    ):
        table.add_column(col)
    for r in rows:
        table.add_row(
            str(r.account_id),
            r.name,
            r.tier,
            r.potential or "—",
            r.stage or "—",
            r.decision or "—",
            "—" if r.health is None else f"{r.health} {r.band}",
            f"{r.revenue:,.2f}",
            r.abc or "—",
            (r.flag or "").replace("_", " "),
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the accord CLI."""
    app.command("stages")(stages)
    app.command("decisions")(decisions)
