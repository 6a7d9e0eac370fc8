"""Business reviews from the cadence (the ``schedule_reviews`` job).

For each key account whose cadence has a review interval (``cadence.queries.cadence_select``:
``review_days``), the review is due at the last business-review interaction + ``review_days``.
It is *satisfied* when a business review — a scheduled one-off, or an occurrence of a
recurring series, not cancelled — falls in the window from the day after the last review
(at most ``HORIZON_DAYS`` before today: a planned review long past and never recorded no
longer counts) to the day it is due + ``HORIZON_DAYS`` (when it is overdue or there never
was one: today + ``OVERDUE_LEAD_DAYS`` + ``HORIZON_DAYS``). Otherwise one business review is
generated: on the day it is due (today + ``OVERDUE_LEAD_DAYS`` when overdue or never held),
at ``REVIEW_TIME`` in the manager's time zone, for an hour, organised by and attended by the
account's manager, marked ``generated``. Running it twice creates nothing the second time
(the first run's review satisfies the second). Audited with no actor (the job).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from accord.accounts.models import Account, Interaction, InteractionKind
from accord.calendar.events import rules
from accord.calendar.events.service import add_event, timing
from accord.calendar.models import CalendarEvent, EventOccurrence
from accord.core.errors import ValidationFailed
from accord.core.models import User
from accord.core.work_calendar import work_calendar
from accord.core.workdays import add_working_days

HORIZON_DAYS = 30
OVERDUE_LEAD_DAYS = 7
REVIEW_TIME = time(10, 0)
CHUNK = 500
TITLE = "Business review"
LIVE = ("onboarding", "active")


def review_intervals(session: Session, today: date) -> list[tuple[int, int]]:
    """(account id, review days) of every key account (onboarding or active, not a person)
    whose cadence has reviews, and of any account whose own override asks for reviews."""
    from accord.calendar.cadence.queries import cadence_select
    from accord.calendar.cadence.rules import NOT_KEY

    scope = and_(Account.status.in_(LIVE), Account.kind != "person")
    sub = cadence_select(session, today, scope).subquery()
    return [(int(a), int(d)) for a, d in session.execute(
        select(sub.c.account_id, sub.c.review_days)
        .where(sub.c.review_days.is_not(None),
               or_(sub.c.tier != NOT_KEY, sub.c.source == "override")))]


#: working days a manager's reviews generated in one run are spread over
SPREAD_DAYS = 10


def plan(last: date | None, review_days: int, today: date) -> tuple[date, date, date]:
    """(window start, window end, the day a generated review takes) — pure."""
    due = last + timedelta(days=review_days) if last is not None else None
    target = due if due is not None and due >= today else today + timedelta(
        days=OVERDUE_LEAD_DAYS)
    floor = today - timedelta(days=HORIZON_DAYS)
    start = max(last + timedelta(days=1), floor) if last is not None else floor
    return start, target + timedelta(days=HORIZON_DAYS), target


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


def _last_reviews(session: Session, ids: list[int]) -> dict[int, date]:
    return {a: d for a, d in session.execute(
        select(Interaction.account_id, func.max(Interaction.occurred_on))
        .where(Interaction.account_id.in_(ids),
               Interaction.kind == InteractionKind.BUSINESS_REVIEW.value)
        .group_by(Interaction.account_id))}


def _satisfied(session: Session, windows: dict[int, tuple[date, date, date]]) -> set[int]:
    """The accounts with a business review (not cancelled) in their window."""
    if not windows:
        return set()
    first = min(w[0] for w in windows.values())
    last = max(w[1] for w in windows.values())
    events = list(session.scalars(
        select(CalendarEvent).where(
            CalendarEvent.account_id.in_(list(windows)), CalendarEvent.kind == "business_review",
            CalendarEvent.status == "scheduled",
            CalendarEvent.starts_at < datetime.combine(last + timedelta(days=2), time(),
                                                       ZoneInfo("UTC")),
            or_(CalendarEvent.last_on.is_(None),
                CalendarEvent.last_on >= first - timedelta(days=1)))))
    if not events:
        return set()
    cancelled = {(e, at) for e, at in session.execute(
        select(EventOccurrence.event_id, EventOccurrence.starts_at).where(
            EventOccurrence.event_id.in_([e.id for e in events]),
            EventOccurrence.status == "cancelled"))}
    found = set()
    for e in events:
        if e.account_id in found:
            continue
        start, end, _ = windows[e.account_id]
        if any((e.id, at) not in cancelled for at, _ in rules.expand(timing(e), start, end)):
            found.add(e.account_id)
    return found


def _create(session: Session, account: Account, managers: dict[int, User], day: date) -> None:
    manager = managers.get(account.manager_id) if account.manager_id else None
    try:
        tz = rules.zone(manager.time_zone if manager is not None else "UTC")
    except ValidationFailed:
        tz = ZoneInfo("UTC")
    at = rules.to_utc(datetime.combine(day, REVIEW_TIME), tz)
    add_event(session, None, account, kind="business_review", title=TITLE, starts_at=at,
              ends_at=at + timedelta(hours=1), time_zone=tz.key, rrule=None,
              organiser_id=manager.id if manager is not None else None,
              agenda="Generated from the account's review cadence.",
              users=[manager.id] if manager is not None else [], generated=True)


def schedule_reviews(session: Session, today: date,
                     intervals: list[tuple[int, int]] | None = None) -> int:
    """Generate the business reviews the cadence asks for; the number created."""
    rows = review_intervals(session, today) if intervals is None else intervals
    cal = work_calendar(session)
    per_manager: dict[int | None, int] = {}
    created = 0
    for ids in _chunks(sorted({a for a, _ in rows})):
        days = {a: d for a, d in rows if a in set(ids)}
        last = _last_reviews(session, ids)
        windows = {a: plan(last.get(a), days[a], today) for a in ids}
        missing = sorted(set(ids) - _satisfied(session, windows))
        if not missing:
            continue
        accounts = list(session.scalars(select(Account).where(Account.id.in_(missing))))
        manager_ids = {a.manager_id for a in accounts if a.manager_id}
        managers = {u.id: u for u in session.scalars(
            select(User).where(User.id.in_(manager_ids)))} if manager_ids else {}
        for account in sorted(accounts, key=lambda a: a.id):
            # on a working day; a manager's reviews made in one run spread over two weeks
            # (the k-th one k working days later, cycling) rather than ten on one morning
            k = per_manager.get(account.manager_id, 0)
            per_manager[account.manager_id] = k + 1
            day = add_working_days(cal, windows[account.id][2] - timedelta(days=1), 1)
            _create(session, account, managers, add_working_days(cal, day, k % SPREAD_DAYS))
            created += 1
    return created
