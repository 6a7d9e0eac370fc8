"""A probe job for the jobs tests: each run appends an audit entry (entity ``job_probe``),
so a test counts the runs that committed."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.calendar.jobs import registry
from accord.core import audit
from accord.core.models import AuditEntry

PROBE = "job_probe"


def probe_body(pause: float = 0.0, fail: Callable[[], bool] | None = None
               ) -> Callable[[Session, date], dict[str, Any]]:
    def run(session: Session, today: date) -> dict[str, Any]:
        audit.record(session, None, "run", PROBE, today.isoformat())
        session.flush()
        if pause:
            time.sleep(pause)
        if fail is not None and fail():
            raise RuntimeError("the probe failed on purpose")
        return {"day": today, "ok": True}
    return run


def register_probe(every: Any = registry.DAILY, **kw: Any) -> None:
    registry.register(PROBE, every, probe_body(**kw))


def probe_runs(session: Session) -> int:
    return int(session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == PROBE)) or 0)


def hold_job_clock(monkeypatch: Any, before: datetime) -> None:
    """The jobs service stamps claims and ends with max(now, the real time): tests that run
    jobs as of a fixed ``now`` hold its real clock just ``before`` it, so that they do not
    change once the real day reaches their fixed one (they did, on 2026-12-07)."""
    from accord.calendar.jobs import service

    monkeypatch.setattr(service, "utcnow", lambda: before)
