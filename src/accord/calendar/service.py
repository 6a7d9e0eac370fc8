"""Use cases of the company calendar: read it (everyone, and every deadline), change the
working weekdays and the holidays (admins), import public holidays from an ``.ics`` file.

The calendar is one policy, ``calendar`` in ``core.policy_store`` (versioned, audited);
nothing is stored while the defaults apply (Monday to Friday, no holidays).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from accord.core import policy_store
from accord.core.workdays import (
    WorkCalendar,
    WorkCalendarPolicy,
)

SETTING = "calendar"


def _parse(value: dict[str, Any]) -> WorkCalendarPolicy:
    return WorkCalendarPolicy.from_dict(value).normalised()


def policy(session: Session) -> WorkCalendarPolicy:
    """The stored calendar policy, or its defaults (reads only)."""
    return policy_store.load(session, SETTING, WorkCalendarPolicy)


def work_calendar(session: Session) -> WorkCalendar:
    """The company's working-day calendar for deadlines (reads only; defaults when nothing is
    stored: Monday to Friday, no holidays)."""
    return policy(session).calendar()


def version(session: Session) -> int:
    """The calendar's version (0 while the defaults apply): the API's ETag, the form's field."""
    return policy_store.setting_version(session, SETTING)
