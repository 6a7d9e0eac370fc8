"""The ``accord`` command: a thin shell over the same services the web app uses."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from accord.accounts.cli import app as accounts_app
from accord.agency.briefs.cli import app as briefs_app
from accord.agency.departments.cli import app as departments_app
from accord.agency.inputs.cli import app as inputs_app
from accord.agency.scorecard.cli import register as register_scorecard
from accord.app.operations_cli import db_app, serve
from accord.app.wiring import connect
from accord.audit.cli import app as audit_app
from accord.backup import cli as backup_cli
from accord.calendar.cadence.cli import app as cadence_app
from accord.calendar.cli import app as calendar_app
from accord.calendar.digest.cli import app as digest_app
from accord.calendar.events.cli import app as events_app
from accord.calendar.followups.cli import app as followups_app
from accord.calendar.jobs.cli import app as jobs_app
from accord.calendar.myday.cli import register as register_myday
from accord.calendar.renewals.cli import app as renewals_app
from accord.cli import common
from accord.clients.campaigns.cli import app as campaigns_app
from accord.clients.cli import app as clients_app
from accord.clients.list_cli import register as register_client_lists
from accord.clients.privacy.cli import register as register_client_privacy
from accord.demo.cli import demo
from accord.exchange.cli import export_app, import_app
from accord.glance.cli import register as register_glance
from accord.growth.cli import register as register_growth
from accord.growth.opportunities.cli import app as opportunities_app
from accord.handoffs.cli import app as handoffs_app
from accord.health.cli import register as register_health
from accord.kpis.cli import register as register_kpis
from accord.licences.seats.cli import app as seats_app
from accord.licences.subscriptions.cli import app as subscriptions_app
from accord.plans.cli import app as plans_app
from accord.plans.targets.cli import app as targets_app
from accord.proposals.cli import app as proposals_app
from accord.proposals.cli import company_app
from accord.relationships.cli import register as register_relationships
from accord.selection.cli import register as register_selection
from accord.team.assign_cli import register as register_team_moves
from accord.team.cli import app as team_app
from accord.team.scorecard_cli import register as register_scorecards
from accord.users.cli import users_app
from accord.users.teams_cli import teams_app


def register_capability_commands(app: typer.Typer) -> None:
    """Commands of the analytical capabilities (kpi, matrix, stages, health, decisions)."""
    for register in (register_kpis, register_selection, register_relationships, register_health):
        register(app)


app = typer.Typer(
    name="accord",
    help="Accord — key account management. Run 'accord COMMAND --help' for details.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _global(
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", envvar="ACCORD_DATABASE_URL", help="Overrides the setting."),
    ] = None,
    as_user: Annotated[
        str | None,
        typer.Option("--as", help="Act as this user (e-mail); their visibility applies."),
    ] = None,
) -> None:
    common.state.database_url = database_url
    common.state.as_user = as_user


app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(teams_app, name="teams")
register_glance(accounts_app)  # accord accounts show: one account at a glance
app.add_typer(accounts_app, name="accounts")
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")
app.add_typer(audit_app, name="audit")
app.add_typer(targets_app, name="targets")
app.add_typer(opportunities_app, name="opportunities")
app.add_typer(proposals_app, name="proposals")
app.add_typer(company_app, name="company")
app.add_typer(calendar_app, name="calendar")
app.add_typer(cadence_app, name="cadence")
app.add_typer(jobs_app, name="jobs")
app.add_typer(digest_app, name="digest")
app.add_typer(events_app, name="events")
app.add_typer(followups_app, name="followups")
app.add_typer(renewals_app, name="renewals")
app.add_typer(handoffs_app, name="handoffs")
register_scorecard(departments_app)  # accord departments scorecard
app.add_typer(departments_app, name="departments")
app.add_typer(briefs_app, name="briefs")
app.add_typer(inputs_app, name="inputs")
app.add_typer(subscriptions_app, name="subscriptions")
app.add_typer(seats_app, name="seats")
register_client_lists(clients_app)  # accord clients list|show
register_client_privacy(clients_app)  # accord clients consent|suppressions|erase
app.add_typer(clients_app, name="clients")
app.add_typer(campaigns_app, name="campaigns")
register_team_moves(team_app)  # accord team suggest|move|rebalance
register_scorecards(team_app)  # accord team scorecard
app.add_typer(team_app, name="team")
app.add_typer(plans_app, name="plans")
app.command("demo")(demo)
app.command("serve")(serve)
app.command("backup")(backup_cli.backup)
app.command("restore")(backup_cli.restore)

register_capability_commands(app)
register_growth(app)  # accord catalogue …, accord whitespace
register_myday(app)  # accord today, accord overdue
connect()  # the capabilities' listeners (app.wiring)


GLOBAL_OPTIONS = ("--database-url", "--as")


def hoist_global_options(argv: list[str]) -> list[str]:
    """Accept the global options anywhere on the line (``accord import ... --database-url X``)."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        name = arg.split("=", 1)[0]
        if name in GLOBAL_OPTIONS:
            if "=" in arg:
                front.append(arg)
            elif i + 1 < len(argv):
                front.extend(argv[i : i + 2])
                i += 1
            else:
                rest.append(arg)
        else:
            rest.append(arg)
        i += 1
    return front + rest


def main() -> None:
    app(args=hoist_global_options(sys.argv[1:]), prog_name="accord")


if __name__ == "__main__":
    main()
