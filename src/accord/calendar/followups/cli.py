"""``accord followups add|list|done|snooze|cancel``: follow-ups from the shell (as the operator,
or as a user with ``--as EMAIL``)."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from accord.calendar.followups import service
from accord.calendar.followups.schemas import (
    Filters,
    FollowUpOut,
    cancel_in,
    follow_up_in,
    snooze_in,
)
from accord.cli.common import acting_today, acting_user, console, handles_errors, unit_of_work
from accord.core.identity import get_user_by_email

app = typer.Typer(help="Follow-ups: tasks on accounts with a due date (and time), done, "
                  "snoozed or cancelled.", no_args_is_help=True)
MAX_ID = 2_147_483_647
TodayOption = Annotated[str | None, typer.Option(
    "--today", help="Act as of this day (YYYY-MM-DD; default: today in your time zone)")]
IdArgument = Annotated[int, typer.Argument(min=1, max=MAX_ID, help="The follow-up's id")]


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


def _said(out: FollowUpOut) -> str:
    due = f"{out.due_on}" + (f" {out.due_time} {out.time_zone}" if out.due_time else "")
    return f"follow-up {out.id} on {out.account_name}: {out.title} (due {due}, {out.status})"


@app.command("add")
@handles_errors
def add(
    account: Annotated[int, typer.Argument(min=1, max=MAX_ID, help="The account's id")],
    title: Annotated[str, typer.Option("--title", help="What is to be done")],
    due: Annotated[str, typer.Option("--due", help="Due date YYYY-MM-DD")],
    due_time: Annotated[str | None, typer.Option(
        "--time", help="Due time HH:MM in the owner's time zone")] = None,
    owner: Annotated[str | None, typer.Option(
        "--owner", help="The owner's e-mail (default: you; the operator: the account's "
        "manager)")] = None,
    notes: Annotated[str | None, typer.Option("--notes")] = None,
    today: TodayOption = None,
) -> None:
    """Add a follow-up to an account; audited."""
    with unit_of_work() as session:
        day = acting_today(session, today)
        owner_id = get_user_by_email(session, owner).id if owner else None
        data = follow_up_in({"account_id": account, "title": title, "due_on": due,
                             "due_time": due_time, "owner_id": owner_id, "notes": notes})
        out = service.add_follow_up(session, acting_user(session), data, day)
    console.print(_said(out) + " added", highlight=False, markup=False,
                  soft_wrap=True)


@app.command("list")
@handles_errors
def list_follow_ups(
    owner: Annotated[str | None, typer.Option("--owner", help="Only this owner's (e-mail)")]
    = None,
    account: Annotated[int | None, typer.Option("--account", min=1, max=MAX_ID,
                                                help="Only this account's")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only the overdue ones")] = False,
    status: Annotated[str, typer.Option(
        "--status", help="open (open and snoozed, default), all, open, snoozed, done, "
        "cancelled")] = "open",
    page: Annotated[int, typer.Option("--page", min=1, max=100_000)] = 1,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
    today: TodayOption = None,
) -> None:
    """The follow-ups on the accounts you see, by due date."""
    with unit_of_work() as session:
        day = acting_today(session, today)
        owner_id = get_user_by_email(session, owner).id if owner else None
        result = service.list_follow_ups(session, acting_user(session), Filters(
            today=day, owner_id=owner_id, account_id=account, status=status, overdue=overdue,
            page=page, page_size=200))
    if fmt is Format.JSON:
        typer.echo(json.dumps(result.model_dump(mode="json"), indent=2))
        return
    if not result.items:
        console.print("No follow-ups.", highlight=False)
        return
    table = Table(title=f"Follow-ups ({result.total})")
    for col in ("id", "account", "title", "due", "owner", "state"):
        table.add_column(col)
    for f in result.items:
        due = f"{f.effective_due_on}" + (f" {f.due_time}" if f.due_time else "")
        table.add_row(str(f.id), f.account_name, f.title, due,
                      f.owner.email if f.owner else "—",
                      f.status if f.due_state == "closed" else f.due_state.replace("_", " "))
    console.print(table)


@app.command("done")
@handles_errors
def done(follow_up: IdArgument, today: TodayOption = None) -> None:
    """Mark a follow-up done today; audited."""
    with unit_of_work() as session:
        day = acting_today(session, today)
        out = service.complete(session, acting_user(session), follow_up, day)
    console.print(_said(out), highlight=False, markup=False,
                  soft_wrap=True)


@app.command("snooze")
@handles_errors
def snooze(
    follow_up: IdArgument,
    until: Annotated[str, typer.Option("--until", help="The date it comes back (YYYY-MM-DD)")],
    today: TodayOption = None,
) -> None:
    """Snooze a follow-up until a date after today; audited."""
    when = snooze_in({"until": until}).until
    with unit_of_work() as session:
        day = acting_today(session, today)
        out = service.snooze(session, acting_user(session), follow_up, when, day)
    console.print(_said(out) + f" until {out.snoozed_until}", highlight=False, markup=False,
                  soft_wrap=True)


@app.command("cancel")
@handles_errors
def cancel(
    follow_up: IdArgument,
    reason: Annotated[str, typer.Option("--reason", help="Why it is cancelled")],
    today: TodayOption = None,
) -> None:
    """Cancel a follow-up, saying why; audited."""
    text = cancel_in({"reason": reason}).reason
    with unit_of_work() as session:
        day = acting_today(session, today)
        out = service.cancel(session, acting_user(session), follow_up, text, today=day)
    console.print(_said(out), highlight=False, markup=False,
                  soft_wrap=True)
