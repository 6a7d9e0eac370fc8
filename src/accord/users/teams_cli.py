"""``accord teams list|create|rename|set-head|add-member|remove-member|delete``.

A team is named by its id or its name (any case); people by their e-mail.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from accord.cli.common import acting_user, console, fail, handles_errors, unit_of_work
from accord.core.identity import get_user_by_email
from accord.users import teams as team_service

teams_app = typer.Typer(help="Teams: names, heads and members.", no_args_is_help=True)

Team = Annotated[str, typer.Argument(help="The team's id or name")]
Email = Annotated[str, typer.Argument(help="The user's e-mail")]


def _say(text: str) -> None:
    console.print(text, highlight=False, markup=False)


@teams_app.command("list")
@handles_errors
def teams_list() -> None:
    """List teams with their head and number of members (a head sees their own)."""
    with unit_of_work() as session:
        table = Table("id", "name", "head", "members")
        for t in team_service.list_teams(session, acting_user(session)):
            table.add_row(str(t.id), t.name, t.head.email if t.head else "", str(t.member_count))
        console.print(table)


@teams_app.command("show")
@handles_errors
def teams_show(team: Team) -> None:
    """A team's head and members."""
    with unit_of_work() as session:
        found = team_service.find_team(session, acting_user(session), team)
        _say(f"{found.name} (id {found.id}), head: {found.head.email if found.head else 'none'}")
        for member in found.members:
            _say(f"  {member.email}  {member.name}  {member.role}")


@teams_app.command("create")
@handles_errors
def teams_create(
    name: Annotated[str, typer.Argument(help="A name unique whatever its case")],
    head: Annotated[str | None, typer.Option("--head", help="The head's e-mail")] = None,
) -> None:
    """Create a team, optionally with its head (an active head or admin)."""
    with unit_of_work() as session:
        actor = acting_user(session)
        head_id = get_user_by_email(session, head).id if head else None
        created = team_service.create_team(session, actor, name, head_id)
        _say(f"created team {created.name} (id {created.id})")


@teams_app.command("rename")
@handles_errors
def teams_rename(team: Team, new_name: Annotated[str, typer.Argument(help="The new name")]) -> None:
    """Rename a team."""
    with unit_of_work() as session:
        actor = acting_user(session)
        found = team_service.find_team(session, actor, team)
        renamed = team_service.rename_team(session, actor, found.id, new_name)
        _say(f"team {found.name} renamed to {renamed.name}")


@teams_app.command("set-head")
@handles_errors
def teams_set_head(
    team: Team,
    email: Annotated[str | None, typer.Argument(help="The new head's e-mail")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Leave the team without a head")] = False,
) -> None:
    """Set a team's head, or clear it with --clear."""
    if (email is None) == (not clear):
        fail("give the new head's e-mail, or --clear", 2)
    with unit_of_work() as session:
        actor = acting_user(session)
        found = team_service.find_team(session, actor, team)
        head_id = get_user_by_email(session, email).id if email else None
        changed = team_service.set_head(session, actor, found.id, head_id)
        _say(f"team {changed.name}: head {changed.head.email if changed.head else 'none'}")


@teams_app.command("add-member")
@handles_errors
def teams_add_member(team: Team, email: Email) -> None:
    """Put a user in a team (a user in another team moves: one team per user)."""
    with unit_of_work() as session:
        actor = acting_user(session)
        found = team_service.find_team(session, actor, team)
        user = get_user_by_email(session, email)
        change = team_service.add_member(session, actor, found.id, user.id)
        if not change.changed:
            _say(f"{user.email} is already in team {found.name}")
        elif change.left_team:
            _say(f"{user.email} moved from team {change.left_team} to team {found.name}")
        else:
            _say(f"{user.email} added to team {found.name}")


@teams_app.command("remove-member")
@handles_errors
def teams_remove_member(team: Team, email: Email) -> None:
    """Take a user out of a team."""
    with unit_of_work() as session:
        actor = acting_user(session)
        found = team_service.find_team(session, actor, team)
        user = get_user_by_email(session, email)
        team_service.remove_member(session, actor, found.id, user.id)
        _say(f"{user.email} removed from team {found.name}")


@teams_app.command("delete")
@handles_errors
def teams_delete(team: Team) -> None:
    """Delete an empty team."""
    with unit_of_work() as session:
        actor = acting_user(session)
        found = team_service.find_team(session, actor, team)
        team_service.delete_team(session, actor, found.id)
        _say(f"deleted team {found.name}")
