"""``accord accounts list|show``: the same services and visibility as the web and the API."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from typing import Annotated, Any

import typer
from pydantic_core import to_jsonable_python
from rich.table import Table

from accord.accounts import service
from accord.accounts.models import AccountKind, AccountStatus
from accord.accounts.profile import AccountProfile, account_profile, resolve_account
from accord.accounts.schemas import AccountOut, AccountPage
from accord.cli.common import acting_user, console, fail, handles_errors, unit_of_work
from accord.core.database import utcnow
from accord.core.identity import get_user_by_email
from accord.core.money import format_money
from accord.core.periods import month_index, parse_month

app = typer.Typer(
    help="Accounts: search, list and show (your visibility applies).", no_args_is_help=True
)


class ListFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


class ShowFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


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


def _text(value: Any) -> str:
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
            _text(a.external_id),
            a.name,
            a.kind,
            a.status,
            _text(a.segment),
            _text(a.manager_email),
            _text(a.last_touch_on),
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
            writer.writerow([_text(getattr(a, c)) for c in CSV_COLUMNS])
    else:
        console.print(_table(result))


#: ``accounts show``: the months of revenue and the interactions it lists
SHOWN_MONTHS = 12
SHOWN_INTERACTIONS = 5


def _profile_json(p: AccountProfile) -> Any:
    """``--format json``: the account at a glance in this command's names."""
    return to_jsonable_python({
        "account": p.account,
        "contacts": p.contacts,
        "interactions": p.timeline,
        "interaction_count": p.interactions_total,
        "revenue_from": p.revenue_from,
        "revenue_to": p.revenue_to,
        "revenue": [{"month": r.month, "amount": r.amount} for r in p.revenue],
        "revenue_total": p.revenue_total,
    })


def _profile_tables(p: AccountProfile) -> None:
    a: AccountOut = p.account
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for label, value in [
        ("id", a.id),
        ("external id", a.external_id),
        ("kind", a.kind),
        ("status", a.status),
        ("segment", a.segment),
        ("business line", a.business_line),
        ("size band", a.size_band),
        ("manager", f"{a.manager_name} <{a.manager_email}>" if a.manager_email else None),
        ("parent", f"{a.parent_name} ({a.parent_id})" if a.parent_id
         else "a parent account you cannot see" if a.parent_hidden else None),
        ("country", a.country),
        ("industry", a.industry),
        (
            "estimated spend",
            format_money(a.estimated_spend) if a.estimated_spend is not None else None,
        ),
        ("last touch", a.last_touch_on),
        ("notes", a.notes),
    ]:
        grid.add_row(label, _text(value) or "—")
    console.print(f"[bold]{a.name}[/]", highlight=False)
    console.print(grid)

    contacts = Table(
        "name",
        "role",
        "title",
        "function",
        "seniority",
        "e-mail",
        "last touch",
        title=f"Contacts ({len(p.contacts)})",
        title_justify="left",
    )
    for c in p.contacts:
        contacts.add_row(
            c.name,
            _text(c.buying_role),
            _text(c.title),
            _text(c.function),
            _text(c.seniority),
            _text(c.email),
            _text(c.last_touch_on),
        )
    console.print(contacts if p.contacts else "[dim]no contacts[/]")

    timeline = Table(
        "date",
        "kind",
        "summary",
        "with",
        title=(f"Last interactions ({len(p.timeline)} of {p.interactions_total})"),
        title_justify="left",
    )
    for i in p.timeline:
        timeline.add_row(str(i.occurred_on), i.kind, i.summary, ", ".join(i.contacts + i.users))
    console.print(timeline if p.timeline else "[dim]no interactions[/]")

    revenue = Table(
        "month", "revenue", title=f"Revenue {p.revenue_from}…{p.revenue_to}", title_justify="left"
    )
    revenue.columns[1].justify = "right"
    for r in p.revenue:
        revenue.add_row(r.month, format_money(r.amount))
    revenue.add_row("[bold]total[/]", f"[bold]{format_money(p.revenue_total)}[/]")
    console.print(revenue)


@app.command("show")
@handles_errors
def show_account(
    ref: Annotated[str, typer.Argument(metavar="ID|EXTERNAL_ID", help="Account id or external id")],
    fmt: Annotated[ShowFormat, typer.Option("--format")] = ShowFormat.TABLE,
    month: Annotated[
        str | None,
        typer.Option(
            "--month", help="Last month of the revenue window, YYYY-MM (default: this month)"
        ),
    ] = None,
) -> None:
    """One account: profile, contacts, last interactions, last 12 months of revenue."""
    try:
        last = parse_month(month) if month else month_index(utcnow().date())
    except ValueError as exc:
        fail(str(exc), 2)
        raise  # unreachable: fail() exits
    with unit_of_work() as session:
        user = acting_user(session)
        account = resolve_account(session, user, ref)
        profile = account_profile(session, user, account.id, last_month=last,
                                  months=SHOWN_MONTHS, timeline=SHOWN_INTERACTIONS)
    if fmt is ShowFormat.JSON:
        typer.echo(json.dumps(_profile_json(profile), indent=2, ensure_ascii=False))
    else:
        _profile_tables(profile)
