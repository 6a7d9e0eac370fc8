"""``accord renewals list|remind|settings``: renewals from the shell (``remind`` and a
settings change: admins; the operator acts as an admin)."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from accord.calendar.renewals import rules, service
from accord.calendar.renewals.schemas import RenewalPage
from accord.cli.common import acting_user, console, handles_errors, unit_of_work
from accord.selection.cli import _today

app = typer.Typer(help="Renewals: contract end dates, notice deadlines and their reminders.",
                  no_args_is_help=True)
MAX_ID = 2_147_483_647
DateOption = Annotated[str | None, typer.Option(
    "--date", help="As of this day (YYYY-MM-DD; default: today)")]


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


class Scope(StrEnum):
    WINDOW = "window"
    UPCOMING = "upcoming"
    ALL = "all"


@app.command("list")
@handles_errors
def list_renewals(
    scope: Annotated[Scope, typer.Option(
        "--scope", help="window: in the notice window (default); upcoming: not ended; "
        "all")] = Scope.WINDOW,
    manager: Annotated[int | None, typer.Option("--manager", min=1, max=MAX_ID,
                                                help="One manager's accounts (user id)")] = None,
    page: Annotated[int, typer.Option("--page", min=1, max=100_000)] = 1,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
    date: DateOption = None,
) -> None:
    """The renewals of the accounts you see, by notice deadline."""
    day = _today(date)
    with unit_of_work() as session:
        out = service.renewal_page(session, acting_user(session), day, scope=scope.value,
                                   manager_id=manager, page=page, page_size=200)
    if fmt is Format.JSON:
        typer.echo(json.dumps(out.model_dump(mode="json"), indent=2))
        return
    if not out.items:
        console.print("No renewals.", highlight=False)
        return
    console.print(_table(out))


def _table(out: RenewalPage) -> Table:
    table = Table("account", "manager", "what", "ends", "notice deadline", "reminder",
                  "state", "opportunity",
                  title=f"Renewals ({out.total}; page {out.page} of {out.pages})")
    for r in out.items:
        what = f"{r.service} (subscription {r.subscription_id})" if r.subscription_id \
            else "client contract"
        table.add_row(f"{r.account_name} ({r.account_id})", r.manager_name or "—", what,
                      r.contract_end_on.isoformat(), r.notice_deadline.isoformat(),
                      r.reminder_on.isoformat(), rules.STATE_LABELS.get(r.state, r.state),
                      str(r.opportunity_id) if r.opportunity_id else "—")
    return table


@app.command("remind")
@handles_errors
def remind(date: DateOption = None) -> None:
    """Record the reminders that fell due and open their renewal opportunities (the daily
    job does this too; a second run adds nothing)."""
    day = _today(date)
    with unit_of_work() as session:
        count = service.remind_now(session, acting_user(session), day)
    typer.echo(f"{count} renewal reminder{'s' if count != 1 else ''} recorded")


@app.command("settings")
@handles_errors
def settings(
    lead_days: Annotated[int | None, typer.Option(
        "--lead-days", min=0, max=rules.MAX_LEAD_DAYS,
        help="Days before the notice deadline the reminder falls due")] = None,
) -> None:
    """Show the renewals setting, or change it (admins)."""
    with unit_of_work() as session:
        if lead_days is None:
            current = service.policy(session)
        else:
            current = service.save_policy(session, acting_user(session),
                                          {"lead_days": lead_days})
    typer.echo(f"lead_days: {current.lead_days}")
