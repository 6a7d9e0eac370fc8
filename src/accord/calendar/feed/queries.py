"""What one user's feed holds, read in a few statements (the feed's target: 50 ms for a
manager of the large portfolio).

- the scheduled events of accounts the user sees where they are the organiser, an attendee
  or the account's manager, whose series may reach the window (``rules.window_start``);
- the cancelled occurrences of those events (EXDATE);
- the user's open and snoozed follow-ups on accounts they see;
- the contract ends of the accounts they manage (renewals' notice deadlines).

The tables of other parts (events: ``calendar.events``; follow-ups: ``calendar.followups``)
are read here directly, read-only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import and_, or_, select, union
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.accounts.visibility import visible_row
from accord.calendar.models import CalendarEvent, EventAttendee, EventOccurrence, FollowUp
from accord.core.models import User

#: ids per IN list (SQLite's and psycopg's parameter limits are far above)
CHUNK = 500


@dataclass(frozen=True)
class FeedEvent:
    event: CalendarEvent
    account_name: str
    #: the original starts (UTC) of its cancelled occurrences
    cancelled: list[datetime]


@dataclass(frozen=True)
class FeedFollowUp:
    id: int
    title: str
    notes: str
    status: str
    due_on: date
    snoozed_until: date | None
    updated_at: datetime
    account_id: int
    account_name: str


@dataclass(frozen=True)
class FeedRenewal:
    account_id: int
    account_name: str
    contract_end_on: date
    notice_days: int | None


def _involved_event_ids(user: User) -> object:
    """The ids of the events ``user`` organises, attends, or whose account they manage."""
    return union(
        select(CalendarEvent.id).where(CalendarEvent.organiser_id == user.id),
        select(EventAttendee.event_id).where(EventAttendee.user_id == user.id),
        select(CalendarEvent.id)
        .join(Account, Account.id == CalendarEvent.account_id)
        .where(Account.manager_id == user.id),
    )


def events(session: Session, user: User, since: date) -> list[FeedEvent]:
    """The user's scheduled events that may reach ``since`` or later, with their cancelled
    occurrences; only on accounts the user sees."""
    cutoff = datetime.combine(since, time.min, tzinfo=UTC)
    rows = session.execute(
        select(CalendarEvent, Account.name)
        .join(Account, Account.id == CalendarEvent.account_id)
        .where(
            CalendarEvent.id.in_(_involved_event_ids(user)),  # type: ignore[arg-type]
            CalendarEvent.status == "scheduled",
            or_(
                and_(CalendarEvent.rrule.is_(None), CalendarEvent.ends_at >= cutoff),
                and_(
                    CalendarEvent.rrule.is_not(None),
                    or_(CalendarEvent.last_on.is_(None), CalendarEvent.last_on >= since),
                ),
            ),
            visible_row(user, CalendarEvent.account_id),
        )
        .order_by(CalendarEvent.starts_at, CalendarEvent.id)
    ).all()
    ids = [event.id for event, _ in rows]
    cancelled: dict[int, list[datetime]] = defaultdict(list)
    for start in range(0, len(ids), CHUNK):
        for event_id, starts_at in session.execute(
            select(EventOccurrence.event_id, EventOccurrence.starts_at)
            .where(EventOccurrence.event_id.in_(ids[start:start + CHUNK]),
                   EventOccurrence.status == "cancelled")
            .order_by(EventOccurrence.event_id, EventOccurrence.starts_at)
        ):
            cancelled[event_id].append(starts_at)
    return [FeedEvent(event, name, cancelled.get(event.id, [])) for event, name in rows]


def follow_ups(session: Session, user: User) -> list[FeedFollowUp]:
    """The user's open and snoozed follow-ups on accounts they see."""
    rows = session.execute(
        select(
            FollowUp.id, FollowUp.title, FollowUp.notes, FollowUp.status, FollowUp.due_on,
            FollowUp.snoozed_until, FollowUp.updated_at, FollowUp.account_id, Account.name,
        )
        .join(Account, Account.id == FollowUp.account_id)
        .where(
            FollowUp.owner_id == user.id,
            FollowUp.status.in_(("open", "snoozed")),
            visible_row(user, FollowUp.account_id),
        )
        .order_by(FollowUp.due_on, FollowUp.id)
    ).all()
    return [FeedFollowUp(*row) for row in rows]


def renewals(session: Session, user: User, since: date) -> list[FeedRenewal]:
    """The accounts ``user`` manages whose contract ends on ``since`` or later (not churned)."""
    rows = session.execute(
        select(Account.id, Account.name, Account.contract_end_on, Account.notice_days)
        .where(
            Account.manager_id == user.id,
            Account.contract_end_on.is_not(None),
            Account.contract_end_on >= since,
            Account.status != "churned",
        )
        .order_by(Account.contract_end_on, Account.id)
    ).all()
    return [FeedRenewal(i, name, end, notice) for i, name, end, notice in rows if end]
