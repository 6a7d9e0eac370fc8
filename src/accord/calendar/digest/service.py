"""The daily digest: each user's My day by mail, once a day at most.

``send_digests(session_factory, settings, today)``: for every active manager, head and
sales rep (``DIGEST_ROLES``: an admin's, a viewer's or billing's My day is everyone's; ``to``:
only that user), their My day
(``accord.calendar.myday.service.my_day``) rendered as text and HTML (``render``). An empty
day is recorded ``skipped`` and not sent. Otherwise a ``digests_sent`` row (user, day) is
committed in its own transaction *before* the mail goes out — a user with a row that day
gets nothing more, whichever process or command tries (two inserting the same row: the
second fails on the key and skips) — then the mail is sent over one SMTP connection
(``mailer``). A failed send marks the row ``failed`` and is reported; the next run tries
that user again. ``dry_run``: what would be sent, nothing recorded or sent.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import NamedTuple

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from accord.calendar.digest import render
from accord.calendar.digest.mailer import Mailer
from accord.calendar.digest.schemas import DigestLine, DigestReport
from accord.calendar.models import DigestSent
from accord.calendar.myday.schemas import MyDay
from accord.core import audit
from accord.core.database import reading, transaction, utcnow
from accord.core.emails import normalise_email
from accord.core.errors import Conflict, FieldProblem, ValidationFailed
from accord.core.models import Role, User
from accord.core.roles import require_role
from accord.core.settings import Settings

log = logging.getLogger(__name__)
#: who gets a digest: the roles with a My day of their own (their accounts, their teams')
DIGEST_ROLES = (Role.MANAGER.value, Role.HEAD.value, Role.SALES.value)
DayOf = Callable[[Session, User, date], MyDay]


class Recipient(NamedTuple):
    id: int
    email: str
    name: str


def _my_day() -> DayOf:
    from accord.calendar.myday.service import my_day  # helper D's; imported when used

    return my_day


def recipients(session: Session, to: str | None) -> list[User]:
    query = (select(User).where(User.is_active.is_(True), User.role.in_(DIGEST_ROLES))
             .order_by(User.id))
    if to is not None:
        query = query.where(func.lower(User.email) == normalise_email(to))
    users = list(session.scalars(query))
    if to is not None and not users:
        raise ValidationFailed([FieldProblem(
            "to", "no active user who gets a digest has this e-mail")])
    return users


def claim(factory: sessionmaker[Session], user_id: int, day: date, outcome: str,
          items: int) -> bool:
    """Record (user, day) in a committed transaction of its own; False when it is recorded
    already (by this run's twin in another process) — a ``failed`` row is taken over."""
    with transaction(factory) as session:
        try:
            with session.begin_nested():
                session.add(DigestSent(user_id=user_id, day=day, outcome=outcome, items=items,
                                       recorded_at=utcnow()))
            return True
        except IntegrityError:
            pass
        taken = session.execute(
            update(DigestSent)
            .where(DigestSent.user_id == user_id, DigestSent.day == day,
                   DigestSent.outcome == "failed")
            .values(outcome=outcome, items=items, recorded_at=utcnow()))
        return bool(taken.rowcount)  # type: ignore[attr-defined]


def _failed(factory: sessionmaker[Session], user_id: int, day: date) -> None:
    with transaction(factory) as session:
        session.execute(update(DigestSent).where(
            DigestSent.user_id == user_id, DigestSent.day == day).values(outcome="failed"))


Work = tuple[Recipient, "render.Digest | None", int]


def _prepare(session_factory: sessionmaker[Session], settings: Settings, today: date,
             to: str | None, day_of: DayOf, report: DigestReport) -> list[Work]:
    """Read everyone's day in one read (no lock held): the digests to record and send."""
    work: list[Work] = []
    with reading(session_factory) as session:
        users = recipients(session, to)
        recorded = dict(session.execute(
            select(DigestSent.user_id, DigestSent.outcome).where(DigestSent.day == today)).all())
        for user in users:
            if recorded.get(user.id) in ("sent", "skipped"):
                report.lines.append(DigestLine(user_id=user.id, email=user.email,
                                               outcome="already", items=0))
                continue
            day = day_of(session, user, today)
            made = render.digest(day, user.name, settings.app_url) if day.count() else None
            work.append((Recipient(user.id, user.email, user.name), made, day.count()))
    return work


def _deliver(session_factory: sessionmaker[Session], settings: Settings, today: date,
             work: Work, mailer: Mailer) -> DigestLine:
    """Record one user's digest, then send it (nothing for an empty day)."""
    person, made, count = work
    line = DigestLine(user_id=person.id, email=person.email, outcome="already", items=count,
                      subject=made.subject if made else "")
    if made is None:
        if claim(session_factory, person.id, today, "skipped", 0):
            line.outcome = "skipped"
        return line
    if not claim(session_factory, person.id, today, "sent", count):
        return line
    try:
        mailer.send(render.message(made, sender=settings.mail_from, to=person.email,
                                   name=person.name, on=today))
        line.outcome = "sent"
    except Exception as exc:  # noqa: BLE001 - recorded, reported, tried again
        log.warning("digest for %s not sent: %s", person.email, exc)
        _failed(session_factory, person.id, today)
        line.outcome, line.error = "failed", f"{exc.__class__.__name__}: {exc}"
    return line


def send_digests(session_factory: sessionmaker[Session], settings: Settings, today: date, *,
                 dry_run: bool = False, to: str | None = None,
                 day_of: DayOf | None = None, actor: User | None = None) -> DigestReport:
    """Send (or, ``dry_run``, list) today's digests; the report of every user's outcome."""
    if not dry_run and not settings.smtp_host:
        raise Conflict("no mail server is set: set ACCORD_SMTP_HOST (docs/jobs.md)")
    report = DigestReport(day=today, dry_run=dry_run)
    work = _prepare(session_factory, settings, today, to, day_of or _my_day(), report)
    if dry_run:
        report.lines += [
            DigestLine(user_id=p.id, email=p.email, items=n,
                       outcome="would_send" if made else "would_skip",
                       subject=made.subject if made else "")
            for p, made, n in work]
    else:
        with Mailer(settings) as mailer:  # one connection for every mail
            report.lines += [_deliver(session_factory, settings, today, w, mailer)
                             for w in work]
    counts = Counter(line.outcome for line in report.lines)
    report.sent, report.failed, report.already = counts["sent"], counts["failed"], counts[
        "already"]
    report.skipped = counts["skipped"] + counts["would_skip"]
    if report.sent or report.failed:
        with transaction(session_factory) as session:
            audit.record(session, actor, "send", "digest", today.isoformat(),
                         after=report.summary())
    return report


def send_as(session_factory: sessionmaker[Session], user: User, settings: Settings,
            today: date, *, dry_run: bool = False, to: str | None = None) -> DigestReport:
    """``send_digests`` for an admin (the API)."""
    require_role(user, Role.ADMIN)
    return send_digests(session_factory, settings, today, dry_run=dry_run, to=to, actor=user)
