"""``accord db`` and ``accord serve``."""

from __future__ import annotations

from typing import Annotated

import typer

from accord.app.server import run, shared_database
from accord.cli.common import console, database_url, engine, fail, handles_errors
from accord.core.migrate import upgrade as run_upgrade
from accord.core.settings import get_settings, is_loopback

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


@db_app.command("upgrade")
@handles_errors
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision")] = "head") -> None:
    """Create or migrate the database schema to the latest version."""
    run_upgrade(engine(), revision)
    console.print(f"database at revision [bold]{revision}[/]")


def serve(
    host: Annotated[str | None, typer.Option("--host")] = None,
    port: Annotated[int | None, typer.Option("--port")] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, max=64, help="Worker processes (ACCORD_WORKERS, 1)"),
    ] = None,
) -> None:
    """Serve the web app and the API (uvicorn; several worker processes with --workers)."""
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
    if settings.scheduler:  # ACCORD_SCHEDULER: each worker runs the due jobs (docs/jobs.md)
        console.print("scheduler on: the due jobs run every minute", highlight=False)
    workers = workers or settings.workers
    if workers > 1 and not shared_database(settings.database_url):
        fail("an in-memory SQLite database cannot be shared by several workers", 2)
    run(settings, host, port, workers)
