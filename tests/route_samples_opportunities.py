"""The route table's sample opportunity (tests/route_samples.py): an open cross-sell on Acme,
owned by Acme's manager (the owner), listed under the plan's sample objective (a manual one,
tests/route_samples_plans.py) when there is one."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from accord.core.database import utcnow
from accord.growth.opportunities.models import ObjectiveOpportunity, Opportunity


def add(session: Session, cast: Any, ids: dict[str, int], sales_id: int) -> dict[str, int]:
    row = Opportunity(account_id=ids["acme"], title="Second plant", kind="cross_sell",
                      stage="qualified", value=Decimal("40000.00"), probability=25,
                      expected_close_on=date(2027, 3, 15), owner_id=cast.owner.id,
                      next_step="", created_at=utcnow(), updated_at=utcnow())
    session.add(row)
    session.flush()
    if "objective" in ids:
        session.add(ObjectiveOpportunity(objective_id=ids["objective"], opportunity_id=row.id))
        session.flush()
    return {"opportunity": int(row.id)}
