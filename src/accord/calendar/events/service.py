"""Scheduled events on accounts: create, change, cancel (a whole series or one occurrence),
the occurrences of a window, the outcome of an occurrence (an interaction), the business
reviews the cadence asks for (``reviews.py``) and the review pack (``pack.py``).

Who may: whoever sees the account reads its events; whoever may change it (not viewer or
billing) creates, changes and cancels them and records outcomes. An account or event out of
reach is answered like a missing one (404) and nothing is written. Every change is audited
(``calendar_event``) in the caller's transaction. Times are stored in UTC; a recurring event
keeps its wall-clock time in its own time zone (``rules.expand``).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.accounts.contacts import log_interaction
from accord.accounts.models import Account, AccountContact, InteractionKind
from accord.accounts.schemas import InteractionIn
from accord.accounts.visibility import (
    get_writable_account,
    visible_accounts,
)
from accord.calendar.events import rules
from accord.calendar.events.reading import (
    FIRST_YEAR,
    LAST_YEAR,
    MAX_WINDOW_DAYS,
    event_detail,
    get_event,
    occurrences,
    outs,
    timing,
    viewer_zone,
    visible_event,
    writable_event,
)
from accord.calendar.events.schemas import (
    EventIn,
    EventOut,
    EventPatch,
    Occurrence,
    OutcomeIn,
)
from accord.calendar.models import EVENT_KINDS, CalendarEvent, EventAttendee, EventOccurrence
from accord.core import audit, versions
from accord.core.database import utcnow
from accord.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from accord.core.models import User

__all__ = [  # the reading side is ``reading.py``, re-exported here
    "MAX_WINDOW_DAYS", "add_event", "cancel_event", "cancel_occurrence", "create_event",
    "event_detail", "get_event", "occurrences", "outs", "parse_start", "record_outcome",
    "review_pack_pdf", "schedule_reviews", "timing", "update_event", "viewer_zone",
    "visible_event"]
assert tuple(EVENT_KINDS) == rules.KINDS
ENTITY = "calendar_event"
MAX_LENGTH = timedelta(days=31)
INTERACTION_KIND = {"business_review": InteractionKind.BUSINESS_REVIEW,
                    "call": InteractionKind.CALL}


# ---------------------------------------------------------------- checking input


def _local(value: datetime, tz: ZoneInfo) -> datetime:
    """A given time as a naive wall-clock time in ``tz`` (an offset given: converted)."""
    return rules.to_local(value, tz) if value.tzinfo else value


def _times(problems: list[FieldProblem], starts: datetime, ends: datetime | None,
           zone_name: str) -> tuple[datetime, datetime] | None:
    """The UTC start and end; a local start the clocks skip is refused on ``starts_at``."""
    try:
        tz = rules.zone(zone_name)
    except ValidationFailed as exc:
        problems.extend(exc.problems)
        return None
    start = _local(starts, tz)
    if not FIRST_YEAR <= start.year <= LAST_YEAR:
        problems.append(FieldProblem("starts_at", f"the year must be {FIRST_YEAR}-{LAST_YEAR}"))
        return None
    if not starts.tzinfo and not rules.exists(start, tz):
        problems.append(FieldProblem("starts_at", f"{start:%Y-%m-%d %H:%M} does not exist in "
                                     f"{tz.key} (the clocks skip that hour that day)"))
        return None
    at = rules.to_utc(start, tz)
    end_at = at + timedelta(hours=1) if ends is None else (
        ends.astimezone(UTC) if ends.tzinfo else rules.to_utc(_local(ends, tz), tz))
    if end_at < at:
        problems.append(FieldProblem("ends_at", "the end is before the start"))
        return None
    if end_at - at > MAX_LENGTH:
        problems.append(FieldProblem("ends_at", "an event lasts at most 31 days"))
        return None
    return at, end_at


def _rrule(problems: list[FieldProblem], text: str | None, at: datetime | None,
           zone_name: str) -> str | None:
    if not text or at is None:
        return None
    try:
        return rules.parse_rrule(text, at.astimezone(ZoneInfo(zone_name))).text
    except ValidationFailed as exc:
        problems.extend(exc.problems)
        return None


def _check_attendees(session: Session, problems: list[FieldProblem], account_id: int,
                     user_ids: list[int], contact_ids: list[int]) -> tuple[list[int], list[int]]:
    users, contacts = sorted(set(user_ids)), sorted(set(contact_ids))
    if users:
        found = {u.id: u for u in session.scalars(
            select(User).where(User.id.in_(users), User.is_active.is_(True)))}
        outside = [i for i in users if i not in found or session.scalar(
            select(Account.id).where(Account.id == account_id,
                                     visible_accounts(found[i]))) is None]
        if outside:
            problems.append(FieldProblem("user_ids", "not active users who see the account: "
                                         + ", ".join(map(str, outside))))
    if contacts:
        linked = set(session.scalars(select(AccountContact.contact_id).where(
            AccountContact.account_id == account_id, AccountContact.contact_id.in_(contacts))))
        if missing := [i for i in contacts if i not in linked]:
            problems.append(FieldProblem("contact_ids", "not contacts of this account: "
                                         + ", ".join(map(str, missing))))
    return users, contacts


def _set_attendees(session: Session, event_id: int, users: list[int], contacts: list[int]
                   ) -> None:
    for a in session.scalars(select(EventAttendee).where(EventAttendee.event_id == event_id)):
        if (a.user_id is not None and a.user_id not in users) or (
                a.contact_id is not None and a.contact_id not in contacts):
            session.delete(a)
    session.flush()
    have = {(a.user_id, a.contact_id) for a in session.scalars(
        select(EventAttendee).where(EventAttendee.event_id == event_id))}
    for uid in users:
        if (uid, None) not in have:
            session.add(EventAttendee(event_id=event_id, user_id=uid))
    for cid in contacts:
        if (None, cid) not in have:
            session.add(EventAttendee(event_id=event_id, contact_id=cid))
    session.flush()


def _attendee_ids(session: Session, event_id: int) -> tuple[list[int], list[int]]:
    rows = session.execute(select(EventAttendee.user_id, EventAttendee.contact_id)
                           .where(EventAttendee.event_id == event_id)).all()
    return (sorted(u for u, _ in rows if u is not None),
            sorted(c for _, c in rows if c is not None))


def _facts(row: CalendarEvent, users: list[int], contacts: list[int]) -> dict[str, Any]:
    return {"account_id": row.account_id, "kind": row.kind, "title": row.title,
            "agenda": row.agenda, "location": row.location, "starts_at": row.starts_at,
            "ends_at": row.ends_at, "time_zone": row.time_zone, "rrule": row.rrule,
            "status": row.status, "organiser_id": row.organiser_id, "user_ids": users,
            "contact_ids": contacts}


def _kind(problems: list[FieldProblem], kind: str) -> None:
    if kind not in rules.KINDS:
        problems.append(FieldProblem("kind", "one of " + ", ".join(rules.KINDS)))


# ---------------------------------------------------------------- writing


def add_event(session: Session, actor: User | None, account: Account, *, kind: str, title: str,
              starts_at: datetime, ends_at: datetime, time_zone: str, rrule: str | None,
              organiser_id: int | None, agenda: str = "", location: str = "",
              users: list[int] | None = None, contacts: list[int] | None = None,
              generated: bool = False) -> CalendarEvent:
    """Store a checked event with its attendees, audited (also the cadence's reviews)."""
    row = CalendarEvent(
        uid=f"event-{uuid.uuid4().hex}@accord", account_id=account.id, kind=kind, title=title,
        agenda=agenda, location=location, starts_at=starts_at, ends_at=ends_at,
        time_zone=time_zone, rrule=rrule, status="scheduled", organiser_id=organiser_id,
        generated=generated, created_at=utcnow(), updated_at=utcnow())
    row.last_on = rules.last_on(timing(row))
    session.add(row)
    session.flush()
    _set_attendees(session, row.id, users or [], contacts or [])
    audit.record(session, actor, "create", ENTITY, row.id,
                 after=_facts(row, users or [], contacts or []), account_id=account.id)
    return row


def create_event(session: Session, user: User, data: EventIn) -> EventOut:
    """A new event on an account the user may change: one-off or recurring (an RRULE), in
    ``data.time_zone`` or the user's. Refused (every problem at once): an unknown kind or
    time zone, a start the clocks skip, an end before the start, an RRULE that does not
    parse, attendees who do not see the account or contacts not linked to it. Audited."""
    account = get_writable_account(session, user, data.account_id)
    problems: list[FieldProblem] = []
    _kind(problems, data.kind)
    zone_name = data.time_zone or viewer_zone(user)
    times = _times(problems, data.starts_at, data.ends_at, zone_name)
    rrule = _rrule(problems, data.rrule, times[0] if times else None, zone_name)
    users, contacts = _check_attendees(session, problems, account.id, data.user_ids,
                                       data.contact_ids)
    if problems or times is None:
        raise ValidationFailed(problems)
    row = add_event(session, user, account, kind=data.kind, title=data.title,
                    starts_at=times[0], ends_at=times[1], time_zone=rules.zone(zone_name).key,
                    rrule=rrule, organiser_id=user.id, agenda=data.agenda,
                    location=data.location, users=users, contacts=contacts)
    session.refresh(row)
    return outs(session, [row])[0]


def update_event(session: Session, user: User, event_id: int, data: EventPatch, *,
                 expected: versions.Expected | None = None) -> EventOut:
    """Change the fields given; a new start, time zone or rule is checked like a new event's
    (a start given without its end keeps the length). A cancelled event stays as it is."""
    row = writable_event(session, user, event_id)
    if row.status == "cancelled":
        raise Conflict("the event is cancelled")
    given = data.model_fields_set
    problems: list[FieldProblem] = []
    if "kind" in given:
        _kind(problems, data.kind or "")
    if "title" in given and not data.title:
        problems.append(FieldProblem("title", "give a title"))
    zone_name = data.time_zone or row.time_zone
    tz = ZoneInfo(row.time_zone)
    starts = data.starts_at if data.starts_at is not None else rules.to_local(row.starts_at, tz)
    ends = data.ends_at if data.ends_at is not None else starts + (row.ends_at - row.starts_at)
    times = _times(problems, starts, ends, zone_name)
    text = data.rrule if "rrule" in given else row.rrule
    rrule = _rrule(problems, text, times[0] if times else None, zone_name)
    old_users, old_contacts = _attendee_ids(session, row.id)
    users, contacts = _check_attendees(
        session, problems, row.account_id,
        data.user_ids if data.user_ids is not None else old_users,
        data.contact_ids if data.contact_ids is not None else old_contacts)
    if problems or times is None:
        raise ValidationFailed(problems)
    versions.check(session, row, expected, "the event")
    before = _facts(row, old_users, old_contacts)
    for name in ("kind", "title", "agenda", "location"):
        if name in given and getattr(data, name) is not None:
            setattr(row, name, getattr(data, name))
    row.starts_at, row.ends_at = times
    row.time_zone, row.rrule = rules.zone(zone_name).key, rrule
    row.last_on = rules.last_on(timing(row))
    _set_attendees(session, row.id, users, contacts)
    old, new = audit.changed_fields(before, _facts(row, users, contacts))
    if new:
        row.updated_at = utcnow()
        row.version = row.version + 1
        session.flush()
        audit.record(session, user, "update", ENTITY, row.id, before=old, after=new,
                     account_id=row.account_id)
    session.refresh(row)
    return outs(session, [row])[0]


def cancel_event(session: Session, user: User, event_id: int) -> EventOut:
    """Cancel the event (every occurrence to come); cancelling again changes nothing."""
    row = writable_event(session, user, event_id)
    if row.status != "cancelled":
        row.status, row.updated_at, row.version = "cancelled", utcnow(), row.version + 1
        session.flush()
        audit.record(session, user, "cancel", ENTITY, row.id, before={"status": "scheduled"},
                     after={"status": "cancelled"}, account_id=row.account_id)
        session.refresh(row)
    return outs(session, [row])[0]


def parse_start(text: str) -> datetime:
    """An occurrence's start from a path: ``20270322T080000Z`` or ISO 8601 (no offset: UTC)."""
    raw = (text or "").strip()
    try:
        at = datetime.strptime(raw, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC) \
            if len(raw) == 16 else datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed([FieldProblem("start", f"{raw[:40]!r} is not a date-time "
                                             "(20270322T080000Z)")]) from None
    return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)


