"""The jobs' samples for the route-table test: a finished and a failed run (the jobs page
and ``GET /api/v1/jobs`` show them; they name no account, so nobody sees more than a job)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from accord.calendar.models import Job


def add(session: Session, cast: Any, ids: dict[str, int], sales_id: int) -> dict[str, int]:
    at = datetime(2026, 12, 1, 6, tzinfo=UTC)
    session.add_all([
        Job(name="health_recompute", due_at=at, status="done", attempts=1,
            claimed_by="route-test:1", claimed_at=at, finished_at=at, result={"accounts": 2}),
        Job(name="digest", due_at=at, status="failed", attempts=5, claimed_by="route-test:1",
            claimed_at=at, finished_at=at, last_error="SMTPServerDisconnected: gone"),
    ])
    session.flush()
    return {}
