"""``accord seats names list|add|remove``: the product names of vendors' exports mapped to
the catalogue's services (as the operator, or ``--as EMAIL``)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from accord.cli.common import acting_user, console, handles_errors, unit_of_work
from accord.core.schemas import MAX_ID
from accord.licences.names import service

app = typer.Typer(help="Product names: how vendors' exports name the services.",
                  no_args_is_help=True)


def _print(text: str) -> None:
    console.print(text, highlight=False, markup=False, soft_wrap=True)


@app.command("list")
@handles_errors
def list_names(q: Annotated[str | None, typer.Option("--search", help="Part of a name")] = None,
               page: Annotated[int, typer.Option("--page", min=1, max=10_000)] = 1,
               fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table"
               ) -> None:
    """The mapping, by key (100 a page)."""
    with unit_of_work() as session:
        rows, total = service.names(session, acting_user(session), search=q, page=page)
    if fmt == "json":
        typer.echo(json.dumps([r.model_dump() for r in rows], indent=2))
        return
    if not rows:
        _print("No product names." if total == 0 else f"No names on page {page} of {total}.")
        return
    table = Table(title=f"Product names ({total})")
    for col in ("id", "name", "key", "service"):
        table.add_column(col)
    for r in rows:
        table.add_row(str(r.id), r.name, r.key, f"{r.service} ({r.sku_code}, {r.sku_id})")
    console.print(table)


@app.command("add")
@handles_errors
def add(name: Annotated[str, typer.Argument(help="As the export writes it")],
        sku: Annotated[int, typer.Option("--sku", min=1, max=MAX_ID, help="The service's id")]
        ) -> None:
    """Map a product name to a service (billing and admins); audited."""
    with unit_of_work() as session:
        row = service.add(session, acting_user(session), name, sku)
        said = f"{row.name!r} (key {row.key!r}) maps to service {sku}"
    _print(said)


@app.command("remove")
@handles_errors
def remove(name: Annotated[str, typer.Argument(help="The name (matched by its key)")]) -> None:
    """Delete a product name (billing and admins); audited."""
    with unit_of_work() as session:
        row = service.find(session, name)
        key = row.key
        service.remove(session, acting_user(session), row.id)
    _print(f"{key!r} no longer maps to a service")
