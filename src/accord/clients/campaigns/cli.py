"""``accord campaigns create|list|show|result|export``: win-back campaigns from the shell (as
the operator, or as a user with ``--as EMAIL``: their reach applies)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

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
from accord.clients.campaigns import reading, service
from accord.clients.campaigns.rules import MAX_MONTHS, MIN_MONTHS
from accord.clients.campaigns.schemas import MAX_MEMBERS, ResultOut, from_text
from accord.core.schemas import MAX_ID

app = typer.Typer(help="Win-back campaigns: a list of individual clients frozen today, a "
                  "random holdout, follow-ups or an e-mail export, and the result later.",
                  no_args_is_help=True)
IdArgument = Annotated[int, typer.Argument(min=1, max=MAX_ID, help="The campaign's id")]
TodayOption = Annotated[str | None, typer.Option(
    "--today", help="Act as of this day (YYYY-MM-DD; default: today in your time zone)")]


def _print(text: str) -> None:
    console.print(text, highlight=False, markup=False, soft_wrap=True)


@app.command("create")
@handles_errors
def create(
    name: Annotated[str, typer.Argument(help="The campaign's name")],
    winback: Annotated[bool, typer.Option("--winback", help="The win-back list")] = False,
    at_risk: Annotated[bool, typer.Option("--at-risk", help="The at-risk list")] = False,
    best: Annotated[bool, typer.Option("--best", help="The best clients")] = False,
    segment: Annotated[str | None, typer.Option(
        "--segment", help="An RFM segment: alone, every client of it; with a list, that "
        "list narrowed to it")] = None,
    accounts: Annotated[str | None, typer.Option(
        "--accounts", help="Accounts named by id, separated by commas")] = None,
    holdout: Annotated[str | None, typer.Option(
        "--holdout", help="The share held out uncontacted, 0 to 0.9 (default 0)")] = None,
    follow_ups: Annotated[str | None, typer.Option(
        "--follow-ups", help="Create a follow-up per treatment member, due this day")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, max=MAX_MEMBERS,
                                              help="The first N of the list")] = None,
    min_value: Annotated[str | None, typer.Option(
        "--min-value", help="Only clients whose past value is at least this")] = None,
    manager: Annotated[int | None, typer.Option(
        "--manager", min=1, max=MAX_ID, help="Only this user's clients (their id)")] = None,
    months: Annotated[int, typer.Option("--result-months", min=MIN_MONTHS, max=MAX_MONTHS,
                                        help="Months the result counts by default")] = 3,
    today: TodayOption = None,
) -> None:
    """Freeze a list today as a campaign: one of --winback, --at-risk, --best, --accounts
    IDS, or --segment S alone (with a list, --segment narrows it)."""
    chosen = [s for s, on in (("winback", winback), ("at_risk", at_risk), ("best", best),
                              ("accounts", accounts is not None)) if on]
    if not chosen and segment is not None:
        chosen = ["segment"]
    if len(chosen) != 1:
        fail("give one of --winback, --at-risk, --best, --segment S, --accounts IDS", 2)
    data = from_text({"name": name, "source": chosen[0], "segment": segment,
                      "account_ids": accounts, "holdout": holdout,
                      "follow_ups_due_on": follow_ups, "limit": limit, "min_value": min_value,
                      "manager_id": manager, "result_months": months})
    with unit_of_work() as session:
        made = service.create_campaign(session, acting_user(session),
                                       data, acting_today(session, today))
    _print(f"campaign {made.id} '{made.name}' frozen on {made.frozen_on}: {made.members} "
           f"members, {made.treatment} treatment, {made.held_out} held out, "
           f"{made.follow_ups} follow-ups; left out of e-mail: {made.no_consent} without "
           f"consent, {made.suppressed} suppressed")


@app.command("list")
@handles_errors
def list_campaigns(page: Annotated[int, typer.Option("--page", min=1, max=100_000)] = 1,
                   fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE) -> None:
    """The campaigns you may see, newest first."""
    with unit_of_work() as session:
        listing = reading.list_campaigns(session, acting_user(session), page=page,
                                         page_size=200)
    if fmt is Format.JSON:
        typer.echo(listing.model_dump_json(indent=2))
        return
    if not listing.items:
        _print("No campaigns.")
        return
    table = Table(title=f"Campaigns ({listing.total})")
    for col in ("id", "name", "frozen on", "list", "members", "held out", "follow-ups",
                "no consent", "suppressed"):
        table.add_column(col)
    for c in listing.items:
        table.add_row(str(c.id), c.name, str(c.frozen_on), c.source, str(c.members),
                      str(c.held_out), str(c.follow_ups), str(c.no_consent), str(c.suppressed))
    console.print(table)


@app.command("show")
@handles_errors
def show(campaign: IdArgument,
         page: Annotated[int, typer.Option("--page", min=1, max=100_000)] = 1,
         fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE) -> None:
    """One campaign and a page of its members."""
    with unit_of_work() as session:
        detail = reading.show(session, acting_user(session), campaign, page=page,
                              page_size=200)
    if fmt is Format.JSON:
        typer.echo(detail.model_dump_json(indent=2))
        return
    _print(f"campaign {detail.id} '{detail.name}': {detail.source} frozen on "
           f"{detail.frozen_on}, holdout {detail.holdout}, {detail.members} members "
           f"({detail.treatment} treatment, {detail.held_out} held out), "
           f"{detail.follow_ups} follow-ups, {detail.no_consent} without consent, "
           f"{detail.suppressed} suppressed")
    table = Table(title=f"Members, page {detail.member_page.page} of "
                  f"{detail.member_page.pages}")
    for col in ("account", "name", "group", "P(alive)", "value", "excluded", "follow-up"):
        table.add_column(col)
    for m in detail.member_page.items:
        table.add_row(str(m.account_id), m.name, m.group, f"{m.p_alive:.3f}", str(m.value),
                      m.excluded or "", str(m.follow_up_id or ""))
    console.print(table)


def _result_table(out: ResultOut) -> None:
    window = f"{out.first_day} to {out.last_day}" + ("" if out.complete else " (so far)")
    _print(f"campaign {out.campaign_id}: purchases {window}, {out.months} months after "
           f"{out.frozen_on}")
    table = Table()
    for col in ("group", "members", "bought again", "share", "revenue", "per member"):
        table.add_column(col)
    for label, g in (("treatment", out.treatment), ("holdout", out.holdout)):
        if g is not None:
            table.add_row(label, str(g.members), str(g.buyers), str(g.share), str(g.revenue),
                          str(g.revenue_per_member))
    console.print(table)
    for label, d in (("share", out.share_difference),
                     ("revenue per member", out.revenue_difference)):
        if d is not None:
            _print(f"difference in {label}: {d.estimate} (95 % interval {d.low} to {d.high})")
    if out.share_difference is None:
        _print("no holdout: nothing to compare with")


@app.command("result")
@handles_errors
def result(campaign: IdArgument,
           months: Annotated[int | None, typer.Option("--months", min=MIN_MONTHS,
                                                      max=MAX_MONTHS)] = None,
           fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
           today: TodayOption = None) -> None:
    """The result: who bought again after the freeze, treatment against holdout."""
    with unit_of_work() as session:
        out = reading.result(session, acting_user(session), campaign, months,
                             acting_today(session, today))
    if fmt is Format.JSON:
        typer.echo(out.model_dump_json(indent=2))
        return
    _result_table(out)


@app.command("export")
@handles_errors
def export(campaign: IdArgument,
           file: Annotated[Path, typer.Argument(help="The CSV file to write")]) -> None:
    """The treatment group as CSV for an e-mail tool (name, email, p_alive, value)."""
    with unit_of_work() as session:
        text, counts = reading.export(session, acting_user(session), campaign)
    file.write_text(text, encoding="utf-8")
    said: dict[str, Any] = counts.model_dump()
    _print(f"wrote {said.pop('written')} clients to {file}; left out: "
           + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in said.items()))
