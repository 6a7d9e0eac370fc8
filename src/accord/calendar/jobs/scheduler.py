"""The in-process scheduler of ``accord serve`` (``ACCORD_SCHEDULER=true``): a background
thread that calls ``service.run_due`` every minute, started and stopped with the app
(``lifespan``). Several workers or servers may each run one, next to a cron ``accord jobs
run``: the jobs table lets each job run once (``service``)."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from sqlalchemy.orm import Session, sessionmaker

from accord.calendar.jobs.service import run_due
from accord.core.database import utcnow
from accord.core.settings import Settings

log = logging.getLogger(__name__)
#: seconds between two looks at the jobs table
INTERVAL_SECONDS = 60.0
#: the longest shutdown waits for a running job before leaving it (its claim goes stale and
#: another process takes it over)
STOP_WAIT_SECONDS = 30.0


class Scheduler:
    def __init__(self, sessions: sessionmaker[Session], settings: Settings,
                 interval: float = INTERVAL_SECONDS, only: str | None = None) -> None:
        self.sessions = sessions
        self.only = only
        self.settings = settings
        self.interval = interval
        self.ticks = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="accord-scheduler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def tick(self) -> None:
        """One look: run what is due (a failure is logged; the job itself is retried)."""
        try:
            for run in run_due(self.sessions, utcnow(), only=self.only,
                               settings=self.settings):
                level = logging.INFO if run.ok else logging.WARNING
                log.log(level, "job %s (due %s): %s%s", run.name, run.due_at, run.status,
                        f" - {run.error}" if run.error else "")
        except Exception:
            log.exception("the scheduler could not run the due jobs")
        finally:
            self.ticks += 1

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.tick()
            self._stop.wait(self.interval)

    def stop(self, wait: float = STOP_WAIT_SECONDS) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=wait)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    """The app's lifespan: the scheduler runs while it serves, when the setting says so."""
    settings: Settings = app.state.settings
    scheduler = None
    if settings.scheduler:
        scheduler = Scheduler(app.state.sessions, settings)
        scheduler.start()
    app.state.scheduler = scheduler
    try:
        yield
    finally:
        if scheduler is not None:
            await anyio.to_thread.run_sync(scheduler.stop)
        app.state.scheduler = None
