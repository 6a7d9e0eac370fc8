"""Demo data of health: the score computed for the last six month-starts and today, so every
account has a short trend. Sentiment and business reviews come from the demo's interactions.
``seed_demo(session, seed=…, today=…)``; run after the selection and stage seeds."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from accord.core.models import Role, User
from accord.health.service import recompute_all


def seed_demo(session: Session, *, seed: int, today: date) -> int:
    """Recompute health on seven days (oldest first). Returns the accounts scored today."""
    operator = User(
        id=None, email="demo", name="Demo loader", role=Role.ADMIN.value, is_active=True
    )
    days = []
    year, month = today.year, today.month
    for _ in range(6):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        days.append(date(year, month, 1))
    out = None
    for day in [*reversed(days), today]:
        out = recompute_all(session, operator, today=day)
    return out.accounts if out else 0
