"""``accord digest send [--dry-run] [--to EMAIL] [--date YYYY-MM-DD]``."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from accord.calendar.digest import service
from accord.cli.common import engine, handles_errors, operator
from accord.core.database import session_factory
from accord.core.settings import get_settings
from accord.selection.cli import _today

app = typer.Typer(help="The daily e-mail digest (each user's My day).", no_args_is_help=True)


@app.command("send")
@handles_errors
def send(
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Say what would be sent; send and record nothing")] = False,
    to: Annotated[str | None, typer.Option("--to", help="Only this user (e-mail)")] = None,
    day: Annotated[str | None, typer.Option(
        "--date", help="The day (YYYY-MM-DD; default: today, UTC)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The report as JSON")] = False,
) -> None:
    """Send the day's digests: one mail per user per day at most, none for an empty day.
    Exit status 1 when a mail could not be sent (it is tried again on the next run)."""
    report = service.send_digests(session_factory(engine()), get_settings(), _today(day),
                                  dry_run=dry_run, to=to, actor=operator())
    if as_json:
        typer.echo(json.dumps(report.model_dump(mode="json"), indent=2))
    else:
        for line in report.lines:
            detail = line.subject or (f"{line.items} items" if line.items else "empty")
            typer.echo(f"{line.email}: {line.outcome.replace('_', ' ')} — {detail}"
                       + (f" ({line.error})" if line.error else ""))
        what = "would be sent" if dry_run else "sent"
        would = sum(1 for line in report.lines if line.outcome == "would_send")
        typer.echo(f"{report.day}: {would if dry_run else report.sent} {what}, "
                   f"{report.skipped} empty, {report.already} already done, "
                   f"{report.failed} failed")
    if report.failed:
        raise typer.Exit(1)
