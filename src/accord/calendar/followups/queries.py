"""Follow-ups in SQL: the effective due date (the twin of ``rules.effective_due``, held equal
by a hypothesis test on both databases) and the overdue follow-ups per account (the health
model's "overdue commitments", My day, the digest)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, select

from accord.calendar.followups.rules import OPEN_STATES
from accord.calendar.models import FollowUp


def effective_due_sql(model: Any = FollowUp) -> ColumnElement[date]:
    """``snoozed_until`` while snoozed (and set), else ``due_on``: ``rules.effective_due``."""
    return case(
        (and_(model.status == "snoozed", model.snoozed_until.is_not(None)),
         model.snoozed_until),
        else_=model.due_on,
    )


def is_open_sql(model: Any = FollowUp) -> ColumnElement[bool]:
    return model.status.in_(OPEN_STATES)


def overdue_sql(today: date, model: Any = FollowUp) -> ColumnElement[bool]:
    """Open or snoozed, and due before ``today``: ``rules.is_overdue``."""
    return and_(is_open_sql(model), effective_due_sql(model) < today)


def overdue_by_account(today: date) -> Select[Any, Any]:
    """``(account_id, overdue)``: the number of overdue follow-ups of each account that has
    any (no visibility filter: the caller joins it to the accounts it may show)."""
    return (
        select(FollowUp.account_id, func.count().label("overdue"))
        .where(overdue_sql(today))
        .group_by(FollowUp.account_id)
    )
