"""The scheduled job of client inputs: ``input_chases`` (daily) runs ``chasing.run_chases``
— due chases become follow-ups on their owners' My day (and so in the digest), the
(N+1)-th goes to the head. ``connect()`` registers it (``app.wiring``), before the digest so
that the day's digest lists the day's chases."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from accord.agency.inputs.chasing import JOB, run_chases
from accord.calendar.jobs import registry


def input_chases(session: Session, today: date) -> dict[str, Any]:
    return run_chases(session, today)


def connect() -> None:
    """Register the job (idempotent); jobs of a slot run in the order registered, and the
    digest reads what the others wrote, so it is moved after this one."""
    registry.register(JOB, registry.DAILY, input_chases)
    digest = registry.get("digest")
    if digest is not None:
        registry.unregister("digest")
        registry.register(digest.name, digest.every, digest.run)
