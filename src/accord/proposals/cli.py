"""``accord proposals list|render`` and ``accord company show|set``."""

from __future__ import annotations

import base64
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from accord.cli.common import acting_user, console, handles_errors, unit_of_work
from accord.proposals import company, render, service
from accord.selection.cli import TodayOption, _today

app = typer.Typer(help="Proposals: list them, render one as PDF or HTML.",
                  no_args_is_help=True)
company_app = typer.Typer(help="The company: name, currency and logo printed on proposals.",
                          no_args_is_help=True)
ProposalId = Annotated[int, typer.Argument(min=1, max=2_147_483_647, help="The proposal's id")]
LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
              ".svg": "image/svg+xml"}


class ListFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


class DocFormat(StrEnum):
    PDF = "pdf"
    HTML = "html"


@app.command("list")
@handles_errors
def list_proposals(
    account: Annotated[int | None, typer.Option("--account", min=1, max=2_147_483_647,
                                                help="One account's id")] = None,
    fmt: Annotated[ListFormat, typer.Option("--format")] = ListFormat.TABLE,
    today: TodayOption = None,
) -> None:
    """The proposals of the accounts you see (or of one), newest first."""
    with unit_of_work() as session:
        page = service.list_proposals(session, acting_user(session), account_id=account,
                                      today=_today(today))
    if fmt is ListFormat.JSON:
        typer.echo(json.dumps(page.model_dump(mode="json"), indent=2))
        return
    if not page.items:
        console.print("No proposals.", highlight=False)
        return
    table = Table(title=f"Proposals ({page.total})")
    for col in ("id", "account", "title", "status", "valid until", "version", "total"):
        table.add_column(col, justify="right" if col in ("id", "version", "total") else "left")
    for p in page.items:
        table.add_row(str(p.id), p.account, p.title, p.status, p.valid_until.isoformat(),
                      str(p.current_version), f"{p.total:,.2f} {p.currency}")
    console.print(table)


@app.command("render")
@handles_errors
def render_proposal(
    proposal_id: ProposalId,
    fmt: Annotated[DocFormat, typer.Option("--format")] = DocFormat.PDF,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="The file to write "
                                                "(default: proposal-ID-vN.pdf|html)")] = None,
    version: Annotated[int | None, typer.Option("--version", min=1, max=100_000,
                                                help="An earlier version")] = None,
    today: TodayOption = None,
) -> None:
    """Write a proposal as a PDF or a standalone HTML document."""
    with unit_of_work() as session:
        proposal, owner = render.document(session, acting_user(session), proposal_id,
                                          today=_today(today), number=version)
    target = output or Path(render.filename(proposal, fmt.value))
    if fmt is DocFormat.PDF:
        target.write_bytes(render.render_pdf(proposal, owner))
    else:
        target.write_text(render.render_html(proposal, owner), encoding="utf-8")
    console.print(f"proposal {proposal.id} (version {proposal.shown_version}, "
                  f"{proposal.status}) written to {target}", highlight=False, markup=False)


@company_app.command("show")
@handles_errors
def show_company(
    fmt: Annotated[ListFormat, typer.Option("--format")] = ListFormat.TABLE,
) -> None:
    """The company's name, currency and whether a logo is set."""
    with unit_of_work() as session:
        policy = company.show(session)
    if fmt is ListFormat.JSON:
        typer.echo(json.dumps(policy.to_dict(), indent=2))
        return
    console.print(f"name: {policy.name}\ncurrency: {policy.currency}\nlogo: "
                  f"{'set (' + str(len(policy.logo)) + ' characters)' if policy.logo else 'none'}",
                  highlight=False, markup=False)


@company_app.command("set")
@handles_errors
def set_company(
    name: Annotated[str | None, typer.Option("--name")] = None,
    currency: Annotated[str | None, typer.Option("--currency", help="ISO 4217, e.g. EUR")] = None,
    logo: Annotated[Path | None, typer.Option("--logo", help="A PNG, JPEG or SVG file")] = None,
    no_logo: Annotated[bool, typer.Option("--no-logo", help="Remove the logo")] = False,
) -> None:
    """Change the company's name, currency or logo (admins and heads); audited."""
    values: dict[str, str] = {}
    if name is not None:
        values["name"] = name.strip()
    if currency is not None:
        values["currency"] = currency
    if no_logo:
        values["logo"] = ""
    elif logo is not None:
        kind = LOGO_TYPES.get(logo.suffix.lower())
        if kind is None:
            console.print("--logo: a .png, .jpg, .jpeg or .svg file", highlight=False)
            raise typer.Exit(2)
        data = base64.b64encode(logo.read_bytes()).decode("ascii")
        values["logo"] = f"data:{kind};base64,{data}"
    with unit_of_work() as session:
        policy = company.change(session, acting_user(session), values)
    console.print(f"company: {policy.name}, {policy.currency}", highlight=False, markup=False)
