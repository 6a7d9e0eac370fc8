"""``accord accounts list|show``: the same services and visibility as the web and the API."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.table import Table

from accord.accounts import service
from accord.accounts.models import AccountKind, AccountStatus
from accord.accounts.schemas import AccountPage
from accord.cli.common import acting_user, console, handles_errors, unit_of_work
from accord.core.identity import get_user_by_email

app = typer.Typer(
    help="Accounts: search, list and show (your visibility applies).", no_args_is_help=True
)


class ListFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


CSV_COLUMNS = [
    "id",
    "external_id",
    "name",
    "kind",
    "status",
    "segment",
    "business_line",
    "manager_email",
    "parent_id",
    "last_touch_on",
]


def text_or_blank(value: Any) -> str:
    return "" if value is None else str(value)


def showing(page: AccountPage) -> str:
    if not page.items:
        return f"showing 0 of {page.total}"
    first = (page.page - 1) * page.page_size + 1
    return f"showing {first}–{first + len(page.items) - 1} of {page.total}"


def _table(page: AccountPage) -> Table:
    table = Table(
        "id",
        "external id",
        "name",
        "kind",
        "status",
        "segment",
        "manager",
        "last touch",
        caption=f"{showing(page)} · page {page.page} of {page.pages}",
    )
    for a in page.items:
        table.add_row(
            str(a.id),
            text_or_blank(a.external_id),
            a.name,
            a.kind,
            a.status,
            text_or_blank(a.segment),
            text_or_blank(a.manager_email),
            text_or_blank(a.last_touch_on),
        )
    return table


@app.command("list")
@handles_errors
def list_accounts(
    q: Annotated[
        str | None, typer.Option("--q", help="Name contains, or exact external id")
    ] = None,
    status: Annotated[AccountStatus | None, typer.Option("--status")] = None,
    segment: Annotated[str | None, typer.Option("--segment")] = None,
    kind: Annotated[AccountKind | None, typer.Option("--kind")] = None,
    manager: Annotated[
        str | None, typer.Option("--manager", help="Responsible manager's e-mail")
    ] = None,
    sort: Annotated[str, typer.Option("--sort", help=", ".join(service.SORTS))] = "name",
    page: Annotated[int, typer.Option("--page", min=1)] = 1,
    page_size: Annotated[int, typer.Option("--page-size", min=1, max=service.MAX_PAGE_SIZE)] = 50,
    fmt: Annotated[ListFormat, typer.Option("--format")] = ListFormat.TABLE,
) -> None:
    """Search and list the accounts you may see."""
    with unit_of_work() as session:
        user = acting_user(session)
        manager_id = get_user_by_email(session, manager).id if manager else None
        flt = service.AccountFilter(
            q=q,
            status=status.value if status else None,
            segment=segment,
            kind=kind.value if kind else None,
            manager_id=manager_id,
        )
        result = service.list_accounts(
            session, user, flt, sort=sort, page=page, page_size=page_size
        )
    if fmt is ListFormat.JSON:
        typer.echo(json.dumps(result.model_dump(mode="json"), indent=2, ensure_ascii=False))
    elif fmt is ListFormat.CSV:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for a in result.items:
            writer.writerow([text_or_blank(getattr(a, c)) for c in CSV_COLUMNS])
    else:
        console.print(_table(result))