def _occurrence(session: Session, user: User, row: CalendarEvent, at: datetime
                ) -> EventOccurrence | None:
    """Check ``at`` is one of the event's occurrences; its stored state (None: as planned)."""
    if not FIRST_YEAR <= at.year <= LAST_YEAR:
        raise NotFound(f"no occurrence at {at:%Y-%m-%dT%H:%MZ}")
    day = at.date()
    found = [s for s, _ in rules.expand(timing(row), day, day, "UTC")]
    if at not in found:
        raise NotFound(f"the event has no occurrence at {at:%Y-%m-%dT%H:%MZ}")
    return session.get(EventOccurrence, (row.id, at))


def cancel_occurrence(session: Session, user: User, event_id: int, occurrence_start: datetime
                      ) -> Occurrence:
    """Cancel one occurrence (the others stay); one already held cannot be."""
    row = writable_event(session, user, event_id)
    at = occurrence_start.astimezone(UTC)
    stored = _occurrence(session, user, row, at)
    if stored is not None and stored.status == "held":
        raise Conflict("this occurrence was held: its outcome is recorded")
    if stored is None:
        session.add(EventOccurrence(event_id=row.id, starts_at=at, status="cancelled"))
        session.flush()
        audit.record(session, user, "cancel_occurrence", ENTITY, row.id,
                     after={"starts_at": at}, account_id=row.account_id)
    return _one(session, user, row, at)


