"""Running the app under uvicorn (``accord serve``): one process or several workers.

Several workers share the listening socket; each builds its own app and database engine
from the settings, which it reads from the environment (the parent puts the database URL
given on the command line there). Accord's JSON access log (``accord.access``) goes to
standard output, one line per request; uvicorn's own access log is off while it is on.
"""

from __future__ import annotations

import copy
import os
from typing import Any

from accord.core.settings import Settings
from accord.web.access_log import LOGGER_NAME


def log_config(access_log: bool) -> dict[str, Any]:
    """uvicorn's logging configuration plus a bare-message handler for the access log."""
    from uvicorn.config import LOGGING_CONFIG  # here: the accord command starts without uvicorn

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["accord_access"] = {"format": "%(message)s"}
    config["handlers"]["accord_access"] = {
        "class": "logging.StreamHandler",
        "formatter": "accord_access",
        "stream": "ext://sys.stdout",
    }
    config["loggers"][LOGGER_NAME] = {
        "handlers": ["accord_access"],
        "level": "INFO" if access_log else "WARNING",
        "propagate": False,
    }
    return config


def shared_database(url: str) -> bool:
    """False for an in-memory SQLite database, which each process would have on its own."""
    return not (url in ("sqlite://", "sqlite:///") or ":memory:" in url or "mode=memory" in url)


#: seconds an idle keep-alive connection stays open (longer than clients keep theirs idle)
KEEP_ALIVE_SECONDS = 75


def run(settings: Settings, host: str, port: int, workers: int) -> None:
    """Serve until stopped (Ctrl+C or SIGTERM)."""
    import uvicorn  # here: the accord command starts without uvicorn

    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": "warning",
        "log_config": log_config(settings.access_log),
        "access_log": not settings.access_log,
        # an idle connection is kept this long (uvicorn's default is 5 s): a client that
        # reuses one just as the server closes it sees a broken connection, which a busy
        # server's late timers made likely (the load benchmark's 50 users on 100,000 accounts)
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
    }
    if workers <= 1:
        # imported here: with --workers the parent never builds the app, each worker does
        from accord.app.asgi import create_app

        uvicorn.run(create_app(settings), **options)
        return
    os.environ["ACCORD_DATABASE_URL"] = settings.database_url
    uvicorn.run("accord.app.asgi:create_app", factory=True, workers=workers, **options)
