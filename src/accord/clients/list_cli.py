"""``accord clients list`` and ``accord clients show``: the lists and one client's figures
from the shell (``reading.client_list`` and ``reading.client_by_ref``, as the API and the
pages), over the accounts the acting user sees (``--as EMAIL``)."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Annotated, Any

import typer
from pydantic_core import to_jsonable_python
from rich.table import Table
from rich.text import Text

from accord.cli.common import Format as ShowFormat
from accord.cli.common import acting_user, console, fail, handles_errors, unit_of_work
from accord.clients import exporting, reading


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


def _list_name(segment: str | None, winback: bool, at_risk: bool, best: bool) -> str:
    chosen = [name for name, on in (("winback", winback), ("at_risk", at_risk),
                                    ("best", best), ("segment", segment is not None)) if on]
    if len(chosen) > 1:
        fail("choose one list: --rfm-segment, --winback, --at-risk or --best", 2)
    if not chosen:
        return "winback"
    return "all" if chosen[0] == "segment" else chosen[0]


def register(app: typer.Typer) -> None:
    """Adds ``list`` and ``show`` to ``accord clients``."""

    @app.command("list")
    @handles_errors
    def list_clients(
        segment: Annotated[str | None, typer.Option(
            "--rfm-segment", help="The clients of one RFM segment (every list)")] = None,
        winback: Annotated[bool, typer.Option(
            "--winback", help="Win-back: low P(alive), by past value (the default)")] = False,
        at_risk: Annotated[bool, typer.Option(
            "--at-risk", help="P(alive) fell since the previous fit")] = False,
        best: Annotated[bool, typer.Option(
            "--best", help="High P(alive), by value")] = False,
        sort: Annotated[str | None, typer.Option(
            "--sort", help=f"{', '.join(reading.SORTS)}; - before: descending")] = None,
        limit: Annotated[int, typer.Option(
            "--limit", min=1, max=reading.MAX_EXPORT, help="At most this many")] = 50,
        fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
    ) -> None:
        """A list of clients (person accounts with a score) among the accounts you see."""
        name = _list_name(segment, winback, at_risk, best)
        f = reading.filters(list_name=name, segment=segment, sort=sort)
        with unit_of_work() as session:
            listing = reading.client_list(session, acting_user(session), f, per_page=limit)
        if fmt is Format.JSON:
            typer.echo(json.dumps(to_jsonable_python(listing.as_dict()), indent=2))
        elif fmt is Format.CSV:
            sys.stdout.write(exporting.to_csv(listing.rows).decode("utf-8"))
        elif not listing.rows:
            console.print("No client on this list.", highlight=False)
        else:
            console.print(_table(listing))

    @app.command("show")
    @handles_errors
    def show_client(
        account: Annotated[str, typer.Argument(help="The account's id or external id")],
        fmt: Annotated[ShowFormat, typer.Option("--format")] = ShowFormat.TABLE,
    ) -> None:
        """One person account's client figures: P(alive), expected purchases and value,
        RFM, lifecycle."""
        with unit_of_work() as session:
            figures = reading.client_by_ref(session, acting_user(session), account)
        if fmt is ShowFormat.JSON:
            typer.echo(json.dumps(to_jsonable_python(figures.as_dict()), indent=2))
            return
        console.print(Text(f"{figures.name} (account {figures.account_id})", style="bold"))
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold")
        grid.add_column()
        for label, value in _show_rows(figures):
            grid.add_row(label, Text("—" if value is None else str(value)))
        console.print(grid)


def _p(value: float | None) -> str | None:
    return None if value is None else f"{value:.4f}"


def _show_rows(c: reading.ClientFigures) -> list[tuple[str, Any]]:
    status = None
    if c.status:
        status = c.status + (" (set by hand)" if c.status_set_by == "hand" else "")
    if not c.scored:
        return [("scored", "no: no purchase in the latest fit"), ("lifecycle", status),
                ("reason", c.reason)]
    rfm = c.rfm or {}
    return [
        ("P(alive)", _p(c.p_alive)), ("P(alive) BG/NBD", _p(c.p_alive_bgnbd)),
        ("P(alive) MBG/NBD", _p(c.p_alive_mbgnbd)), ("previous P(alive)", _p(c.p_alive_previous)),
        ("expected purchases", f"{c.expected_purchases:.2f} in the next {c.horizon} {c.unit}s"),
        ("expected spend", c.expected_spend), ("value", c.value), ("past value", c.past_value),
        ("purchases", c.purchases), ("first purchase", c.first_purchase_on),
        ("last purchase", c.last_purchase_on), ("recency (days)", c.recency_days),
        ("RFM", f"R {rfm.get('r')} F {rfm.get('f')} M {rfm.get('m')}" if rfm.get("r")
         else None), ("segment", rfm.get("segment")), ("lifecycle", status),
        ("reason", c.reason), ("fit", f"{c.fit_id} ({c.model})"),
    ]


def _table(listing: reading.ClientList) -> Table:
    title = f"{listing.filters.list} ({listing.total}"
    title += f", first {len(listing.rows)})" if listing.total > len(listing.rows) else ")"
    table = Table(title=title)
    for col in ("id", "name", "segment", "purchases", "last purchase", "past value",
                "P(alive)", "expected", "value"):
        table.add_column(col, justify="left" if col in ("name", "segment", "last purchase")
                         else "right")
    for r in listing.rows:
        table.add_row(str(r.account_id), Text(r.name), Text(r.segment or "—"), str(r.purchases),
                      r.last_purchase_on.isoformat(), f"{r.past_value:,.2f}", f"{r.p_alive:.2f}",
                      f"{r.expected_purchases:.2f}", f"{r.value:,.2f}")
    return table
