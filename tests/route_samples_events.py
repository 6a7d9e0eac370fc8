"""The route table's sample events (tests/route_samples.py): a weekly call on Acme organised
by Acme's manager (the owner) since Monday 5 January 2026, 09:00 UTC (its occurrence
``20260105T090000Z`` is the sample ``{start}``), and a meeting on Globex (out of North's
reach) that no list read by North's people may show."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from accord.calendar.models import CalendarEvent, EventAttendee
from accord.core.database import utcnow

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
#: the sample occurrence (the first of the series)
OCCURRENCE = "20260105T090000Z"


def add(session: Session, cast: Any, ids: dict[str, int], sales_id: int) -> dict[str, int]:
    now = utcnow()
    acme = CalendarEvent(uid="event-route-acme@accord", account_id=ids["acme"], kind="call",
                         title="Weekly call", agenda="Open points", location="",
                         starts_at=START, ends_at=START + timedelta(hours=1), time_zone="UTC",
                         rrule="FREQ=WEEKLY;BYDAY=MO", last_on=None, status="scheduled",
                         organiser_id=cast.owner.id, generated=False, created_at=now,
                         updated_at=now)
    session.add(acme)
    if "globex" in ids:  # the route-table world (the query budgets' has no Globex)
        session.add(CalendarEvent(
            uid="event-route-globex@accord", account_id=ids["globex"], kind="business_review",
            title="Globex review", agenda="", location="", starts_at=START,
            ends_at=START + timedelta(hours=1), time_zone="UTC", rrule=None,
            last_on=date(2026, 1, 5), status="scheduled", organiser_id=None, generated=False,
            created_at=now, updated_at=now))
    session.flush()
    session.add(EventAttendee(event_id=acme.id, user_id=cast.owner.id))
    session.flush()
    return {"event": int(acme.id)}
