"""``accord catalogue list|add-line|add-offering|add-sku|alias|unmapped`` and
``accord whitespace [--account ID] [--format json]`` (without an account: the portfolio)."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from accord.cli.common import acting_user, console, handles_errors, unit_of_work
from accord.core.money import format_money
from accord.growth import catalogue, portfolio, whitespace
from accord.growth.schemas import AliasIn, LineIn, OfferingIn, SkuIn, parsed
from accord.selection.cli import TodayOption, _today

app = typer.Typer(help="The product catalogue: lines, offerings, SKUs, aliases.",
                  no_args_is_help=True)
IdArg = Annotated[int, typer.Argument(min=1, max=2_147_483_647)]
Price = Annotated[str | None, typer.Option("--price", help="List price, e.g. 1200.00")]
Owner = Annotated[str | None, typer.Option("--owner", help="The owner's e-mail")]


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


@app.command("list")
@handles_errors
def list_catalogue(fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE) -> None:
    """Every product line with its offerings and SKUs."""
    with unit_of_work() as session:
        cat = catalogue.catalogue(session, acting_user(session))
    if fmt is Format.JSON:
        typer.echo(json.dumps(cat.model_dump(mode="json"), indent=2))
        return
    for line in cat.lines:
        console.print(f"{line.id} {line.name} {format_money(line.list_price)}"
                      + (f" (also: {', '.join(line.aliases)})" if line.aliases else ""),
                      highlight=False, markup=False)
        for o in line.offerings:
            console.print(f"  {o.id} {o.name}", highlight=False, markup=False)
            for s in o.skus:
                console.print(f"    {s.code} {s.name} {format_money(s.list_price)}",
                              highlight=False, markup=False)


@app.command("add-line")
@handles_errors
def add_line(name: str, owner: Owner = None, price: Price = None,
             today: TodayOption = None) -> None:
    """Add a product line (admins)."""
    data = parsed(LineIn, {"name": name, "owner_email": owner, "list_price": price})
    with unit_of_work() as session:
        line = catalogue.add_line(session, acting_user(session), data,  # type: ignore[arg-type]
                                  today=_today(today))
        console.print(f"product line {line.id} {line.name} added", highlight=False,
                      markup=False)


@app.command("add-offering")
@handles_errors
def add_offering(line_id: IdArg, name: str, owner: Owner = None, price: Price = None) -> None:
    """Add an offering to a product line (admins)."""
    data = parsed(OfferingIn, {"name": name, "owner_email": owner, "list_price": price})
    with unit_of_work() as session:
        o = catalogue.add_offering(session, acting_user(session), line_id,
                                   data)  # type: ignore[arg-type]
        console.print(f"offering {o.id} {o.name} added", highlight=False, markup=False)


@app.command("add-sku")
@handles_errors
def add_sku(offering_id: IdArg, code: str, name: str, owner: Owner = None,
            price: Price = None) -> None:
    """Add a SKU to an offering (admins)."""
    data = parsed(SkuIn, {"code": code, "name": name, "owner_email": owner,
                          "list_price": price})
    with unit_of_work() as session:
        s = catalogue.add_sku(session, acting_user(session), offering_id,
                              data)  # type: ignore[arg-type]
        console.print(f"SKU {s.code} added", highlight=False, markup=False)


@app.command("alias")
@handles_errors
def alias(value: str, line_id: IdArg, today: TodayOption = None) -> None:
    """Map a revenue product-line value to a product line (admins; rebuilds the summary)."""
    data = parsed(AliasIn, {"alias": value, "product_line_id": line_id})
    with unit_of_work() as session:
        catalogue.add_alias(session, acting_user(session), data,  # type: ignore[arg-type]
                            today=_today(today))
    console.print(f"{value} → line {line_id}", highlight=False, markup=False)


@app.command("unmapped")
@handles_errors
def unmapped() -> None:
    """Product-line values of revenue lines that map to no catalogue line."""
    with unit_of_work() as session:
        rows = catalogue.unmapped(session, acting_user(session))
    for u in rows:
        console.print(f"{u.value}\t{u.lines}\t{format_money(u.amount)}", highlight=False,
                      markup=False)
    if not rows:
        console.print("none", highlight=False)


@handles_errors
def whitespace_command(
    account: Annotated[int | None, typer.Option("--account", min=1, max=2_147_483_647,
                                                help="An account id (else: the portfolio)")
                       ] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
    today: TodayOption = None,
) -> None:
    """An account's whitespace matrix, or the portfolio view."""
    with unit_of_work() as session:
        user = acting_user(session)
        if account is not None:
            out = whitespace.matrix(session, user, account, today=_today(today))
        else:
            view = portfolio.portfolio(session, user, today=_today(today))
    if fmt is Format.JSON:
        typer.echo(json.dumps((out if account is not None else view).model_dump(mode="json"),
                              indent=2))
        return
    if account is not None:
        table = Table(title=f"Whitespace, {out.window_months} months to {out.as_of}")
        table.add_column("unit")
        for line in out.lines:
            table.add_column(line.name)
        for unit in out.units:
            table.add_row(unit.name, *(format_money(c.bought) if c.state == "bought"
                                       else c.state.replace("_", " ") for c in unit.cells))
    else:
        table = Table(title=f"Portfolio whitespace ({view.key_accounts} key accounts)")
        for col in ("product line", "buying", "whitespace", "estimated value", "on"):
            table.add_column(col)
        for p in view.lines:
            table.add_row(p.name, str(p.key_accounts_buying), str(p.key_accounts_whitespace),
                          format_money(p.whitespace_value), str(p.estimated_accounts))
    console.print(table)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="catalogue")
    root.command("whitespace")(whitespace_command)
