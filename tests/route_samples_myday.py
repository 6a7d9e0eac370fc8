"""The route table's My day samples (tests/route_samples.py): an overdue follow-up on Acme
owned by its manager (the owner), one due today, and a follow-up on Globex owned by North's
teammate (on Globex's account team in the route table's world): North's head reads the
teammate's day and must not see it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from accord.calendar.models import FollowUp
from accord.core.database import utcnow


def add(session: Session, cast: Any, ids: dict[str, int], sales_id: int) -> dict[str, int]:
    today = utcnow().date()
    rows = [
        FollowUp(account_id=ids["acme"], title="Send the revised offer", owner_id=cast.owner.id,
                 due_on=today - timedelta(days=5), status="open"),
        FollowUp(account_id=ids["acme"], title="Call Carla", owner_id=cast.owner.id,
                 due_on=today, status="open"),
    ]
    if "globex" in ids:  # the route-table world (the query budgets' has no Globex)
        rows.append(FollowUp(account_id=ids["globex"], title="Globex secret follow-up",
                             owner_id=cast.teammate.id, due_on=date(2025, 1, 2),
                             status="open"))
    session.add_all(rows)
    session.flush()
    return {}
