"""``accord jobs run|list``: run what is due (from cron: ``*/5 * * * * accord jobs run``) and
see each job's latest run."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from accord.calendar.jobs import service
from accord.cli.common import console, engine, handles_errors, unit_of_work
from accord.core.database import session_factory, utcnow
from accord.core.settings import get_settings

app = typer.Typer(help="Scheduled jobs: run what is due (cron), list them.",
                  no_args_is_help=True)


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


def _moment(value: str | None) -> datetime:
    if value is None:
        return utcnow()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"expected an ISO date and time, got {value!r}") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@app.command("run")
@handles_errors
def run(
    now: Annotated[str | None, typer.Option(
        "--now", help="Run as of this moment (ISO, UTC unless it names a zone; default: now)")
    ] = None,
    job: Annotated[str | None, typer.Option("--job", help="Only this job")] = None,
) -> None:
    """Run every job that is due, each once however many processes try, then exit: status 0,
    or 1 when a job failed this time (it is tried again later, up to five attempts)."""
    moment = _moment(now)
    runs = service.run_due(session_factory(engine()), moment, only=job,
                           settings=get_settings())
    if not runs:
        typer.echo("nothing due")
    for r in runs:
        tail = (json.dumps(r.result, default=str) if r.ok and r.result is not None
                else r.error or "")
        typer.echo(f"{r.name} (due {r.due_at:%Y-%m-%d %H:%M} UTC, attempt {r.attempts}): "
                   f"{r.status} {tail}".rstrip())  # one line per run, unwrapped (cron mail)
    if any(not r.ok for r in runs):
        raise typer.Exit(1)


@app.command("list")
@handles_errors
def list_jobs(fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE) -> None:
    """Each job: its schedule, its latest run (status, attempts, last error), the next run."""
    with unit_of_work() as session:
        jobs = service.list_jobs(session, None, utcnow(), get_settings())
    if fmt is Format.JSON:
        typer.echo(json.dumps([j.model_dump(mode="json") for j in jobs], indent=2))
        return
    table = Table(title="Jobs (times in UTC)")
    for col in ("job", "schedule", "latest run", "status", "attempts", "next", "last error"):
        table.add_column(col)
    for j in jobs:
        table.add_row(j.name, j.schedule,
                      f"{j.due_at:%Y-%m-%d %H:%M}" if j.due_at else "never",
                      j.status or "—", str(j.attempts),
                      f"{j.next_at:%Y-%m-%d %H:%M}" if j.next_at else "—",
                      (j.last_error or "")[:80])
    console.print(table)
