"""``accord db``, ``accord users`` and ``accord serve``."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from accord.cli.common import acting_user, console, engine, fail, handles_errors, unit_of_work
from accord.core import sessions as session_service
from accord.core import users as user_service
from accord.core.migrate import upgrade as run_upgrade
from accord.core.models import Role
from accord.core.visibility import require_role

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
users_app = typer.Typer(help="Users, roles and API tokens.", no_args_is_help=True)


@db_app.command("upgrade")
@handles_errors
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision")] = "head") -> None:
    """Create or migrate the database schema to the latest version."""
    run_upgrade(engine(), revision)
    console.print(f"database at revision [bold]{revision}[/]")


@users_app.command("create")
@handles_errors
def users_create(
    email: str,
    role: Annotated[
        str, typer.Option("--role", help="admin, head, manager, billing, sales, viewer")
    ],
    name: Annotated[str | None, typer.Option("--name")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input")
    ] = False,
    segment: Annotated[str | None, typer.Option("--segment")] = None,
    capacity: Annotated[int, typer.Option("--capacity")] = 100,
) -> None:
    """Create a user. Without a password the user can only use API tokens."""
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
        if not password:
            fail("no password on standard input", 2)
    with unit_of_work() as session:
        actor = acting_user(session)
        require_role(actor, Role.ADMIN)
        user = user_service.create_user(
            session,
            actor if actor.id else None,
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
        require_role(acting_user(session), Role.ADMIN, Role.HEAD)
        table = Table("id", "e-mail", "name", "role", "team", "segment", "capacity", "active")
        for u in user_service.list_users(session):
            table.add_row(
                str(u.id),
                u.email,
                u.name,
                u.role,
                str(u.team_id or ""),
                u.segment or "",
                str(u.capacity),
                "yes" if u.is_active else "no",
            )
        console.print(table)


@users_app.command("token")
@handles_errors
def users_token(
    email: str, name: Annotated[str, typer.Option("--name", help="A label for the token")] = "cli"
) -> None:
    """Create an API token for a user and print it once (only its hash is stored)."""
    with unit_of_work() as session:
        actor = acting_user(session)
        user = user_service.get_user_by_email(session, email)
        if actor.id is not None and actor.id != user.id:
            require_role(actor, Role.ADMIN)
        token = user_service.create_token(session, actor if actor.id else None, user, name)
    typer.echo(token)


@users_app.command("logout-everywhere")
@handles_errors
def users_logout_everywhere(email: str) -> None:
    """End every browser session of a user (API tokens are not affected)."""
    with unit_of_work() as session:
        actor = acting_user(session)
        user = user_service.get_user_by_email(session, email)
        ended = session_service.log_out_everywhere(session, actor, user.id)
    console.print(
        f"{email}: {ended} session{'' if ended == 1 else 's'} ended", highlight=False
    )


def serve(
    host: Annotated[str | None, typer.Option("--host")] = None,
    port: Annotated[int | None, typer.Option("--port")] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, max=64, help="Worker processes (ACCORD_WORKERS, 1)"),
    ] = None,
) -> None:
    """Serve the web app and the API (uvicorn; several worker processes with --workers)."""
    from accord.cli.common import database_url
    from accord.core.settings import get_settings, is_loopback
    from accord.web.server import run, shared_database

    url = database_url()  # bad settings end here with a message and status 2
    settings = get_settings().model_copy(update={"database_url": url})
    host = host or settings.host
    port = port or settings.port
    if settings.mode == "development" and not is_loopback(host):  # S5
        fail(
            f"refusing to serve on {host} in development mode: it is for this machine only "
            "(127.0.0.1). To serve others, set ACCORD_MODE=production and ACCORD_SECRET_KEY "
            "(or ACCORD_SECRET_KEY_FILE), behind HTTPS",
            2,
        )
    console.print(f"Accord on [bold]http://{host}:{port}[/]  (Ctrl+C to stop)", highlight=False)
    workers = workers or settings.workers
    if workers > 1 and not shared_database(settings.database_url):
        fail("an in-memory SQLite database cannot be shared by several workers", 2)
    run(settings, host, port, workers)
