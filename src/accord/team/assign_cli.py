"""``accord team suggest|move|rebalance``: who should take an account, giving it to another
manager, and the rebalance proposal (applied with ``--apply``). As the operator, or as a
head or an admin with ``--as EMAIL`` (their teams then apply). Each command parses its
options, calls one function of ``team.suggest`` or ``team.moves`` and prints."""

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
from accord.team import moves, suggest
from accord.team.moves import MAX_REASON, Applied, Proposal
from accord.team.suggest import AccountSuggestions

TodayOption = Annotated[str | None, typer.Option(
    "--today", help="Act as of this day (YYYY-MM-DD; default: today in your time zone)")]
AccountOption = Annotated[str, typer.Option(
    "--account", help="The account: its id or external id")]


def _print(text: str) -> None:
    console.print(text, highlight=False, markup=False, soft_wrap=True)


def _check_text(option: str, value: str | None, longest: int) -> None:
    if value is not None and (not value.strip() or len(value) > longest):
        fail(f"{option}: give 1 to {longest} characters", 2)


def _suggestions(out: AccountSuggestions) -> None:
    _print(f"{out.account_name} (account {out.account_id}): {out.segment or 'no segment'}, "
           f"{out.tier}{', key account' if out.key else ''}, {out.points:,.2f} points; "
           f"managed by {out.manager_name or 'nobody'}")
    if not out.suggestions:
        _print("No manager you may give it to serves its segment.")
    table = Table(title="Who should take it")
    for name in ("#", "Manager", "Team", "Now", "After", "Capacity", "Key", "Why"):
        table.add_column(name, justify="right" if name in ("#", "Now", "After", "Capacity",
                                                           "Key") else "left")
    for n, s in enumerate(out.suggestions, start=1):
        table.add_row(str(n), s.email, s.team_name or "-", f"{s.points:,.2f}",
                      f"{s.points_after:,.2f}", str(s.capacity), str(s.key_accounts),
                      "; ".join(s.reasons))
    if out.suggestions:
        console.print(table)
    if out.other_segments:
        _print(f"{out.other_segments} other manager(s) serve another segment: a move to them "
               "needs --reason.")


def _proposal(out: Proposal, applied: Applied | None) -> None:
    table = Table(title=f"Rebalance on {out.today.isoformat()}")
    for name in ("Account", "Tier", "Points", "From", "To"):
        table.add_column(name, justify="right" if name == "Points" else "left")
    for m in out.moves:
        table.add_row(m.account_name, m.tier + (" (key)" if m.key else ""),
                      f"{m.points:,.2f}", m.from_manager, m.to_manager)
    if out.moves:
        console.print(table)
    loads = Table(title="Loads before and after")
    for name in ("Manager", "Capacity", "Now", "After"):
        loads.add_column(name, justify="left" if name == "Manager" else "right")
    for b in out.managers:
        loads.add_row(b.email, str(b.capacity), f"{b.before:,.2f}", f"{b.after:,.2f}")
    console.print(loads)
    _print(f"{len(out.moves)} moves ({out.key_moves} of key accounts); over capacity: "
           f"{out.over_before} now, {len(out.still_over)} after")
    if applied is not None:
        _print(f"applied: {len(applied.moves)} moves, "
               f"{sum(1 for m in applied.moves if m.handoff_id)} hand-offs open")
    elif out.moves:
        _print("nothing changed: add --apply to make these moves")


def register(app: typer.Typer) -> None:
    """Adds ``suggest``, ``move`` and ``rebalance`` to ``accord team``."""

    @app.command("suggest")
    @handles_errors
    def suggest_command(
        account: AccountOption,
        format: Annotated[Format, typer.Option("--format", help="table or json")] = Format.TABLE,
        today: TodayOption = None,
    ) -> None:
        """The managers who could take the account, the most room left first, with the
        reasons (heads: their teams; admins and the operator: everyone)."""
        _check_text("--account", account, 120)
        with unit_of_work() as session:
            out = suggest.suggestions_for(session, acting_user(session),
                                          acting_today(session, today), account)
        if format is Format.JSON:
            _print(json.dumps(out.model_dump(mode="json"), indent=2))
        else:
            _suggestions(out)

    @app.command("move")
    @handles_errors
    def move_command(
        account: AccountOption,
        to: Annotated[str, typer.Option("--to", help="The new manager's e-mail")],
        reason: Annotated[str | None, typer.Option(
            "--reason", help="Why (needed for a manager of another segment)")] = None,
        today: TodayOption = None,
    ) -> None:
        """Give the account to another manager: a hand-off from its manager opens; audited."""
        _check_text("--account", account, 120)
        _check_text("--to", to, 254)
        _check_text("--reason", reason, MAX_REASON)
        with unit_of_work() as session:
            out = moves.move_by_reference(session, acting_user(session),
                                          acting_today(session, today), account, to, reason)
        handoff = f"; hand-off #{out.handoff_id} is open to them" if out.handoff_id else ""
        _print(f"{out.account_name} moved from {out.from_manager or 'nobody'} to "
               f"{out.to_manager}{handoff}")

    @app.command("rebalance")
    @handles_errors
    def rebalance_command(
        team: Annotated[str | None, typer.Option(
            "--team", help="Only this team (its id or name)")] = None,
        apply: Annotated[bool, typer.Option(
            "--apply", help="Make every proposed move (one transaction)")] = False,
        format: Annotated[Format, typer.Option("--format", help="table or json")] = Format.TABLE,
        today: TodayOption = None,
    ) -> None:
        """The moves that bring every manager within capacity, fewest key accounts moved
        first; nothing changes without --apply."""
        _check_text("--team", team, 120)
        with unit_of_work() as session:
            proposal, applied = moves.rebalance_and_apply(
                session, acting_user(session), acting_today(session, today), team=team,
                apply_moves=apply)
        if format is Format.JSON:
            _print(json.dumps({"proposal": proposal.model_dump(mode="json"),
                               "applied": applied.model_dump(mode="json") if applied else None},
                              indent=2))
        else:
            _proposal(proposal, applied)
