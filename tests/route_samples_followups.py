"""The route table's sample follow-ups (tests/route_samples.py): an open one on Acme owned by
Acme's manager (the owner), due with a time, and one on Globex (out of North's reach) that no
list read by North's people may show."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from sqlalchemy.orm import Session

from accord.calendar.models import FollowUp
from accord.core.database import utcnow


def add(session: Session, cast: Any, ids: dict[str, int], sales_id: int) -> dict[str, int]:
    # route_policy.FOLLOW_UP names Acme as account 1 (the route-table world's Acme)
    now = utcnow()
    acme = FollowUp(account_id=ids["acme"], title="Send the price list", notes="",
                    due_on=date(2026, 3, 2), due_time=time(9, 30), time_zone="UTC",
                    owner_id=cast.owner.id, status="open", created_at=now, updated_at=now)
    session.add(acme)
    if "globex" in ids:  # the route-table world (the query budgets' has no Globex)
        session.add(FollowUp(account_id=ids["globex"], title="Globex renewal call", notes="",
                             due_on=date(2026, 3, 1), time_zone="UTC",
                             owner_id=cast.outsider.id, status="open", created_at=now,
                             updated_at=now))
    session.flush()
    return {"follow_up": int(acme.id)}
