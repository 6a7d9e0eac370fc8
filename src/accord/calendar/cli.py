"""``accord calendar show|working-days`` and ``accord calendar holidays list|add|remove|
import``: the command-line door to ``accord.calendar.service`` (changes: admins; the operator
acts as an admin)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from accord.calendar import ics, service
from accord.calendar.feed import cli as feed_cli
from accord.cli.common import acting_user, console, fail, handles_errors, unit_of_work
from accord.core.workdays import FIRST_YEAR, LAST_YEAR, MAX_DAYS, WEEKDAY_NAMES

app = typer.Typer(help="The working-day calendar: working weekdays, public holidays.",
                  no_args_is_help=True)
holidays_app = typer.Typer(help="Public holidays.", no_args_is_help=True)
app.add_typer(holidays_app, name="holidays")
feed_cli.register(app)  # feed-url, import-ics

DateArg = Annotated[str, typer.Argument(help="A date, e.g. 2026-12-25", metavar="DATE")]


def _date(raw: str, what: str = "date") -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        fail(f"{what}: {raw!r} is not a date (YYYY-MM-DD)", 2)
        raise


@app.command("show")
@handles_errors
def show() -> None:
    """The working weekdays and how many holidays each year has."""
    with unit_of_work() as session:
        out = service.get_calendar(session, acting_user(session))
    days = ", ".join(WEEKDAY_NAMES[d] for d in out.working_weekdays)
    console.print(f"working weekdays: {days}", highlight=False)
    years: dict[int, int] = {}
    for h in out.holidays:
        years[h.on.year] = years.get(h.on.year, 0) + 1
    listed = ", ".join(f"{y}: {n}" for y, n in sorted(years.items())) or "none"
    console.print(f"holidays: {listed}", highlight=False)


@app.command("working-days")
@handles_errors
def working_days(
    start: DateArg,
    days: Annotated[int, typer.Argument(help="Working days after DATE", min=0, max=MAX_DAYS)],
) -> None:
    """The date DAYS working days after DATE (DATE itself not counted)."""
    with unit_of_work() as session:
        out = service.working_days(session, acting_user(session), _date(start), days=days)
    typer.echo(out.end.isoformat())


@holidays_app.command("list")
@handles_errors
def holidays_list(
    year: Annotated[
        int | None, typer.Option("--year", help="Only this year", min=FIRST_YEAR, max=LAST_YEAR)
    ] = None,
) -> None:
    """List the public holidays, by date."""
    with unit_of_work() as session:
        rows = service.holidays(session, acting_user(session), year=year)
    if not rows:
        console.print("no holidays" + (f" in {year}" if year else ""), highlight=False)
        return
    table = Table("date", "weekday", "name")
    for h in rows:
        table.add_row(h.on.isoformat(), WEEKDAY_NAMES[h.on.weekday()], h.name)
    console.print(table)


@holidays_app.command("add")
@handles_errors
def holidays_add(
    on: DateArg, name: Annotated[str, typer.Argument(help="e.g. 'Christmas Day'")]
) -> None:
    """Add one public holiday (admins)."""
    with unit_of_work() as session:
        service.add_holiday(session, acting_user(session), _date(on), name.strip())
    console.print(f"holiday {name.strip()} on {on} added", highlight=False, markup=False)


@holidays_app.command("remove")
@handles_errors
def holidays_remove(on: DateArg) -> None:
    """Remove the public holiday on DATE (admins)."""
    with unit_of_work() as session:
        removed = service.remove_holiday(session, acting_user(session), _date(on))
    console.print(f"holiday {removed.name} on {on} removed", highlight=False, markup=False)


@holidays_app.command("import")
@handles_errors
def holidays_import(
    file: Annotated[Path, typer.Argument(help="An iCalendar file (.ics)", metavar="FILE")],
) -> None:
    """Add the public holidays of an iCalendar (.ics) file (admins); all or nothing."""
    try:
        with file.open("rb") as handle:
            data = handle.read(ics.MAX_BYTES + 1)
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror or exc}", 2)
        raise
    with unit_of_work() as session:
        out = service.import_holidays(session, acting_user(session), data)
    console.print(
        f"{out.events} events, {out.days} dates: {out.added} added, {out.unchanged} unchanged; "
        f"{out.holidays} holidays in the calendar",
        highlight=False,
    )
