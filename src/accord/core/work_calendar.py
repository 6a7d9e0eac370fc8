"""The company's working-day calendar as stored: one policy, ``calendar`` in
``core.policy_store`` (defaults while nothing is stored: Monday to Friday, no holidays).

Every deadline in working days reads it here (hand-offs, the account rhythm); the calendar's
own front doors (``accord.calendar``) change it. It lives in ``core`` so that capabilities on
any layer may read it without importing the calendar package, which sits high (it reads the
plans, hand-offs and opportunities for "My day").
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from accord.core import policy_store
from accord.core.workdays import WorkCalendar, WorkCalendarPolicy

SETTING = "calendar"


def policy(session: Session) -> WorkCalendarPolicy:
    """The stored calendar policy, or its defaults (reads only)."""
    return policy_store.load(session, SETTING, WorkCalendarPolicy)


def work_calendar(session: Session) -> WorkCalendar:
    """The working-day calendar for deadlines (reads only)."""
    return policy(session).calendar()
