"""``accord users create|list|set-time-zone|token|tokens|revoke-token|logout-everywhere``: the
command-line door to ``accord.users.service`` (people named by e-mail; the operator acts as an
admin)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from accord.cli.common import acting_user, console, fail, handles_errors, unit_of_work
from accord.core import sessions as session_service
from accord.core.identity import get_user_by_email
from accord.core.schemas import MAX_ID
from accord.users import rules, service

users_app = typer.Typer(help="Users, roles and API tokens.", no_args_is_help=True)


@users_app.command("create")
@handles_errors
def users_create(
    email: str,
    role: Annotated[
        str, typer.Option("--role", help="admin, head, manager, billing, sales, viewer, specialist")
    ],
    name: Annotated[str | None, typer.Option("--name")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input")
    ] = False,
    segment: Annotated[str | None, typer.Option("--segment")] = None,
    capacity: Annotated[int, typer.Option("--capacity")] = rules.DEFAULT_CAPACITY,
) -> None:
    """Create a user. Without a password the user can only use API tokens."""
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
        if not password:
            fail("no password on standard input", 2)
    with unit_of_work() as session:
        user = service.create_user(
            session,
            acting_user(session),
            email=email,
            role=role,
            name=name,
            password=password,
            segment=segment,
            capacity=capacity,
        )
        console.print(f"created {user.role} {user.email} (id {user.id})", highlight=False)


@users_app.command("list")
@handles_errors
def users_list() -> None:
    """List users with their role, team and capacity."""
    with unit_of_work() as session:
        table = Table("id", "e-mail", "name", "role", "team", "segment", "time zone", "capacity",
                      "active")
        for row in service.list_users(session, acting_user(session)):
            u = row.user
            table.add_row(
                str(u.id),
                u.email,
                u.name,
                u.role,
                str(u.team_id or ""),
                u.segment or "",
                u.time_zone,
                str(u.capacity),
                "yes" if u.is_active else "no",
            )
        console.print(table)


@users_app.command("set-time-zone")
@handles_errors
def users_set_time_zone(
    email: str,
    zone: Annotated[str, typer.Argument(help="An IANA time zone, e.g. Europe/London")],
) -> None:
    """Set a user's time zone (their times are shown in it; their follow-ups' due times are
    read in it). One's own with ``--as``; the operator or an admin: anybody's. Audited."""
    with unit_of_work() as session:
        actor = acting_user(session)
        user = get_user_by_email(session, email)
        changed = service.set_time_zone(session, actor, user.id, zone)
        done = f"{changed.email}: time zone {changed.time_zone}"
    console.print(done, highlight=False, markup=False)


@users_app.command("token")
@handles_errors
def users_token(
    email: str, name: Annotated[str, typer.Option("--name", help="A label for the token")] = "cli"
) -> None:
    """Create an API token for a user and print it once (only its hash is stored)."""
    with unit_of_work() as session:
        actor = acting_user(session)
        user = get_user_by_email(session, email)
        token = service.issue_token(session, actor, user.id, name).token
    typer.echo(token)


@users_app.command("tokens")
@handles_errors
def users_tokens(email: str) -> None:
    """List a user's API tokens (never their secrets)."""
    with unit_of_work() as session:
        actor = acting_user(session)
        user = get_user_by_email(session, email)
        table = Table("id", "name", "starts with", "created", "last used", "revoked")
        for t in service.list_tokens(session, actor, user.id):
            table.add_row(
                str(t.id),
                t.name,
                f"{t.prefix}…",
                f"{t.created_at:%Y-%m-%d %H:%M}",
                f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "",
                f"{t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "",
            )
        console.print(table)


@users_app.command("revoke-token")
@handles_errors
def users_revoke_token(
    token_id: Annotated[int, typer.Argument(help="The token's id", min=1, max=MAX_ID)],
) -> None:
    """Revoke an API token (one's own; the operator or an admin: anybody's)."""
    with unit_of_work() as session:
        row = service.revoke_token(session, acting_user(session), token_id)
        done = f"token {row.id} ({row.name}) revoked"
    console.print(done, highlight=False, markup=False)


@users_app.command("logout-everywhere")
@handles_errors
def users_logout_everywhere(email: str) -> None:
    """End every browser session of a user (API tokens are not affected)."""
    with unit_of_work() as session:
        actor = acting_user(session)
        user = get_user_by_email(session, email)
        ended = session_service.log_out_everywhere(session, actor, user.id)
    console.print(
        f"{email}: {ended} session{'' if ended == 1 else 's'} ended", highlight=False
    )
