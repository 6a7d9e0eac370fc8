"""The route table's sample cadence (tests/route_samples.py): Acme has its own cadence, so
the account's cadence page shows the override and its clear button."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from accord.calendar.models import CadenceOverride
from accord.core.database import utcnow


def add(session: Session, cast: Any, ids: dict[str, int], sales_id: int) -> dict[str, int]:
    session.add(CadenceOverride(account_id=ids["acme"], touch_days=7, review_days=60,
                                reason="The client asked for a weekly call", set_at=utcnow()))
    session.flush()
    return {}
