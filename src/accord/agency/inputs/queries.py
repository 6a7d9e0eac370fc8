"""Client inputs in SQL: the twins of ``rules.is_overdue``, and the overdue inputs and late
briefs per account the health model counts among its overdue commitments."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import Session

from accord.agency.access import late_brief_sql
from accord.agency.models import Brief, InputRequest
from accord.core.errors import NotFound


def lock_request(session: Session, request_id: int) -> InputRequest:
    """The request, its row locked until the transaction ends (``FOR UPDATE`` on
    PostgreSQL; SQLite's writing transaction is the only writer already) and read afresh:
    what a change checks its state on (the chase job, received, cancel, a chase sent)."""
    row = session.get(InputRequest, request_id, with_for_update=True, populate_existing=True)
    if row is None:  # deleted with its account meanwhile
        raise NotFound(f"no input request {request_id}")
    return row


def overdue_sql(today: date) -> ColumnElement[bool]:
    """``rules.is_overdue`` over ``InputRequest``: open and due before today."""
    return and_(InputRequest.status == "open", InputRequest.due_on < today)


def overdue_inputs_by_account(today: date) -> Any:
    """Per account with any: its open inputs due before today (escalated or not), as
    ``(account_id, overdue)``."""
    return (select(InputRequest.account_id.label("account_id"),
                   func.count().label("overdue"))
            .where(overdue_sql(today))
            .group_by(InputRequest.account_id))


def overdue_inputs_of(account_id: int, today: date) -> Select[Any]:
    return select(func.count()).select_from(InputRequest).where(
        InputRequest.account_id == account_id, overdue_sql(today))


def late_briefs_by_account(today: date) -> Any:
    """Per account with any: its late briefs, as ``(account_id, overdue)``."""
    return (select(Brief.account_id.label("account_id"), func.count().label("overdue"))
            .where(late_brief_sql(today))
            .group_by(Brief.account_id))


def late_briefs_of(account_id: int, today: date) -> Select[Any]:
    return select(func.count()).select_from(Brief).where(
        Brief.account_id == account_id, late_brief_sql(today))
