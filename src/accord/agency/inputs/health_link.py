"""Agency work's answers to the health score (``health.rhythm``), connected in
``accord.app.wiring``: two kinds of overdue commitments, summed with the calendar's overdue
follow-ups into the "overdue commitments" measure —

- ``client_inputs``: the account's open client inputs due before today, escalated or not;
- ``briefs``: the account's briefs promised and not delivered (sent, accepted, in
  progress) past their agreed due date.

Each is a ``Select(account_id, overdue)`` for many accounts (``health.bulk``) and a count for
one (``health.service``); ``tests/test_agency_inputs_health.py`` holds them equal.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from accord.agency.inputs import queries
from accord.health import rhythm


def inputs_select(session: Session, today: date) -> Any:
    return queries.overdue_inputs_by_account(today)


def inputs_one(session: Session, account_id: int, today: date) -> int:
    return int(session.scalar(queries.overdue_inputs_of(account_id, today)) or 0)


def briefs_select(session: Session, today: date) -> Any:
    return queries.late_briefs_by_account(today)


def briefs_one(session: Session, account_id: int, today: date) -> int:
    return int(session.scalar(queries.late_briefs_of(account_id, today)) or 0)


def connect() -> None:
    """Register both kinds (idempotent: each name replaces its earlier provider)."""
    rhythm.connect_overdue(inputs_select, inputs_one, name="client_inputs")
    rhythm.connect_overdue(briefs_select, briefs_one, name="briefs")
