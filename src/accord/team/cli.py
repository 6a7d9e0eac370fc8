"""``accord team workload|settings``: workload and capacity from the shell (as the operator,
or as a user with ``--as EMAIL``: their visibility applies). ``app`` is the ``accord team``
group: the suggestions, moves, rebalance and scorecard commands are registered on it too
(``app.commands``)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from accord.cli.common import (
    Format,
    acting_today,
    acting_user,
    console,
    fail,
    handles_errors,
    unit_of_work,
)
from accord.team import settings, workload
from accord.team.rules import WARNINGS
from accord.team.schemas import WorkloadOut

app = typer.Typer(help="Team and capacity: each manager's workload against their capacity, "
                  "with warnings.", no_args_is_help=True)
TodayOption = Annotated[str | None, typer.Option(
    "--today", help="Act as of this day (YYYY-MM-DD; default: today in your time zone)")]


def _print(text: str) -> None:
    console.print(text, highlight=False, markup=False, soft_wrap=True)


def _table(out: WorkloadOut) -> None:
    table = Table(title=f"Workload on {out.today.isoformat()}")
    table.add_column("Manager", no_wrap=True,
                     min_width=max((len(m.email) for m in out.managers), default=7))
    for name in ("Team", "Load", "Accounts", "Key", "Coverage", "Overdue", "Warnings"):
        table.add_column(name, justify="left" if name in ("Team", "Warnings") else "right")
    for m in out.managers:
        table.add_row(
            m.email, m.team_name or "-", f"{m.points:,.2f} / {m.capacity}", f"{m.accounts:,}",
            str(m.key_accounts), "-" if m.coverage is None else f"{m.coverage * 100:.0f} %",
            str(m.overdue), ", ".join(WARNINGS[w].lower() for w in m.warnings) or "-")
    console.print(table)
    _print(f"{len(out.managers)} managers, {out.over_capacity} over capacity; "
           f"{out.points:,.2f} points of {out.capacity:,} capacity (hand-offs and briefs: "
           "--format json)")


@app.command("workload")
@handles_errors
def workload_command(
    team: Annotated[str | None, typer.Option(
        "--team", help="Only this team (its id or name)")] = None,
    format: Annotated[Format, typer.Option("--format", help="table or json")] = Format.TABLE,
    today: TodayOption = None,
) -> None:
    """Each manager's load against their capacity, with warnings (a head: their teams; a
    manager: their own; the operator or an admin: everyone)."""
    if team is not None and (not team.strip() or len(team) > 120):
        fail("--team: give a team's id or name (up to 120 characters)", 2)
    with unit_of_work() as session:
        user = acting_user(session)
        out = workload.workload(session, user, acting_today(session, today), team=team)
    if format is Format.JSON:
        _print(json.dumps(out.model_dump(mode="json"), indent=2))
    else:
        _table(out)


def _setting(pair: str) -> tuple[str, object]:
    key, sep, value = pair.partition("=")
    key, value = key.strip(), value.strip()
    if not sep or not key:
        fail(f"--set: expected name=value, got {pair[:60]!r}", 2)
    if value.isascii() and value.isdigit() and len(value) < 10:
        return key, int(value)
    return key, value


@app.command("settings")
@handles_errors
def settings_command(
    set_: Annotated[list[str] | None, typer.Option(
        "--set", help="Change a setting, e.g. --set strategic=12 (repeat for more; admins "
        "and heads)")] = None,
) -> None:
    """Show the team settings; with --set name=value, change those given."""
    given = dict(_setting(p) for p in set_ or [])
    with unit_of_work() as session:
        user = acting_user(session)
        policy = (settings.save_policy(session, user, given) if given
                  else settings.policy(session))
    if given:
        _print("team settings saved")
    for key, value in policy.to_dict().items():
        _print(f"{key}: {value}")