def _one(session: Session, user: User, row: CalendarEvent, at: datetime) -> Occurrence:
    day = at.astimezone(ZoneInfo(viewer_zone(user))).date()
    for o in occurrences(session, user, day, day, event_id=row.id, include_cancelled=True):
        if o.starts_at == at:
            return o
    raise NotFound("no such occurrence")  # pragma: no cover - checked before


def record_outcome(session: Session, user: User, event_id: int, occurrence_start: datetime,
                   data: OutcomeIn, *, today: date) -> Occurrence:
    """Record what an occurrence produced: an interaction logged through the accounts'
    service (with the event's contacts and users unless given) and the occurrence marked
    held — one transaction. An occurrence held already or cancelled is a 409."""
    row = writable_event(session, user, event_id)
    if row.status == "cancelled":
        raise Conflict("the event is cancelled")
    at = occurrence_start.astimezone(UTC)
    stored = _occurrence(session, user, row, at)
    if stored is not None:
        raise Conflict(f"this occurrence was {stored.status} already")
    users, contacts = _attendee_ids(session, row.id)
    kind = data.kind or INTERACTION_KIND.get(row.kind, InteractionKind.MEETING).value
    if kind not in {k.value for k in InteractionKind}:
        raise ValidationFailed([FieldProblem("kind", "one of " + ", ".join(
            k.value for k in InteractionKind))])
    interaction = log_interaction(session, user, row.account_id, InteractionIn(
        kind=InteractionKind(kind),
        occurred_on=data.occurred_on or rules.to_local(at, ZoneInfo(row.time_zone)).date(),
        summary=data.summary, outcome=data.outcome, sentiment=data.sentiment,
        contact_ids=data.contact_ids if data.contact_ids is not None else contacts,
        user_ids=data.user_ids if data.user_ids is not None else users), today=today)
    session.add(EventOccurrence(event_id=row.id, starts_at=at, status="held",
                                interaction_id=interaction.id))
    session.flush()
    audit.record(session, user, "outcome", ENTITY, row.id,
                 after={"starts_at": at, "interaction_id": interaction.id},
                 account_id=row.account_id)
    return _one(session, user, row, at)


# ---------------------------------------------------------------- the other use cases


def schedule_reviews(session: Session, today: date) -> int:
    """Business reviews from the cadence, for the job (``reviews.schedule_reviews``)."""
    from accord.calendar.events import reviews

    return reviews.schedule_reviews(session, today)


def review_pack_pdf(session: Session, user: User, event_id: int, today: date) -> bytes:
    """The review pack of an event as a PDF (``pack.py``)."""
    from accord.calendar.events import pack

    return pack.review_pack_pdf(session, user, event_id, today)
