"""``accord accounts show``: one account at a glance (the account page's use case)."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any

import typer
from pydantic_core import to_jsonable_python
from rich.table import Table

from accord.accounts.cli import text_or_blank
from accord.accounts.schemas import AccountOut
from accord.cli.common import acting_user, console, fail, handles_errors, unit_of_work
from accord.core.database import utcnow
from accord.core.money import format_money
from accord.core.periods import month_index, parse_month
from accord.glance.profile import AccountProfile, account_profile, resolve_account

#: ``accounts show``: the months of revenue and the interactions it lists
SHOWN_MONTHS = 12
SHOWN_INTERACTIONS = 5


class ShowFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


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
        ("contract end", a.contract_end_on),
        ("notice days", a.notice_days),
        ("last touch", a.last_touch_on),
        ("notes", a.notes),
    ]:
        grid.add_row(label, text_or_blank(value) or "—")
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
            text_or_blank(c.buying_role),
            text_or_blank(c.title),
            text_or_blank(c.function),
            text_or_blank(c.seniority),
            text_or_blank(c.email),
            text_or_blank(c.last_touch_on),
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


def register(accounts: typer.Typer) -> None:
    """Add ``show`` to the ``accord accounts`` group."""
    accounts.command("show")(show_account)
