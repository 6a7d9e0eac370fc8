"""Running the jobs that are due, once, however many processes try at the same time.

``run_due(session_factory, now)``, for each registered job (``registry``):

1. **ensure** its current slot's row (``jobs``: unique ``(name, due_at)``): two processes
   inserting the same row is harmless, the second one's insert fails on the constraint and
   is ignored;
2. **claim** one due row at a time in a short writer transaction — ``SELECT … FOR UPDATE SKIP
   LOCKED`` on PostgreSQL, the IMMEDIATE transaction every writer begins on SQLite
   (``core.database``) — marking it ``running`` with ``claimed_by`` (host:pid) and
   ``claimed_at``; a row is due when its slot has come and, after a failed attempt, its
   backoff has passed (``rules``), or when it is ``running`` under a claim older than
   ``rules.STALE_AFTER`` (its process stopped);
3. **run** it in its own transaction (``core.database.transaction``), in which the row is
   also marked ``done`` with the job's result: the work and the mark commit together, and a
   run whose claim was taken over meanwhile rolls its work back. A failure rolls the work
   back and marks the row ``due`` again (``attempts`` + 1, ``last_error``) or, after
   ``rules.MAX_ATTEMPTS``, ``failed``.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from accord.calendar.jobs import registry, rules
from accord.calendar.jobs.schemas import JobOut
from accord.calendar.models import Job
from accord.core.database import transaction, utcnow
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.models import Role, User
from accord.core.roles import require_role
from accord.core.settings import Settings, get_settings

log = logging.getLogger(__name__)
_settings: ContextVar[Settings | None] = ContextVar("accord_job_settings", default=None)


class ClaimLost(RuntimeError):
    """The run's claim was taken over (it ran past ``rules.STALE_AFTER``)."""


@dataclass
class JobRun:
    """One attempt made by ``run_due``: ``status`` is the row's status after it (``done``,
    ``due`` — failed, to be retried —, ``failed`` — no attempt left — or ``lost``)."""

    name: str
    due_at: datetime
    status: str
    attempts: int
    result: dict[str, Any] | None = None
    error: str | None = None
    claimed_by: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "done"


def worker_id() -> str:
    """This process, as ``claimed_by`` names it: ``host:pid``."""
    return f"{socket.gethostname()[:100]}:{os.getpid()}"


def current_settings() -> Settings:
    """The settings ``run_due`` was given (for a job that needs them: the digest's SMTP)."""
    return _settings.get() or get_settings()


@contextmanager
def using_settings(settings: Settings) -> Iterator[None]:
    token = _settings.set(settings)
    try:
        yield
    finally:
        _settings.reset(token)


