"""``accord audit list``: the audit log, filtered, as a table, CSV or JSON."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date
from enum import StrEnum
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.table import Table

from accord.audit import service
from accord.audit.changes import changes
from accord.audit.schemas import AuditFilter
from accord.cli.common import acting_user, console, fail, handles_errors, unit_of_work

app = typer.Typer(help="The audit log: who changed what, when.", no_args_is_help=True)


class Format(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


@app.command("list")
@handles_errors
def list_entries(
    entity: Annotated[
        str | None, typer.Option("--entity", help="account, contact, user, kam_setting, ...")
    ] = None,
    entity_id: Annotated[str | None, typer.Option("--id", help="The entity's id")] = None,
    account: Annotated[
        int | None,
        typer.Option("--account", help="Every entry about this account (contacts, ...)", min=1),
    ] = None,
    actor: Annotated[str | None, typer.Option("--actor", help="The actor's e-mail")] = None,
    action: Annotated[
        str | None, typer.Option("--action", help="create, update, delete, ...")
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="From this day, YYYY-MM-DD (UTC)")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="To this day, included (UTC)")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=service.MAX_LIMIT, help="Entries per page")
    ] = service.DEFAULT_LIMIT,
    before: Annotated[
        int | None, typer.Option("--before", min=1, help="Older than this entry id (paging)")
    ] = None,
    every: Annotated[
        bool, typer.Option("--all", help="Every matching entry, not one page")
    ] = False,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
) -> None:
    """Audit entries, newest first (admins: all; heads: their teams' accounts and users)."""
    try:
        flt = AuditFilter(
            entity=entity,
            entity_id=entity_id,
            account_id=account,
            actor=actor,
            action=action,
            since=date.fromisoformat(since) if since else None,
            until=date.fromisoformat(until) if until else None,
        )
    except (ValueError, ValidationError) as exc:
        fail(f"bad filter: {exc}".splitlines()[0], 2)
        return
    with unit_of_work() as session:
        user = acting_user(session)
        if fmt is Format.CSV and every:
            typer.echo(service.export_csv(session, user, flt), nl=False)
            return
        if every:
            items = list(service.iter_entries(session, user, flt))
            older = None
        else:
            page = service.list_entries(session, user, flt, before=before, limit=limit)
            items, older = page.items, page.older
    if fmt is Format.JSON:
        typer.echo(json.dumps([e.model_dump(mode="json") for e in items], indent=2))
        return
    if fmt is Format.CSV:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(service.CSV_COLUMNS)
        for e in items:
            writer.writerow(service.csv_row(e))
        return
    table = Table(title="Audit log, newest first")
    for col in ("id", "at (UTC)", "actor", "action", "entity", "id ", "changes"):
        table.add_column(col)
    for e in items:
        table.add_row(
            str(e.id),
            e.at.strftime("%Y-%m-%d %H:%M:%S"),
            e.actor,
            e.action,
            e.entity,
            e.entity_id or "",
            "\n".join(
                f"{c.field}: {c.before if c.before is not None else ''}"
                f"{' → ' if c.before is not None and c.after is not None else ''}"
                f"{c.after if c.after is not None else ''}"
                for c in changes(e.before, e.after)
            ),
        )
    console.print(table)
    if not items:
        console.print("no entries match", highlight=False)
    elif older:
        console.print(f"older entries: --before {older}", highlight=False)
