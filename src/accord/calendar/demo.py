"""The demo's account rhythm: on the demo's key accounts (``plans.demo.key_accounts``) —

- contract end dates and notice periods (a quarter of them inside their renewal window
  today: the first ``accord jobs run`` — ``make demo`` runs it — records their renewal
  reminders, each opening a renewal opportunity and a follow-up for the manager; the load
  itself stays one audit entry);
- follow-ups owned by each account's manager: some overdue, some due today, some later, some
  snoozed, some done;
- business reviews: a quarterly recurring review series on a third of the key accounts, a
  single scheduled review on another third (the rest are left for the cadence's job to
  schedule), each with the manager and a client contact as attendees;
- two cadence overrides with their reasons ("wants a call every week", "reports only");
- a few managers in other time zones than UTC.

Core inserts in batches (the large portfolio has 5,000 key accounts); writes nothing when
follow-ups exist already. Deterministic for a seed.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from accord.accounts.models import Account, AccountContact
from accord.calendar.models import (
    CadenceOverride,
    CalendarEvent,
    EventAttendee,
    FollowUp,
)
from accord.core.database import utcnow
from accord.core.models import User
from accord.plans.demo import key_accounts

CHUNK = 900
ZONES = ("Europe/London", "Europe/Berlin", "America/New_York")
TASKS = (
    "Call back about the delivery delay", "Send the revised price list",
    "Confirm the review agenda", "Introduce our new service lead", "Chase the signed order",
    "Share the usage report", "Book the site visit", "Follow up on the pilot results",
    "Send the meeting notes", "Check in after the go-live",
)
AGENDA = "1. Results against the plan\n2. Service review\n3. Next quarter's priorities"


def _chunks(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    return [rows[i:i + CHUNK] for i in range(0, len(rows), CHUNK)]


def _insert(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    for chunk in _chunks(rows):
        session.execute(insert(table), chunk)


def _first_contacts(session: Session, account_ids: list[int]) -> dict[int, int]:
    out: dict[int, int] = {}
    for start in range(0, len(account_ids), CHUNK):
        part = account_ids[start:start + CHUNK]
        for account_id, contact_id in session.execute(
            select(AccountContact.account_id, func.min(AccountContact.contact_id))
            .where(AccountContact.account_id.in_(part))
            .group_by(AccountContact.account_id)
        ):
            out[account_id] = contact_id
    return out


def _managers(session: Session, account_ids: list[int]) -> dict[int, int]:
    out: dict[int, int] = {}
    for start in range(0, len(account_ids), CHUNK):
        part = account_ids[start:start + CHUNK]
        for account_id, manager_id in session.execute(
            select(Account.id, Account.manager_id).where(
                Account.id.in_(part), Account.manager_id.is_not(None))
        ):
            if manager_id is not None:
                out[account_id] = manager_id
    return out


def _follow_ups(rng: random.Random, account_id: int, owner: int, today: date,
                now: datetime) -> list[dict[str, Any]]:
    rows = []
    for _ in range(rng.randint(1, 3)):
        roll = rng.random()
        status, snoozed, closed = "open", None, None
        if roll < 0.25:
            due = today - timedelta(days=rng.randint(1, 40))  # overdue
        elif roll < 0.40:
            due = today  # due today
        elif roll < 0.50:
            due = today - timedelta(days=rng.randint(1, 10))
            status, snoozed = "snoozed", today + timedelta(days=rng.randint(1, 14))
        elif roll < 0.65:
            due = today - timedelta(days=rng.randint(1, 60))
            status, closed = "done", due + timedelta(days=rng.randint(0, 3))
        else:
            due = today + timedelta(days=rng.randint(1, 45))
        rows.append({
            "account_id": account_id, "title": rng.choice(TASKS), "notes": "", "due_on": due,
            "due_time": None, "time_zone": "UTC", "due_at": None, "owner_id": owner,
            "status": status, "snoozed_until": snoozed, "source_kind": None,
            "source_id": None, "closed_by_interaction_id": None, "closed_on": closed,
            "cancel_reason": None, "created_by_id": owner, "created_at": now,
            "updated_at": now, "version": 1,
        })
    return rows


def _review(account_id: int, owner: int, day: date, zone: str, rrule: str | None,
            now: datetime) -> dict[str, Any]:
    local = datetime.combine(day, time(10, 0), tzinfo=ZoneInfo(zone))
    start = local.astimezone(UTC)
    return {
        "uid": f"event-{uuid.UUID(int=random.Random(f'{account_id}:{day}').getrandbits(128))}"
               "@accord",
        "account_id": account_id, "kind": "business_review",
        "title": "Quarterly business review" if rrule else "Business review",
        "agenda": AGENDA, "location": "", "starts_at": start,
        "ends_at": start + timedelta(hours=1), "time_zone": zone, "rrule": rrule,
        "last_on": None if rrule else day, "status": "scheduled", "organiser_id": owner,
        "generated": False, "created_at": now, "updated_at": now, "version": 1,
    }


def _time_zones(session: Session, staff: list[int]) -> dict[int, str]:
    """A quarter of the managers work in another zone than UTC."""
    zones = {user_id: ZONES[n % len(ZONES)] for n, user_id in enumerate(staff) if n % 4 == 1}
    for user_id, zone in zones.items():
        session.execute(update(User).where(User.id == user_id).values(time_zone=zone))
    return zones


def _attendees(session: Session, events: list[dict[str, Any]],
               contacts: dict[int, int]) -> None:
    uids = [e["uid"] for e in events]
    ids: dict[str, int] = {}
    for start in range(0, len(uids), CHUNK):
        for uid, event_id in session.execute(select(CalendarEvent.uid, CalendarEvent.id).where(
                CalendarEvent.uid.in_(uids[start:start + CHUNK]))):
            ids[uid] = event_id
    rows: list[dict[str, Any]] = []
    for e in events:
        rows.append({"event_id": ids[e["uid"]], "user_id": e["organiser_id"],
                     "contact_id": None})
        contact = contacts.get(e["account_id"])
        if contact is not None:
            rows.append({"event_id": ids[e["uid"]], "user_id": None, "contact_id": contact})
    _insert(session, EventAttendee.__table__, rows)


def _overrides(session: Session, chosen: list[int], managers: dict[int, int],
               now: datetime) -> None:
    if len(chosen) < 2:
        return
    for account_id, touch, review, reason in (
        (chosen[0], 7, None, "The client asked for a call every week during the roll-out"),
        (chosen[1], None, 91, "Reports only: the client reads the quarterly report, no calls"),
    ):
        session.execute(insert(CadenceOverride).values(
            account_id=account_id, touch_days=touch, review_days=review, reason=reason,
            set_by_id=managers[account_id], set_at=now, version=1))


def _contract(rng: random.Random, today: date) -> tuple[date, int]:
    """A quarter inside their renewal window today, the rest later."""
    notice = rng.choice((30, 60, 90))
    ahead = (rng.randint(notice, notice + 30) if rng.random() < 0.25
             else rng.randint(notice + 45, 900))
    return today + timedelta(days=ahead), notice


def seed_demo(session: Session, *, seed: int, today: date, accounts: int) -> int:
    """Returns how many follow-ups were written (0 when the demo has some already)."""
    if session.scalar(select(func.count()).select_from(FollowUp)):
        return 0
    rng = random.Random(f"rhythm:{seed}")
    now = utcnow()
    chosen = key_accounts(session, accounts)
    managers = _managers(session, chosen)
    chosen = [a for a in chosen if a in managers]
    contacts = _first_contacts(session, chosen)
    zones = _time_zones(session, sorted(set(managers.values())))
    follow_ups: list[dict[str, Any]] = []
    contracts: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for account_id in chosen:
        owner = managers[account_id]
        follow_ups.extend(_follow_ups(rng, account_id, owner, today, now))
        end, notice = _contract(rng, today)
        contracts.append({"id": account_id, "contract_end_on": end, "notice_days": notice})
        roll, zone = rng.random(), zones.get(owner, "UTC")
        if roll < 1 / 3:
            first = today + timedelta(days=rng.randint(-60, 30))
            events.append(_review(account_id, owner, first, zone, "FREQ=MONTHLY;INTERVAL=3",
                                  now))
        elif roll < 2 / 3:
            events.append(_review(account_id, owner, today + timedelta(days=rng.randint(0, 40)),
                                  zone, None, now))
    _insert(session, FollowUp.__table__, follow_ups)
    for chunk in _chunks(contracts):  # bulk UPDATE by primary key
        session.execute(update(Account), chunk)
    _insert(session, CalendarEvent.__table__, events)
    _attendees(session, events, contacts)
    _overrides(session, chosen, managers, now)
    return len(follow_ups)
