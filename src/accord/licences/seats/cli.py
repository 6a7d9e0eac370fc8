"""``accord seats list|add-user|assign|remove|domains|names``: the people at a client who
hold seats, and their seats, from the shell (as the operator, or as a user with ``--as
EMAIL``); ``names`` is the product-name mapping (``licences.names.cli``)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated

import typer
from rich.table import Table

from accord.cli.common import acting_today, acting_user, console, handles_errors, unit_of_work
from accord.core.schemas import MAX_ID
from accord.licences.names.cli import app as names_app
from accord.licences.seats import service, tenants

app = typer.Typer(help="Seats: who at the client holds which service, and how much they are "
                  "used.", no_args_is_help=True)
app.add_typer(names_app, name="names")
Account = Annotated[int, typer.Option("--account", min=1, max=MAX_ID, help="The account's id")]
Principal = Annotated[str, typer.Option("--user", help="The person's sign-in name")]
SkuOption = Annotated[int, typer.Option("--sku", min=1, max=MAX_ID, help="The service's id")]
TodayOption = Annotated[str | None, typer.Option(
    "--today", help="Act as of this day (YYYY-MM-DD; default: today in your time zone)")]


def _print(text: str) -> None:
    console.print(text, highlight=False, markup=False, soft_wrap=True)


def _share(value: object) -> str:
    return "—" if value is None else f"{float(str(value)) * 100:.0f} %"


@app.command("list")
@handles_errors
def list_seats(account: Account,
               fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
               today: TodayOption = None) -> None:
    """The account's services: purchased, assigned, active seats and their shares."""
    with unit_of_work() as session:
        day = acting_today(session, today)
        grid = service.seat_grid(session, acting_user(session), account, day)
    if fmt == "json":
        typer.echo(json.dumps(asdict(grid), default=str, indent=2))
        return
    if not grid.services:
        _print("No seats: the account has no subscription with seats.")
        return
    table = Table(title=f"Seats on {grid.day} ({len(grid.people)} licence users)")
    for col in ("service", "purchased", "assigned", "active", "allocation", "adoption",
                "utilisation", "signal"):
        table.add_column(col)
    for s in grid.services:
        u = s.usage
        table.add_row(s.service, str(u.purchased), str(u.assigned), str(u.active),
                      _share(u.allocation), _share(u.adoption), _share(u.utilisation),
                      s.signal or "—")
    console.print(table)


@app.command("add-user")
@handles_errors
def add_user(account: Account, principal: Principal,
             name: Annotated[str, typer.Option("--name", help="Display name")] = "",
             department: Annotated[str | None, typer.Option("--department")] = None) -> None:
    """Add a person at the client who may hold seats; audited."""
    with unit_of_work() as session:
        row = service.add_licence_user(session, acting_user(session), account, principal,
                                       name, department)
        said = f"licence user {row.principal} added to account {account}"
    _print(said)


@app.command("assign")
@handles_errors
def assign(account: Account, principal: Principal, sku: SkuOption,
           today: TodayOption = None) -> None:
    """Give a person a seat of a service from today; refused beyond the quantity bought."""
    with unit_of_work() as session:
        day = acting_today(session, today)
        service.assign(session, acting_user(session), account, principal, sku, day)
        held = service.count_held(session, account, sku, day)
        bought = service.purchased(session, account, sku, day)
    _print(f"{principal.lower()} holds a seat of service {sku} from {day} "
           f"({held} of {bought} assigned)")


@app.command("remove")
@handles_errors
def remove(account: Account, principal: Principal, sku: SkuOption,
           today: TodayOption = None) -> None:
    """Take a person's seat of a service back from today; audited."""
    with unit_of_work() as session:
        day = acting_today(session, today)
        service.remove(session, acting_user(session), account, principal, sku, day)
    _print(f"{principal.lower()} no longer holds a seat of service {sku} from {day}")


@app.command("domains")
@handles_errors
def domains(account: Account,
            add: Annotated[list[str] | None, typer.Option("--add", help="A domain to add")]
            = None,
            remove: Annotated[list[str] | None, typer.Option(
                "--remove", help="A domain to remove")] = None) -> None:
    """The account's e-mail domains (how a tenant's export finds its account)."""
    with unit_of_work() as session:
        user = acting_user(session)
        for domain in add or []:
            tenants.add_domain(session, user, account, domain)
        for domain in remove or []:
            tenants.remove_domain(session, user, account, domain)
        listed = tenants.domains_of(session, user, account)
    _print(", ".join(listed) if listed else "No domains.")
