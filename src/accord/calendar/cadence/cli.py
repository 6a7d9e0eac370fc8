"""``accord cadence show|set|account|override|clear|coverage``: the contact cadence from the
shell (changing the policy: admins; an override: writers who may change the account)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from accord.calendar.cadence import service
from accord.calendar.cadence.rules import STAGES, TIERS
from accord.calendar.cadence.schemas import AccountCadenceOut, OverrideIn
from accord.cli.common import acting_user, console, fail, handles_errors, unit_of_work
from accord.selection.cli import TodayOption, _today

app = typer.Typer(help="The contact cadence: touch and review intervals, coverage.",
                  no_args_is_help=True)
MAX_ID = 2_147_483_647
DaysOption = Annotated[int | None, typer.Option(min=0, max=1_000_000)]


def _days(value: int | None) -> str:
    return f"{value} d" if value is not None else "none"


@app.command("show")
@handles_errors
def show(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The cadence policy: intervals per tier (and tier × stage), the state ratios."""
    with unit_of_work() as session:
        policy = service.get_policy(session, acting_user(session))
    if as_json:
        typer.echo(json.dumps(policy.to_dict(), indent=2))
        return
    table = Table("tier", "stage", "touch every", "review every")
    for t in TIERS:
        spec = policy.tiers.get(t)
        table.add_row(t, "", _days(spec.touch_days if spec else None),
                      _days(spec.review_days if spec else None))
        for stage, entry in sorted(policy.stages.get(t, {}).items()):
            table.add_row(t, stage, _days(entry.touch_days), _days(entry.review_days))
    console.print(table)
    console.print(f"due from {policy.due_ratio} × the interval, neglected past "
                  f"{policy.neglected_ratio} ×", highlight=False)


@app.command("set")
@handles_errors
def set_policy(
    tier: Annotated[str | None, typer.Option("--tier", help=", ".join(TIERS))] = None,
    stage: Annotated[str | None, typer.Option(
        "--stage", help="With --tier: that tier's accounts at this stage (" + ", ".join(STAGES)
        + ")")] = None,
    touch_days: DaysOption = None,
    review_days: DaysOption = None,
    no_touch: Annotated[bool, typer.Option("--no-touch", help="No touch interval")] = False,
    no_review: Annotated[bool, typer.Option("--no-review", help="No business reviews")] = False,
    remove: Annotated[bool, typer.Option("--remove", help="Remove the tier × stage entry")] = False,
    due_ratio: Annotated[str | None, typer.Option("--due-ratio", help="e.g. 0.8")] = None,
    neglected_ratio: Annotated[str | None, typer.Option("--neglected-ratio", help="e.g. 2")] = None,
) -> None:
    """Change the cadence policy (admins). An interval of 0 is refused."""
    change: dict[str, Any] = {}
    spec: dict[str, Any] = {}
    if touch_days is not None or no_touch:
        spec["touch_days"] = None if no_touch else touch_days
    if review_days is not None or no_review:
        spec["review_days"] = None if no_review else review_days
    if stage is not None and tier is None:
        fail("--stage needs --tier", 2)
    if tier is not None:
        if stage is not None:
            change["stages"] = {tier: {stage: None if remove else spec}}
        elif spec:
            change["tiers"] = {tier: spec}
    elif spec:
        fail("--touch-days/--review-days need --tier", 2)
    for key, value in (("due_ratio", due_ratio), ("neglected_ratio", neglected_ratio)):
        if value is not None:
            change[key] = value
    if not change:
        fail("nothing to change", 2)
    with unit_of_work() as session:
        service.update_policy(session, acting_user(session), change)
    console.print("cadence saved", highlight=False)


def _print(out: AccountCadenceOut) -> None:
    console.print(f"{out.account_name} (#{out.account_id}): {out.tier}"
                  + (f", stage {out.stage}" if out.stage else ""), highlight=False, markup=False)
    console.print(f"touch every {_days(out.touch_days)}, review every {_days(out.review_days)}"
                  f" (from {out.source})", highlight=False)
    console.print(f"last qualifying touch {out.last_touch_on or 'never'}, next due "
                  f"{out.next_touch_on or '—'}: {out.state}", highlight=False)
    if out.override:
        console.print(f"own cadence: {out.override.reason}", highlight=False, markup=False)


@app.command("account")
@handles_errors
def account(
    account_id: Annotated[int, typer.Argument(min=1, max=MAX_ID, metavar="ACCOUNT")],
    today: TodayOption = None,
) -> None:
    """One account's cadence: interval, where from, last touch, next due, state."""
    with unit_of_work() as session:
        out = service.account_cadence(session, acting_user(session), account_id, _today(today))
    _print(out)


@app.command("override")
@handles_errors
def override(
    account_id: Annotated[int, typer.Argument(min=1, max=MAX_ID, metavar="ACCOUNT")],
    reason: Annotated[str, typer.Option("--reason", help="Why (required)")],
    touch_days: DaysOption = None,
    review_days: DaysOption = None,
    reports_only: Annotated[bool, typer.Option(
        "--reports-only", help="No touch interval")] = False,
    today: TodayOption = None,
) -> None:
    """Give ACCOUNT its own cadence (--touch-days N, or --reports-only) with a reason."""
    if touch_days is None and not reports_only:
        fail("give --touch-days N or --reports-only", 2)
    data = OverrideIn(touch_days=None if reports_only else touch_days,
                      review_days=review_days, reason=reason)
    with unit_of_work() as session:
        out = service.set_override(session, acting_user(session), account_id, data,
                                   _today(today))
    _print(out)


@app.command("clear")
@handles_errors
def clear(
    account_id: Annotated[int, typer.Argument(min=1, max=MAX_ID, metavar="ACCOUNT")],
    today: TodayOption = None,
) -> None:
    """ACCOUNT follows the cadence policy again."""
    with unit_of_work() as session:
        out = service.clear_override(session, acting_user(session), account_id, _today(today))
    _print(out)


@app.command("coverage")
@handles_errors
def coverage(
    by: Annotated[str | None, typer.Option("--by", help="manager, segment or tier")] = None,
    today: TodayOption = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Coverage: share of key accounts touched within their interval (reports only left out)."""
    with unit_of_work() as session:
        out = service.coverage(session, acting_user(session), _today(today), by)
    if as_json:
        typer.echo(out.model_dump_json(indent=2))
        return
    table = Table(by or "key accounts", "coverage", "covered", "accounts", "reports only")
    for row in [*out.groups, out.total]:
        shown = f"{row.share * 100:.1f} %" if row.share is not None else "—"
        table.add_row(row.label, shown, str(row.covered), str(row.accounts),
                      str(row.reports_only))
    console.print(table)
