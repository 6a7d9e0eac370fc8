"""``accord inputs list|show|request|received|cancel|sent|chase|settings``: client inputs from
the shell (as the operator, or as a user with ``--as EMAIL``)."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from accord.agency.inputs import service
from accord.agency.inputs.schemas import (
    Filters,
    InputOut,
    cancel_in,
    input_in,
    received_in,
    settings_in,
)
from accord.cli.common import acting_today, acting_user, console, handles_errors, unit_of_work
from accord.core.schemas import MAX_ID

app = typer.Typer(help="Client inputs: what the team waits for from the client, chased at "
                  "the agreed interval and escalated to the head.", no_args_is_help=True)
TodayOption = Annotated[str | None, typer.Option(
    "--today", help="Act as of this day (YYYY-MM-DD; default: today in your time zone)")]
IdArgument = Annotated[int, typer.Argument(min=1, max=MAX_ID, help="The request's id")]


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


def _said(out: InputOut) -> str:
    text = (f"input request {out.id} on {out.account_name}: {out.title} (due {out.due_on}, "
            f"{out.status}")
    if out.status == "open":
        text += f", next chase {out.next_chase_on or '—'}"
    elif out.closed_on:
        text += f" {out.closed_on}"
    return text + ")"


def _print(text: str) -> None:
    console.print(text, highlight=False, markup=False, soft_wrap=True)


@app.command("list")
@handles_errors
def list_inputs(
    account: Annotated[int | None, typer.Option("--account", min=1, max=MAX_ID,
                                                help="Only this account's")] = None,
    status: Annotated[str, typer.Option(
        "--status", help="open (default), received, cancelled or all")] = "open",
    overdue: Annotated[bool, typer.Option("--overdue", help="Only the overdue ones")] = False,
    escalated: Annotated[bool, typer.Option("--escalated", help="Only escalated ones")]
    = False,
    page: Annotated[int, typer.Option("--page", min=1, max=100_000)] = 1,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
    today: TodayOption = None,
) -> None:
    """The client inputs on the accounts you see, by due date."""
    with unit_of_work() as session:
        day = acting_today(session, today)
        result = service.list_inputs(session, acting_user(session), Filters(
            today=day, status=status, overdue=overdue, escalated=escalated,
            account_id=account, page=page, page_size=200))
    if fmt is Format.JSON:
        typer.echo(json.dumps(result.model_dump(mode="json"), indent=2))
        return
    if not result.items:
        _print("No client inputs.")
        return
    table = Table(title=f"Client inputs ({result.total})")
    for col in ("id", "account", "what", "due", "chases", "next chase", "state"):
        table.add_column(col)
    for i in result.items:
        state = i.status + (" · overdue" if i.overdue else "") + (
            " · escalated" if i.escalated_on else "")
        table.add_row(str(i.id), i.account_name, i.title, str(i.due_on), str(i.chases),
                      str(i.next_chase_on or "—"), state)
    console.print(table)


@app.command("show")
@handles_errors
def show(input_id: IdArgument,
         fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
         today: TodayOption = None) -> None:
    """One request with its chases and their drafted e-mails."""
    with unit_of_work() as session:
        day = acting_today(session, today)
        out = service.get_input(session, acting_user(session), input_id, day)
    if fmt is Format.JSON:
        typer.echo(json.dumps(out.model_dump(mode="json"), indent=2))
        return
    _print(_said(out))
    _print(f"  from: {out.contact.name if out.contact else '—'}"
           f"{' <' + out.contact_email + '>' if out.contact_email else ''}; "
           f"brief: {out.brief.name if out.brief else '—'}; "
           f"chased every {out.effective_chase_days} working days ({out.chase_days_from})")
    if out.escalated_on:
        _print(f"  escalated {out.escalated_on} to "
               f"{out.escalated_to.email if out.escalated_to else 'nobody'}")
    for c in out.chase_list:
        _print(f"  chase {c.number} (id {c.id}) due {c.due_on}: {c.status}"
               + (f" {c.sent_on}" if c.sent_on else ""))
        _print(f"    subject: {c.subject}")


@app.command("request")
@handles_errors
def request(
    account: Annotated[int, typer.Option("--account", min=1, max=MAX_ID,
                                         help="The account's id")],
    title: Annotated[str, typer.Option("--title", help="What the client is to give")],
    due: Annotated[str, typer.Option("--due", help="Due date YYYY-MM-DD (not before today)")],
    contact: Annotated[str | None, typer.Option(
        "--contact", help="The e-mail of the account's contact who is asked")] = None,
    brief: Annotated[int | None, typer.Option("--brief", min=1, max=MAX_ID,
                                              help="The brief that waits on it")] = None,
    chase_days: Annotated[int | None, typer.Option(
        "--chase-days", help="Working days between chases (1-260; default: the account's)")]
    = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why it is needed")] = None,
    today: TodayOption = None,
) -> None:
    """Request an input from the client; audited."""
    with unit_of_work() as session:
        day = acting_today(session, today)
        user = acting_user(session)
        contact_id = service.contact_by_email(session, user, account, contact) \
            if contact else None
        data = input_in({"account_id": account, "title": title, "due_on": due,
                         "contact_id": contact_id, "brief_id": brief,
                         "chase_days": chase_days, "reason": reason})
        out = service.request_input(session, user, data, day)
    _print(_said(out) + " requested")


@app.command("received")
@handles_errors
def received(
    input_id: IdArgument,
    on: Annotated[str | None, typer.Option("--on", help="The day it came (default: today)")]
    = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    today: TodayOption = None,
) -> None:
    """The client gave it; its chases close; audited."""
    data = received_in({"on": on, "note": note})
    with unit_of_work() as session:
        day = acting_today(session, today)
        out = service.received(session, acting_user(session), input_id, day, on=data.on,
                               note=data.note)
    _print(_said(out))


@app.command("cancel")
@handles_errors
def cancel(
    input_id: IdArgument,
    reason: Annotated[str, typer.Option("--reason", help="Why it is no longer needed")],
    today: TodayOption = None,
) -> None:
    """Cancel a request, saying why; audited."""
    text = cancel_in({"reason": reason}).reason
    with unit_of_work() as session:
        day = acting_today(session, today)
        out = service.cancel_input(session, acting_user(session), input_id, day, text)
    _print(_said(out))


@app.command("sent")
@handles_errors
def sent(
    chase_id: Annotated[int, typer.Argument(min=1, max=MAX_ID, help="The chase's id")],
    today: TodayOption = None,
) -> None:
    """Mark a chase's e-mail sent (logs the interaction, completes its follow-up)."""
    with unit_of_work() as session:
        day = acting_today(session, today)
        out = service.mark_chase_sent(session, acting_user(session), chase_id, day)
    _print(_said(out) + f": chase {chase_id} sent")


