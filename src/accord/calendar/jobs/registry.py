"""The jobs Accord runs on a schedule: a name, how often, and what to run.

``register(name, every, run)``: ``every`` is a ``timedelta`` (runs in slots of that length
counted from 1970-01-01 00:00 UTC: every 15 minutes runs at :00, :15, :30, :45) or
``"daily"`` (once a day at ``ACCORD_JOB_DAILY_HOUR`` UTC). ``run(session, today)`` does the
work in the session's transaction (the run's own, committed with its "done" mark) and
answers a small JSON-able dict, kept as the run's result. The built-in jobs are registered
by ``accord.calendar.jobs.builtin.connect`` (called by ``app.wiring.connect``).

The slot arithmetic (``slot_start``) is pure: the service (``service.run_due``) passes the
moment in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy.orm import Session

DAILY: Literal["daily"] = "daily"
Every = timedelta | Literal["daily"]
JobBody = Callable[[Session, date], dict[str, Any]]
#: job names: lower case, digits and underscores (they are stored, shown and typed)
NAME = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class JobSpec:
    name: str
    every: Every
    run: JobBody

    def schedule(self, daily_hour: int) -> str:
        """How often, in words: ``daily at 06:00 UTC``, ``every 15 min``."""
        if self.every == DAILY:
            return f"daily at {daily_hour:02d}:00 UTC"
        assert isinstance(self.every, timedelta)
        seconds = int(self.every.total_seconds())
        if seconds % 3600 == 0:
            return f"every {seconds // 3600} h"
        if seconds % 60 == 0:
            return f"every {seconds // 60} min"
        return f"every {seconds} s"


_jobs: dict[str, JobSpec] = {}


def register(name: str, every: Every, run: JobBody) -> None:
    """Add (or replace: registering is idempotent) the job ``name``."""
    if not NAME.match(name):
        raise ValueError(f"job name {name!r}: lower-case letters, digits and _, at most 60")
    if every != DAILY and not (isinstance(every, timedelta) and every >= timedelta(minutes=1)):
        raise ValueError("every: 'daily' or a timedelta of at least a minute")
    _jobs[name] = JobSpec(name, every, run)


def unregister(name: str) -> None:
    _jobs.pop(name, None)


def jobs() -> list[JobSpec]:
    """The registered jobs, in the order they were registered (the order their rows of one
    slot are made, and so run: the digest, registered last, reads what the others wrote)."""
    return list(_jobs.values())


def get(name: str) -> JobSpec | None:
    return _jobs.get(name)


def slot_start(every: Every, now: datetime, daily_hour: int) -> datetime:
    """The start of the slot ``now`` falls in: the latest run time at or before ``now``."""
    now = now.astimezone(UTC)
    if every == DAILY:
        today_at = datetime.combine(now.date(), datetime.min.time(), UTC).replace(
            hour=daily_hour)
        return today_at if now >= today_at else today_at - timedelta(days=1)
    assert isinstance(every, timedelta)
    step = every // timedelta(microseconds=1)
    elapsed = (now - EPOCH) // timedelta(microseconds=1)
    return EPOCH + timedelta(microseconds=elapsed - elapsed % step)
