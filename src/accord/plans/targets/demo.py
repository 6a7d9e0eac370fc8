"""The demo's targets: every manager in a team with a head gets, from that head, targets for
the year and the quarter of the demo's last complete month (so the dashboard shows them
against their actuals) and the quarter after — revenue of the book grown from the same
period a year before, NRR, new key accounts and plans complete."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from accord.core.database import utcnow
from accord.core.models import Role, Team, User
from accord.core.periods import month_index
from accord.plans.targets.actuals import book_revenue
from accord.plans.targets.models import ManagerTarget
from accord.plans.targets.rules import Metric, parse_period, period_months

#: reads everything, writes nothing: the demo's own figures
_READER = User(id=None, email="demo", name="Demo", role=Role.ADMIN.value, is_active=True)


def _periods(today: date) -> list[str]:
    last = month_index(today) - 1
    year, month0 = divmod(last, 12)
    quarter = month0 // 3 + 1
    following = f"{year + 1}-Q1" if quarter == 4 else f"{year}-Q{quarter + 1}"
    return [f"{year}", f"{year}-Q{quarter}", following]


def seed_demo(session: Session, *, seed: int, today: date) -> int:
    """Write the demo's targets; returns how many."""
    managers = session.execute(
        select(User.id, Team.head_id).join(Team, Team.id == User.team_id)
        .where(User.role == Role.MANAGER.value, User.is_active.is_(True),
               Team.head_id.is_not(None)).order_by(User.id)
    ).all()
    if not managers:
        return 0
    rng = random.Random(f"targets:{seed}")
    ids = [m.id for m in managers]
    rows: list[dict[str, Any]] = []
    now = utcnow()
    for text in _periods(today):
        start, end = parse_period(text)
        first, last = period_months(start, end)
        before = book_revenue(session, _READER, ids, first - 12, last - 12)
        for manager_id, head_id in managers:
            growth = Decimal(rng.choice(("1.03", "1.05", "1.08", "1.12")))
            values = {
                Metric.BOOK_REVENUE: (before.get(manager_id, Decimal(0)) * growth).quantize(
                    Decimal("1000")),
                Metric.BOOK_NRR: Decimal(rng.choice(("1.00", "1.03", "1.05", "1.10"))),
                Metric.NEW_KEY_ACCOUNTS: Decimal(rng.randint(1, 3)),
                Metric.PLANS_COMPLETE: Decimal(rng.randint(1, 4)),
            }
            for metric, value in values.items():
                if value > 0:
                    rows.append({"manager_id": manager_id, "period_start": start,
                                 "period_end": end, "metric": metric.value, "target": value,
                                 "set_by_id": head_id, "created_at": now, "updated_at": now,
                                 "version": 1})
    session.execute(insert(ManagerTarget), rows)
    return len(rows)
