"""``accord events list|add|pack``: scheduled events from the shell (the acting user's view)."""

from __future__ import annotations

import json
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from accord.calendar.events import service
from accord.calendar.events.rules import KINDS, PRESETS
from accord.calendar.events.schemas import event_in
from accord.cli.common import (
    acting_user,
    console,
    handles_errors,
    option_date,
    unit_of_work,
)
from accord.selection.cli import TodayOption, _today

app = typer.Typer(help="Scheduled events: business reviews, meetings, calls (one-off or "
                  "recurring).", no_args_is_help=True)
MAX_ID = 2_147_483_647


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"



@app.command("list")
@handles_errors
def list_events(
    start: Annotated[str | None, typer.Option("--from", help="First day (default: today)")]
    = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day (default: 30 days on)")]
    = None,
    account: Annotated[int | None, typer.Option("--account", min=1, max=MAX_ID,
                                                help="One account's (by id)")] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
    today: TodayOption = None,
) -> None:
    """The occurrences of the events on the accounts you see, in a window (your time zone)."""
    first = option_date(start, "--from") or _today(today)
    last = option_date(end, "--to") or first + timedelta(days=30)
    with unit_of_work() as session:
        items = service.occurrences(session, acting_user(session), first, last,
                                    account_id=account)
    if fmt is Format.JSON:
        typer.echo(json.dumps([o.model_dump(mode="json") for o in items], indent=2))
        return
    if not items:
        console.print("No events.", highlight=False)
        return
    table = Table(title=f"Events {first} – {last} ({len(items)})")
    for col in ("event", "when", "account", "kind", "title", "state"):
        table.add_column(col)
    for o in items:
        table.add_row(str(o.event_id), o.local_start.strftime("%Y-%m-%d %H:%M"), o.account_name,
                      o.kind, o.title + (" ↻" if o.recurring else ""), o.status)
    console.print(table)


@app.command("add")
@handles_errors
def add_event(
    account: Annotated[int, typer.Argument(min=1, max=MAX_ID, help="The account's id")],
    title: Annotated[str, typer.Option("--title", help="What the event is")],
    start: Annotated[str, typer.Option("--start", help="Local start, e.g. 2027-03-22T09:00")],
    end: Annotated[str | None, typer.Option("--end", help="Local end (default: +1 hour)")]
    = None,
    kind: Annotated[str, typer.Option("--kind", help=", ".join(KINDS))] = "meeting",
    time_zone: Annotated[str | None, typer.Option("--tz", help="IANA time zone (default: "
                                                  "yours)")] = None,
    rrule: Annotated[str | None, typer.Option(
        "--rrule", help="RFC 5545 RRULE, or " + ", ".join(PRESETS))] = None,
    agenda: Annotated[str, typer.Option("--agenda")] = "",
    location: Annotated[str, typer.Option("--location")] = "",
    user: Annotated[list[str] | None, typer.Option("--user", help="An attendee's user id")]
    = None,
    contact: Annotated[list[str] | None, typer.Option("--contact",
                                                      help="A contact's id (of the account)")]
    = None,
) -> None:
    """Schedule an event on an account you may change; audited."""
    rule = PRESETS.get((rrule or "").strip().lower(), rrule)
    data = event_in({"account_id": account, "title": title, "starts_at": start, "ends_at": end,
                     "kind": kind, "time_zone": time_zone, "rrule": rule, "agenda": agenda,
                     "location": location, "user_ids": list(user or []),
                     "contact_ids": list(contact or [])})
    with unit_of_work() as session:
        out = service.create_event(session, acting_user(session), data)
    console.print(f"event {out.id} scheduled: {out.title} on "
                  f"{out.local_start:%Y-%m-%d %H:%M} {out.time_zone}"
                  + (f", repeating {out.rrule}" if out.rrule else ""),
                  highlight=False, markup=False, soft_wrap=True)


@app.command("pack")
@handles_errors
def review_pack(
    event: Annotated[int, typer.Argument(min=1, max=MAX_ID, help="The event's id")],
    out: Annotated[Path, typer.Option("--out", help="The PDF file to write",
                                      dir_okay=False, writable=True)],
    today: TodayOption = None,
) -> None:
    """Write the event's review pack (plan, figures, health, open items) as a PDF."""
    with unit_of_work() as session:
        pdf = service.review_pack_pdf(session, acting_user(session), event, _today(today))
    out.write_bytes(pdf)
    console.print(f"review pack written to {out} ({len(pdf):,} bytes)", highlight=False,
                  markup=False)
