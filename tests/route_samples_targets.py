"""The route table's sample target (tests/route_samples.py): the owner's, set by North's head."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.core.database import utcnow
from accord.plans.targets.models import ManagerTarget


def add(session: Session, cast: Any, ids: dict[str, int], sales_id: int) -> dict[str, int]:
    found = session.scalar(select(ManagerTarget.id).where(  # the demo's (query budgets)
        ManagerTarget.manager_id == cast.owner.id, ManagerTarget.period_start == date(2025, 10, 1),
        ManagerTarget.period_end == date(2025, 12, 31), ManagerTarget.metric == "book_revenue"))
    if found is not None:
        return {"target": int(found)}
    row = ManagerTarget(manager_id=cast.owner.id, period_start=date(2025, 10, 1),
                        period_end=date(2025, 12, 31), metric="book_revenue",
                        target=Decimal("100000"), set_by_id=cast.head.id, created_at=utcnow(),
                        updated_at=utcnow())
    session.add(row)
    session.flush()
    return {"target": int(row.id)}
