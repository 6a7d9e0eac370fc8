"""The jobs Accord runs on its own (all daily, at ``ACCORD_JOB_DAILY_HOUR`` UTC):

- ``health_recompute``: every account's health score and today's history point
  (``health.service.recompute_all``, what ``accord health --recompute`` does);
- ``schedule_reviews``: business reviews due by the cadence become scheduled events
  (``calendar.events.service.schedule_reviews``);
- ``renewal_reminders``: contract ends entering their notice window get their reminder and
  a renewal opportunity (``calendar.renewals.service.run_reminders``);
- ``digest``: each user's daily digest by mail (``calendar.digest.service.send_digests``;
  nothing without ``ACCORD_SMTP_HOST``).

``connect()`` registers them (``app.wiring.connect``, for the app and the command).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from accord.calendar.jobs import registry
from accord.calendar.jobs.service import current_settings
from accord.core.database import session_factory, writer_engine
from accord.core.models import Role, User


def operator(job: str) -> User:
    """Whom a job acts as: full access, audited as ``job:<name>``."""
    return User(id=None, email=f"job:{job}", name="Scheduled job", role=Role.ADMIN.value,
                is_active=True)


def health_recompute(session: Session, today: date) -> dict[str, Any]:
    from accord.health.service import recompute_all

    return recompute_all(session, operator("health_recompute"), today=today).model_dump()


def schedule_reviews(session: Session, today: date) -> dict[str, Any]:
    from accord.calendar.events.service import schedule_reviews as schedule  # helper C's

    return {"reviews_scheduled": schedule(session, today)}


def renewal_reminders(session: Session, today: date) -> dict[str, Any]:
    from accord.calendar.renewals.service import run_reminders  # helper F's

    return {"reminders": run_reminders(session, today)}


class DigestFailed(RuntimeError):
    """Some digests were not sent (recorded ``failed``): the job is retried for them."""


def digest(session: Session, today: date) -> dict[str, Any]:
    """Each digest is recorded in a transaction of its own (before its mail goes out), so
    this job leaves its session alone until it returns."""
    from accord.calendar.digest.service import send_digests

    settings = current_settings()
    if not settings.smtp_host:
        return {"skipped": "ACCORD_SMTP_HOST is not set"}
    factory = session_factory(writer_engine(session.get_bind()))  # type: ignore[arg-type]
    report = send_digests(factory, settings, today, actor=operator("digest"))
    if report.failed:
        raise DigestFailed(f"{report.failed} digest(s) not sent: " + "; ".join(
            f"{line.email}: {line.error}" for line in report.lines if line.outcome == "failed"))
    return report.summary()


BUILTIN = {
    "health_recompute": health_recompute,
    "schedule_reviews": schedule_reviews,
    "renewal_reminders": renewal_reminders,
    "digest": digest,
}


def connect() -> None:
    """Register the built-in jobs (idempotent)."""
    for name, run in BUILTIN.items():
        registry.register(name, registry.DAILY, run)