def _aware(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    return now.astimezone(UTC)


def _specs(only: str | None) -> list[registry.JobSpec]:
    if only is None:
        return registry.jobs()
    spec = registry.get(only)
    if spec is None:
        known = ", ".join(s.name for s in registry.jobs())
        raise ValidationFailed([FieldProblem("job", f"no job {only!r}; the jobs: {known}")])
    return [spec]


def ensure(session: Session, specs: list[registry.JobSpec], now: datetime, hour: int) -> int:
    """Insert each job's current slot row unless it exists; returns the rows inserted."""
    made = 0
    for spec in specs:
        slot = registry.slot_start(spec.every, now, hour)
        exists = session.scalar(
            select(Job.id).where(Job.name == spec.name, Job.due_at == slot))
        if exists is not None:
            continue
        try:
            with session.begin_nested():  # another process may insert it first: harmless
                session.add(Job(name=spec.name, due_at=slot, status="due", attempts=0))
            made += 1
        except IntegrityError:
            pass
    return made


def _claimable(now: datetime) -> Any:
    retry = [
        and_(Job.attempts == n, Job.claimed_at <= now - rules.BACKOFF[n - 1])
        for n in range(1, rules.MAX_ATTEMPTS)
    ]
    return or_(
        and_(Job.status == "due", Job.due_at <= now,
             or_(Job.attempts == 0, Job.claimed_at.is_(None), *retry)),
        and_(Job.status == "running", Job.claimed_at <= now - rules.STALE_AFTER),
    )


def claim_one(session: Session, names: list[str], now: datetime, skip: set[int],
              worker: str) -> tuple[Job | None, JobRun | None]:
    """Claim the oldest claimable row of these jobs (the caller commits at once). A stale
    claim with no attempt left becomes ``failed`` instead (returned as a run)."""
    query = (
        select(Job)
        .where(Job.name.in_(names), _claimable(now))
        .order_by(Job.due_at, Job.id)
        .limit(1)
        .with_for_update(skip_locked=True)  # nothing on SQLite: its transaction is IMMEDIATE
    )
    if skip:
        query = query.where(Job.id.not_in(skip))
    row = session.scalars(query).first()
    if row is None:
        return None, None
    if row.status == "running":
        stale = (f"the attempt claimed by {row.claimed_by} at "
                 f"{row.claimed_at:%Y-%m-%d %H:%M} UTC never finished")
        if row.attempts >= rules.MAX_ATTEMPTS:
            row.status, row.last_error, row.finished_at = "failed", stale, max(now, utcnow())
            session.flush()
            return None, JobRun(row.name, row.due_at, "failed", row.attempts, error=stale,
                                claimed_by=row.claimed_by or "", extra={"id": row.id})
        row.last_error = stale
    row.status = "running"
    row.attempts += 1
    row.claimed_by = worker
    row.claimed_at = max(now, utcnow())  # this claim's time, not the run's start
    session.flush()
    return row, None


def _json(result: Any) -> dict[str, Any]:
    """The job's answer as stored: JSON (dates and decimals as text)."""
    if not isinstance(result, dict):
        result = {"result": result}
    plain: dict[str, Any] = json.loads(json.dumps(result, default=str))
    return plain


def run_one(factory: sessionmaker[Session], spec: registry.JobSpec, job_id: int,
            due_at: datetime, attempts: int, now: datetime, worker: str) -> JobRun:
    """Run one claimed row: the work and its ``done`` mark in one transaction."""
    mine = and_(Job.id == job_id, Job.status == "running", Job.attempts == attempts,
                Job.claimed_by == worker)
    try:
        with transaction(factory) as session:
            result = _json(spec.run(session, now.date()))
            marked = session.execute(update(Job).where(mine).values(
                status="done", result=result, finished_at=max(now, utcnow()), last_error=None))
            if marked.rowcount != 1:  # type: ignore[attr-defined]
                raise ClaimLost(f"job {spec.name}: the claim was taken over; work undone")
        return JobRun(spec.name, due_at, "done", attempts, result=result, claimed_by=worker)
    except ClaimLost as exc:
        log.warning("%s", exc)
        return JobRun(spec.name, due_at, "lost", attempts, error=str(exc), claimed_by=worker)
    except Exception as exc:
        log.exception("job %s (due %s) failed, attempt %d", spec.name, due_at, attempts)
        error = rules.error_text(exc)
        status = rules.after_failure(attempts)
        with transaction(factory) as session:
            session.execute(update(Job).where(mine).values(
                status=status, last_error=error, finished_at=max(now, utcnow())))
        return JobRun(spec.name, due_at, status, attempts, error=error, claimed_by=worker)


def run_due(session_factory: sessionmaker[Session], now: datetime, *,
            only: str | None = None, settings: Settings | None = None) -> list[JobRun]:
    """Run every job (or only ``only``) that is due at ``now``, each once; the runs made."""
    now = _aware(now)
    settings = settings or get_settings()
    specs = _specs(only)
    by_name = {s.name: s for s in specs}
    worker = worker_id()
    runs: list[JobRun] = []
    with using_settings(settings):
        with transaction(session_factory) as session:
            ensure(session, specs, now, settings.job_daily_hour)
        tried: set[int] = set()
        while True:
            with transaction(session_factory) as session:
                row, gave_up = claim_one(session, list(by_name), now, tried, worker)
                claimed = None if row is None else (row.id, row.name, row.due_at, row.attempts)
            if gave_up is not None:
                tried.add(gave_up.extra["id"])
                runs.append(gave_up)
                continue
            if claimed is None:
                return runs
            job_id, name, due_at, attempts = claimed
            tried.add(job_id)
            runs.append(run_one(session_factory, by_name[name], job_id, due_at, attempts,
                                now, worker))


# ---------------------------------------------------------------- reading


def list_jobs(session: Session, user: User | None, now: datetime,
              settings: Settings | None = None) -> list[JobOut]:
    """Each registered job with its latest run (admins; ``user`` None: the command line)."""
    if user is not None:
        require_role(user, Role.ADMIN)
    now = _aware(now)
    hour = (settings or get_settings()).job_daily_hour
    specs = registry.jobs()
    latest: dict[str, Job] = {}
    for spec in specs:  # a handful of jobs: one indexed look-up each
        row = session.scalars(select(Job).where(Job.name == spec.name)
                              .order_by(Job.due_at.desc(), Job.id.desc()).limit(1)).first()
        if row is not None:
            latest[spec.name] = row
    out = []
    for spec in specs:
        row = latest.get(spec.name)
        slot = registry.slot_start(spec.every, now, hour)
        if row is not None and row.status == "due" and row.attempts and row.claimed_at:
            next_at = max(row.due_at, rules.retry_at(row.attempts, row.claimed_at))
        elif row is not None and row.status == "due":
            next_at = row.due_at
        elif row is None or row.due_at < slot:
            next_at = slot
        else:
            next_at = registry.slot_start(spec.every, slot + _period(spec.every), hour)
        out.append(JobOut(
            name=spec.name, schedule=spec.schedule(hour), next_at=next_at,
            due_at=row.due_at if row else None, status=row.status if row else None,
            attempts=row.attempts if row else 0, claimed_by=row.claimed_by if row else None,
            claimed_at=row.claimed_at if row else None,
            finished_at=row.finished_at if row else None,
            last_error=row.last_error if row else None, result=row.result if row else None,
        ))
    return out


def _period(every: registry.Every) -> timedelta:
    return every if isinstance(every, timedelta) else timedelta(days=1)
