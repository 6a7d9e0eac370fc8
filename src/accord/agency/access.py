"""Who sees and works on which brief: the one definition (every front door obeys, through
the services).

- A user sees a brief when they see its account (``accounts.visibility``) **or** belong to
  its department (a member or its lead) and the brief was sent: a brief never sent (a draft,
  or one cancelled while a draft) is the account side's alone. Department membership adds
  that access to any role; it never removes what the role grants. A ``specialist`` sees no
  account, so they see exactly their departments' sent briefs — with the account's name, and
  nothing else of it.
- The account side (writing, sending, approving, requesting changes, cancelling, agreeing a
  new due date) is for whoever may change the account (``visibility.can_write`` and sees it).
- The department side (accepting, proposing another due date, starting, delivering) is for
  the department's members and lead, and for admins.
- A brief out of reach is answered like a missing one (404, ``no brief N``).
- A department's board: anyone who sees accounts may open any department's (they see only
  the briefs on their accounts there); a specialist only their own departments'
  (``get_visible_department``; else 404 ``no department N``).

The rule in its forms, side by side (``tests/test_agency_briefs_access.py`` holds them equal
on SQLite and PostgreSQL for every user and brief of a generated world):

- ``rules.sees_brief`` (``sees_brief`` here): the pure reference;
- ``brief_filter`` / ``brief_filter_set``: a condition over ``Brief`` joined to ``Account``
  — the account conditions of ``visibility.visible_parts`` (the few ids read first) or the
  brief's department among the caller's and the brief sent;
- ``get_visible_brief``: one brief, through ``brief_filter``.

Likewise ``rules.is_late`` and ``late_brief_sql``: when a brief is late.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select, true, union
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.accounts.visibility import (
    SEES_NOTHING,
    can_write,
    get_visible_account,
    sees_everything,
    visible_accounts,
    visible_parts,
)
from accord.agency import rules
from accord.agency.models import Brief, Department, DepartmentHoliday, DepartmentMember
from accord.core import read_cache
from accord.core.errors import Forbidden, NotFound
from accord.core.models import Role, User
from accord.core.periods import local_date
from accord.core.schemas import MAX_ID
from accord.core.work_calendar import work_calendar
from accord.core.workdays import WorkCalendar


def department_ids(session: Session, user: User) -> list[int]:
    """The departments ``user`` belongs to (member or lead), active user only."""
    if not user.is_active or user.id is None:
        return []
    return read_cache.remembered(
        session, ("departments of", user.id),
        lambda: sorted(session.scalars(union(
            select(DepartmentMember.department_id).where(DepartmentMember.user_id == user.id),
            select(Department.id).where(Department.lead_id == user.id),
        )).all()))


def works_in(session: Session, user: User, department_id: int) -> bool:
    """True when ``user`` may act for the department: a member, its lead, or an admin."""
    if not user.is_active:
        return False
    return Role(user.role) is Role.ADMIN or department_id in department_ids(session, user)


#: the pure rule (``rules.sees_brief``), for callers of this module
sees_brief = rules.sees_brief


def was_sent_sql() -> ColumnElement[bool]:
    """``rules.was_sent`` over ``Brief`` (read from the index on status but for cancelled
    briefs)."""
    return or_(Brief.status.in_(rules.SENT_STATES),
               and_(Brief.status == "cancelled", Brief.sent_on.is_not(None)))


def late_brief_sql(today: date) -> ColumnElement[bool]:
    """``rules.is_late`` over ``Brief``: still owed by the department and due before
    ``today``."""
    return and_(Brief.status.in_(rules.LATE_STATES), Brief.due_on < today)


def _brief_filter(session: Session, user: User, *, as_set: bool) -> ColumnElement[bool]:
    """The rule of ``brief_filter`` in one of two shapes: the accounts in reach checked on
    each brief's joined account, or (``as_set``) a set of account ids the briefs are looked
    up in."""
    if not user.is_active:
        return false()
    if sees_everything(user):
        return true()
    parts = visible_parts(session, user)
    mine = department_ids(session, user)
    through_department = and_(Brief.department_id.in_(mine), was_sent_sql()) if mine else None
    if not parts:
        return through_department if through_department is not None else false()
    account: ColumnElement[bool] = or_(*parts)
    if as_set:  # uncorrelated: it holds whether or not the caller joins ``Account`` too
        account = Brief.account_id.in_(select(Account.id).where(account).correlate(None))
    return account if through_department is None else or_(account, through_department)


def brief_filter_set(session: Session, user: User) -> ColumnElement[bool]:
    """``brief_filter`` for the board and the lists; it reads no joined ``Account`` (a count
    over ``Brief`` needs no join). The accounts in reach are a set the briefs are looked up
    in through their index on ``account_id``: a manager's board counted their 16,000 briefs
    of 200,000 by reading them all, checking each one's account (615 ms on SQLite), and now
    reads only theirs (35 ms; docs/agency.md, performance)."""
    return _brief_filter(session, user, as_set=True)


def brief_filter(session: Session, user: User) -> ColumnElement[bool]:
    """A WHERE condition over ``Brief`` joined to ``Account`` (on ``Brief.account_id``):
    the briefs ``user`` may see (``rules.sees_brief``). Checked on each brief's account:
    the shape for one brief, and for the scorecards, which read the briefs of a period
    department by department first (a head's set of accounts would drive it instead)."""
    return _brief_filter(session, user, as_set=False)


def sees_accounts(user: User) -> bool:
    """Whether ``user``'s role sees accounts at all (every role but specialist; active)."""
    return bool(user.is_active) and Role(user.role) not in SEES_NOTHING


def get_visible_department(session: Session, user: User, department_id: int) -> Department:
    """The department if ``user`` may open its board (``rules.department_in_reach``); else
    NotFound ``no department N``, like a missing one."""
    department = session.get(Department, department_id) if 1 <= department_id <= MAX_ID \
        else None
    if department is None or not user.is_active or not rules.department_in_reach(
            sees_accounts=sees_accounts(user),
            in_department=department.id in department_ids(session, user)):
        raise NotFound(f"no department {department_id}")
    return department


def require_visible_account(session: Session, user: User, account_id: int) -> None:
    """NotFound ``no account N`` unless ``user`` sees the account (a filter on an account
    must not tell a caller who does not see it which briefs are its)."""
    if not 1 <= account_id <= MAX_ID:
        raise NotFound(f"no account {account_id}")
    get_visible_account(session, user, account_id)


def sees_account(session: Session, user: User, account_id: int) -> bool:
    """Whether ``user`` sees the account itself (a specialist never does): the Work tab,
    links to the account page, its contacts."""
    return session.scalar(
        select(Account.id).where(Account.id == account_id, visible_accounts(user))
    ) is not None


def get_visible_brief(session: Session, user: User, brief_id: int) -> Brief:
    """The brief if ``user`` sees it (``brief_filter``: its account, or its department once
    sent); else NotFound ``no brief N``."""
    if not 1 <= brief_id <= MAX_ID:
        raise NotFound(f"no brief {brief_id}")
    brief = session.scalar(
        select(Brief).join(Account, Account.id == Brief.account_id)
        .where(Brief.id == brief_id, brief_filter(session, user)))
    if brief is None:
        raise NotFound(f"no brief {brief_id}")
    return brief


def require_account_side(session: Session, user: User, brief: Brief) -> None:
    """The caller may act for the account (write, send, approve…): sees it and may change
    it; someone who sees the brief only through its department gets 403."""
    if not (can_write(user) and sees_account(session, user, brief.account_id)):
        raise Forbidden("only the account's team may do this to a brief")


def require_department_side(session: Session, user: User, brief: Brief) -> None:
    """The caller may act for the brief's department (accept, deliver…)."""
    if not works_in(session, user, brief.department_id):
        raise Forbidden("only the department's members may do this to a brief")


def calendar_of(session: Session, department: Department) -> WorkCalendar:
    """The department's working-day calendar: the company's, with its own weekdays and days
    off (``rules.department_calendar``)."""
    holidays = session.scalars(
        select(DepartmentHoliday.day).where(DepartmentHoliday.department_id == department.id)
    ).all()
    return rules.department_calendar(work_calendar(session), department.weekdays, holidays)


def today_of(department: Department, now: datetime) -> date:
    """The date it is now in the department's time zone."""
    return rules.local_day(now, department.time_zone)


def department_today(department: Department, caller_today: date, caller_zone: str | None,
                     now: datetime) -> date:
    """The department's today as seen from the caller's: ``caller_today`` (perhaps a fixed
    one) moved by the day the department's time zone is ahead of or behind the caller's at
    ``now`` (-1, 0 or +1); with the app's real today it is ``today_of(department, now)``."""
    return caller_today + (today_of(department, now) - local_date(now, caller_zone))


def account_name(session: Session, account_id: int) -> Any:
    """The account's name (what a specialist may know of it)."""
    return session.scalar(select(Account.name).where(Account.id == account_id))
