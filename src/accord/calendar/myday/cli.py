"""``accord today`` (My day: the sections, with Rich, or JSON) and ``accord overdue`` (the
overdue list, a table or CSV). ``--as EMAIL`` (global) acts as that user."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from accord.calendar.myday import export, service
from accord.calendar.myday.schemas import MyDay, Section
from accord.cli.common import acting_today, acting_user, console, handles_errors, unit_of_work
from accord.core.identity import get_user_by_email


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


ManagerOpt = Annotated[str | None, typer.Option(
    "--manager", help="A manager's day (e-mail): heads their team members, admins anyone")]
DateOpt = Annotated[str | None, typer.Option(
    "--date", help="The day (YYYY-MM-DD; default: today in your time zone)")]


def _section(section: Section) -> Table:
    table = Table(title=f"{section.title} ({section.total})", title_justify="left")
    for column in ("Account", "What", "Due", "Owner"):
        table.add_column(column)
    for item in section.items:
        due = item.due_on.isoformat() if item.due_on else ""
        table.add_row(item.account_name, item.title + (f" [{item.note}]" if item.note else ""),
                      f"{due} {item.time}".strip(), item.owner_name or "")
    if section.total > len(section.items):
        table.caption = f"{section.total - len(section.items)} more: {section.more_url}"
    return table


def show(out: MyDay) -> None:
    whose = f"{out.manager.name}'s day" if out.manager else f"{out.user.name}'s day"
    console.print(f"[bold]My day[/] {out.day.isoformat()} · {whose} · {out.count()} items",
                  highlight=False)
    for section in out.sections():
        if section.total:
            console.print(_section(section))
        else:
            console.print(f"{section.title}: nothing.", highlight=False)


@handles_errors
def today(manager: ManagerOpt = None,
          fmt: Annotated[Format, typer.Option("--format", help="table or json")] = Format.TABLE,
          on: DateOpt = None) -> None:
    """My day: due today, overdue, reviews this week, renewals, hand-offs and plan actions
    waiting, accounts at risk."""
    with unit_of_work() as session:
        user = acting_user(session)
        day = acting_today(session, on, "--date")
        manager_id = get_user_by_email(session, manager).id if manager else None
        out = service.my_day(session, user, day, manager_id=manager_id)
    if fmt is Format.JSON:
        typer.echo(json.dumps({**out.model_dump(mode="json"), "count": out.count()}, indent=2))
    else:
        show(out)


@handles_errors
def overdue(manager: ManagerOpt = None,
            kind: Annotated[str | None, typer.Option(
                "--kind", help="follow_up, plan_action or handoff")] = None,
            fmt: Annotated[Format, typer.Option("--format", help="table or csv")] = Format.TABLE,
            on: DateOpt = None) -> None:
    """Everything overdue (follow-ups, plan actions, hand-offs), oldest first."""
    with unit_of_work() as session:
        user = acting_user(session)
        day = acting_today(session, on, "--date")
        manager_id = get_user_by_email(session, manager).id if manager else None
        if fmt is Format.CSV:
            body = export.write(service.overdue_rows(session, user, day, manager_id=manager_id,
                                                     kind=kind), "csv")
            sys.stdout.write(body.decode("utf-8"))
            return
        page = service.overdue_list(session, user, day, manager_id=manager_id, kind=kind,
                                    page_size=200)
    if fmt is Format.JSON:
        typer.echo(json.dumps(page.model_dump(mode="json"), indent=2))
        return
    table = Table(title=f"Overdue ({page.total})", title_justify="left")
    for column in ("Kind", "Account", "What", "Due", "Owner"):
        table.add_column(column)
    for item in page.items:
        table.add_row(item.kind, item.account_name, item.title,
                      item.due_on.isoformat() if item.due_on else "", item.owner_name or "")
    console.print(table)


def register(app: typer.Typer) -> None:
    """``accord today`` and ``accord overdue``."""
    app.command("today")(today)
    app.command("overdue")(overdue)
