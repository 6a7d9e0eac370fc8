"""Who sees and works on which brief: the one definition (every front door obeys, through
the services).

- A user sees a brief when they see its account (``accounts.visibility``) **or** belong to
  its department (a member or its lead). Department membership adds that access to any role;
  it never removes what the role grants. A ``specialist`` sees no account, so they see
  exactly their departments' briefs — with the account's name, and nothing else of it.
- The account side (writing, sending, approving, requesting changes, cancelling, agreeing a
  new due date) is for whoever may change the account (``visibility.can_write`` and sees it).
- The department side (accepting, proposing another due date, starting, delivering) is for
  the department's members and lead, and for admins.
- A brief out of reach is answered like a missing one (404, ``no brief N``).

In SQL (``brief_filter``) the rule is a condition over ``Brief`` joined to ``Account``: the
account conditions of ``visibility.visible_parts`` (the few ids read first) or the brief's
department among the caller's.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, false, or_, select, union
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.accounts.visibility import can_write, sees_everything, visible_accounts, visible_parts
from accord.agency import rules
from accord.agency.models import Brief, Department, DepartmentHoliday, DepartmentMember
from accord.core import read_cache
from accord.core.errors import Forbidden, NotFound
from accord.core.models import Role, User
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


def brief_filter(session: Session, user: User) -> ColumnElement[bool]:
    """A WHERE condition over ``Brief`` joined to ``Account`` (on ``Brief.account_id``):
    the briefs ``user`` may see."""
    if not user.is_active:
        return false()
    if sees_everything(user):
        return visible_accounts(user)  # true()
    parts: list[ColumnElement[bool]] = list(visible_parts(session, user))
    mine = department_ids(session, user)
    if mine:
        parts.append(Brief.department_id.in_(mine))
    return or_(*parts) if parts else false()


def sees_account(session: Session, user: User, account_id: int) -> bool:
    """Whether ``user`` sees the account itself (a specialist never does): the Work tab,
    links to the account page, its contacts."""
    return session.scalar(
        select(Account.id).where(Account.id == account_id, visible_accounts(user))
    ) is not None


def get_visible_brief(session: Session, user: User, brief_id: int) -> Brief:
    """The brief if ``user`` sees it (its account, or its department); else NotFound."""
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


def account_name(session: Session, account_id: int) -> Any:
    """The account's name (what a specialist may know of it)."""
    return session.scalar(select(Account.name).where(Account.id == account_id))