@app.command("chase")
@handles_errors
def chase(today: TodayOption = None) -> None:
    """Run the due chases now over every account (what the daily job ``input_chases``
    does; as the operator, or ``--as`` an admin)."""
    with unit_of_work() as session:
        day = acting_today(session, today)
        run = service.chase_now(session, acting_user(session), day)
    _print(f"{day}: {run.chased} chased, {run.escalated} escalated")


@app.command("settings")
@handles_errors
def settings(
    escalate_after: Annotated[int | None, typer.Option(
        "--escalate-after", help="N: the (N+1)-th unanswered chase goes to the head")] = None,
    default_chase_days: Annotated[int | None, typer.Option(
        "--default-chase-days", help="Working days between chases when the account agreed "
        "none")] = None,
) -> None:
    """Show the agency setting, or change it (admins and heads)."""
    with unit_of_work() as session:
        user = acting_user(session)
        current = service.agency_settings_of(session, user)
        if escalate_after is not None or default_chase_days is not None:
            data = settings_in({
                "escalate_after": current.escalate_after if escalate_after is None
                else escalate_after,
                "default_chase_days": current.default_chase_days
                if default_chase_days is None else default_chase_days})
            current = service.save_agency_settings(session, user, data)
    _print(f"escalate after {current.escalate_after} chases; default chase interval "
           f"{current.default_chase_days} working days")
