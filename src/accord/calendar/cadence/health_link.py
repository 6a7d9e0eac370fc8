"""The calendar's answers to the health score (``health.rhythm``), connected in
``accord.app.wiring``:

- the touch interval contact freshness divides by: the account's cadence (``rules.resolve``;
  many accounts: ``queries.touch_interval_join``);
- the overdue commitments: the account's overdue follow-ups (open or snoozed, effective due
  date before today: ``calendar.followups.queries``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.calendar.cadence import queries, rules
from accord.calendar.cadence.service import latest_stage
from accord.calendar.cadence.settings import policy as load_policy
from accord.calendar.followups.queries import overdue_by_account, overdue_sql
from accord.calendar.models import CadenceOverride, FollowUp
from accord.health import rhythm

SOURCE_WORDS = {
    "override": "the account's own cadence",
    "person": "individual client: no contact cadence",
    "tier_stage": "{tier} at stage {stage}",
    "tier": "{tier} cadence",
}


def interval_one(
    session: Session, account_id: int, tier: str, kind: str, today: date
) -> tuple[int | None, str]:
    """The touch interval of one account and where it comes from (``rules.resolve``)."""
    stage = latest_stage(session, account_id)
    interval = rules.resolve(
        load_policy(session), tier, stage, session.get(CadenceOverride, account_id),
        person=kind == "person",
    )
    return interval.touch_days, SOURCE_WORDS[interval.source].format(tier=tier, stage=stage)


def overdue_select(session: Session, today: date) -> Any:
    return overdue_by_account(today)


def overdue_one(session: Session, account_id: int, today: date) -> int:
    return session.scalar(
        select(func.count()).select_from(FollowUp).where(
            FollowUp.account_id == account_id, overdue_sql(today))
    ) or 0


def connect() -> None:
    rhythm.connect_interval(queries.touch_interval_join, interval_one)
    rhythm.connect_overdue(overdue_select, overdue_one)
