"""Use cases of the company calendar: read it (everyone, and every deadline), change the
working weekdays and the holidays (admins), import public holidays from an ``.ics`` file.

The calendar is one policy, ``calendar`` in ``core.policy_store`` (versioned, audited by the
store in the caller's transaction); nothing is stored while the defaults apply (Monday to
Friday, no holidays).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from accord.calendar import ics
from accord.calendar.schemas import CalendarOut, ImportOut, WorkingDaysOut
from accord.core import policy_store, versions
from accord.core.errors import FieldProblem, NotFound, ValidationFailed
from accord.core.models import Role, User
from accord.core.roles import require_role
from accord.core.work_calendar import SETTING, policy, work_calendar
from accord.core.workdays import (
    FIRST_YEAR,
    LAST_YEAR,
    MAX_DAYS,
    MAX_HOLIDAYS,
    Holiday,
    WorkCalendarPolicy,
    add_working_days,
    count_working_days,
)


def _parse(value: dict[str, Any]) -> WorkCalendarPolicy:
    return WorkCalendarPolicy.from_dict(value).normalised()


def version(session: Session) -> int:
    """The calendar's version (0 while the defaults apply): the API's ETag, the form's field."""
    return policy_store.setting_version(session, SETTING)


# ---------------------------------------------------------------- reading (everyone)


def get_calendar(session: Session, user: User, *, year: int | None = None) -> CalendarOut:
    """The working weekdays and the holidays (of ``year`` only, when given)."""
    return CalendarOut.of(policy(session), year)


def holidays(session: Session, user: User, *, year: int | None = None) -> list[Holiday]:
    return [h for h in policy(session).holidays if year is None or h.on.year == year]


def working_days(
    session: Session, user: User, start: date, *, days: int | None = None, end: date | None = None
) -> WorkingDaysOut:
    """The date ``days`` working days after ``start``, or the working days in (start, end]."""
    problems = [
        FieldProblem(name, f"a date from {FIRST_YEAR} to {LAST_YEAR}")
        for name, value in (("start", start), ("end", end))
        if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR
    ]
    if (days is None) == (end is None):
        problems.append(FieldProblem("days", "give either days or end"))
    elif days is not None and not 0 <= days <= MAX_DAYS:
        problems.append(FieldProblem("days", f"a whole number from 0 to {MAX_DAYS}"))
    if problems:
        raise ValidationFailed(problems)
    cal = work_calendar(session)
    if end is None:
        assert days is not None
        return WorkingDaysOut(start=start, days=days, end=add_working_days(cal, start, days))
    return WorkingDaysOut(start=start, days=count_working_days(cal, start, end), end=end)


# ---------------------------------------------------------------- changing (admins)


def save_calendar(
    session: Session,
    user: User,
    values: dict[str, Any],
    *,
    expected: versions.Expected | None = None,
) -> WorkCalendarPolicy:
    """Change the fields given (``working_weekdays``, ``holidays``); the others keep their
    stored value. Admins only; ``expected`` (If-Match, a form's version): stale is a 409."""
    require_role(user, Role.ADMIN)
    merged = {**policy(session).to_dict(), **values}
    return policy_store.save(session, user, SETTING, merged, _parse, expected)


def add_holiday(
    session: Session,
    user: User,
    on: date,
    name: str,
    *,
    expected: versions.Expected | None = None,
) -> WorkCalendarPolicy:
    """Add one holiday; a date that is one already is a problem on ``on``."""
    require_role(user, Role.ADMIN)
    current = policy(session)
    for holiday in current.holidays:
        if holiday.on == on:
            raise ValidationFailed(
                [FieldProblem("on", f"{on} is a holiday already ({holiday.name})")]
            )
    document = current.to_dict()
    document["holidays"].append({"on": on.isoformat(), "name": name})
    try:
        return policy_store.save(session, user, SETTING, document, _parse, expected)
    except ValidationFailed as exc:  # the new one's problems, named as its form names them
        last = f"holidays.{len(current.holidays)}."
        raise ValidationFailed([
            FieldProblem(p.field.removeprefix(last), p.message) for p in exc.problems
        ]) from None


def remove_holiday(session: Session, user: User, on: date) -> Holiday:
    """Remove the holiday on ``on`` (a 404 when there is none); the removed one."""
    require_role(user, Role.ADMIN)
    current = policy(session)
    kept = [h for h in current.holidays if h.on != on]
    if len(kept) == len(current.holidays):
        raise NotFound(f"no holiday on {on}")
    removed = next(h for h in current.holidays if h.on == on)
    document = {**current.to_dict(), "holidays": [h.model_dump(mode="json") for h in kept]}
    policy_store.save(session, user, SETTING, document, _parse)
    return removed


def import_holidays(
    session: Session, user: User, data: bytes, *, expected: versions.Expected | None = None
) -> ImportOut:
    """Add the holidays of an ``.ics`` file (``ics.parse_holidays``): dates that are holidays
    already stay as they are. All or nothing, in the caller's transaction; a bad file is one
    ``ValidationFailed`` on ``file`` naming the line or event, and nothing is written."""
    require_role(user, Role.ADMIN)
    parsed = ics.parse_holidays(data)
    current = policy(session)
    known = {h.on for h in current.holidays}
    new = [{"on": on.isoformat(), "name": name} for on, name in parsed.holidays if on not in known]
    total = len(current.holidays) + len(new)
    if total > MAX_HOLIDAYS:
        raise ValidationFailed([FieldProblem(
            ics.FIELD,
            f"the calendar would hold {total} holidays; it holds at most {MAX_HOLIDAYS}",
        )])
    if new:
        document = current.to_dict()
        document["holidays"].extend(new)
        policy_store.save(session, user, SETTING, document, _parse, expected)
    return ImportOut(
        events=parsed.events,
        days=len(parsed.holidays),
        added=len(new),
        unchanged=len(parsed.holidays) - len(new),
        holidays=total,
    )
