"""``accord plans show|export``: an account's current plan on screen or as a file;
``accord plans settings``: the plans settings (review interval, share-link life)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from accord.cli.common import acting_user, console, fail, handles_errors, unit_of_work
from accord.plans import service, settings
from accord.plans.export import plan_json, plan_markdown
from accord.plans.schemas import PlanOut
from accord.selection.cli import TodayOption, _today

app = typer.Typer(help="Account plans: show or export an account's current plan.",
                  no_args_is_help=True)

AccountArg = Annotated[
    str, typer.Argument(metavar="ACCOUNT", help="Account id or external id")
]


class ShowFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


class ExportFormat(StrEnum):
    JSON = "json"
    MD = "md"


def _current(ref: str, today: TodayOption) -> PlanOut:
    day = _today(today)
    with unit_of_work() as session:
        user = acting_user(session)
        account_id = service.account_ref(session, user, ref)
        plan = service.current_plan(session, user, account_id, today=day)
    if plan is None:
        fail(f"account {ref} has no plan yet")
        raise AssertionError  # unreachable: fail() exits
    return plan


def _pct(value: object) -> str:
    return "—" if value is None else f"{float(value) * 100:.0f} %"  # type: ignore[arg-type]


@handles_errors
def show(
    account: AccountArg,
    fmt: Annotated[ShowFormat, typer.Option("--format")] = ShowFormat.TEXT,
    today: TodayOption = None,
) -> None:
    """The account's current plan: sections, key people, objectives with progress."""
    plan = _current(account, today)
    if fmt is ShowFormat.JSON:
        typer.echo(plan_json(plan), nl=False)
        return
    stale = " — review overdue" if plan.stale else ""
    console.print(
        f"[bold]{plan.account_name}[/]: plan {plan.starts_on} – {plan.ends_on} "
        f"({plan.horizon_months} months), completeness {_pct(plan.completeness)}, "
        f"last reviewed {plan.last_reviewed_on or 'never'}{stale}",
        highlight=False,
    )
    for label, lines in (("Goals", plan.goals), ("Pain points", plan.pain_points),
                         ("Risks", plan.risks)):
        if lines:
            console.print(f"[bold]{label}[/]: " + "; ".join(lines), highlight=False)
    if plan.key_people:
        people = Table(title="Key people")
        for col in ("person", "buying role", "reports to"):
            people.add_column(col)
        for p in plan.key_people:
            people.add_row(p.name, p.buying_role or "—", p.reports_to_name or "—")
        console.print(people)
    objectives = Table(title="Objectives")
    for col in ("objective", "metric", "baseline", "target", "now", "progress", "due",
                "open actions"):
        objectives.add_column(col)
    for o in plan.objectives:
        objectives.add_row(
            o.title, o.metric_label, str(o.baseline or "—"), str(o.target or "—"),
            str(o.current if o.current is not None else "—"), _pct(o.progress),
            str(o.due_on or "—"),
            str(sum(1 for a in o.actions if a.status == "open")),
        )
    console.print(objectives)
    if plan.overdue_actions:
        console.print(f"{plan.overdue_actions} overdue action(s)", highlight=False)


@handles_errors
def export(
    account: AccountArg,
    fmt: Annotated[ExportFormat, typer.Option("--format")] = ExportFormat.MD,
    output: Annotated[
        Path | None, typer.Option("--output", help="Write to this file (default: stdout)")
    ] = None,
    today: TodayOption = None,
) -> None:
    """The account's current plan as Markdown or JSON."""
    plan = _current(account, today)
    text = plan_json(plan) if fmt is ExportFormat.JSON else plan_markdown(plan)
    if output is None:
        typer.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    console.print(f"plan of {plan.account_name} written to {output}", highlight=False)


app.command("show")(show)
app.command("export")(export)


@app.command("settings")
@handles_errors
def settings_command(
    review_interval_days: Annotated[int | None, typer.Option(
        "--review-interval-days", min=0, max=100_000,
        help="A plan not reviewed for longer is flagged stale")] = None,
    share_link_days: Annotated[int | None, typer.Option(
        "--share-link-days", min=0, max=100_000,
        help="A new link shared with the client lasts this many days")] = None,
) -> None:
    """Show the plans settings; with options, change those given (admins and heads)."""
    given = {k: v for k, v in {"review_interval_days": review_interval_days,
                               "share_link_days": share_link_days}.items() if v is not None}
    with unit_of_work() as session:
        user = acting_user(session)
        policy = (settings.save_plans_policy(session, user, given) if given
                  else settings.plans_policy(session))
    if given:
        console.print("plans settings saved", highlight=False)
    for key, value in policy.to_dict().items():
        console.print(f"{key}: {value}", highlight=False)
