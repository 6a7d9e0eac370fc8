"""Departments and deliverable types as read: the lists, one department with its members and
holidays, the choices of the brief form, a department's template and a deliverable type's
checklist. Reads only (a GET's session)."""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from accord.agency.access import department_ids
from accord.agency.models import (
    DeliverableType,
    Department,
    DepartmentHoliday,
    DepartmentMember,
)
from accord.core.errors import NotFound
from accord.core.models import User
from accord.core.schemas import MAX_ID


def find_department(session: Session, department_id: int) -> Department:
    """The department, or NotFound (``no department N``)."""
    row = session.get(Department, department_id) if 1 <= department_id <= MAX_ID else None
    if row is None:
        raise NotFound(f"no department {department_id}")
    return row


def find_by_name(session: Session, name: str) -> Department | None:
    """The department called ``name`` (case-insensitively), if any."""
    return session.scalar(select(Department).where(
        func.lower(Department.name) == name.strip().lower()))


def template_of(session: Session, department_id: int) -> list[dict[str, Any]]:
    """The department's brief template: its sections ``[{key, label, hint}, …]`` (a copy);
    NotFound (``no department N``) when there is none."""
    sections = session.scalar(select(Department.sections).where(
        Department.id == department_id)) if 1 <= department_id <= MAX_ID else None
    if sections is None:
        raise NotFound(f"no department {department_id}")
    return copy.deepcopy(list(sections))


def checklist_of(session: Session, key: str) -> list[dict[str, Any]]:
    """A deliverable type's checklist ``[{key, label}, …]`` (a copy); NotFound (``no
    deliverable type KEY``) when there is none."""
    items = session.scalar(select(DeliverableType.items).where(
        DeliverableType.key == key)) if isinstance(key, str) and len(key) <= 40 else None
    if items is None:
        raise NotFound(f"no deliverable type {key}")
    return copy.deepcopy(list(items))


def department_choices(session: Session) -> list[tuple[int, str]]:
    """The active departments as ``(id, name)``, by name (the brief form's choices)."""
    rows = session.execute(select(Department.id, Department.name)
                           .where(Department.is_active.is_(True))
                           .order_by(func.lower(Department.name), Department.id)).all()
    return [(int(i), str(n)) for i, n in rows]


def my_departments(session: Session, user: User) -> list[tuple[int, str]]:
    """The active departments ``user`` belongs to (member or lead) as ``(id, name)``, by
    name; none for an inactive user."""
    mine = department_ids(session, user)
    if not mine:
        return []
    rows = session.execute(select(Department.id, Department.name)
                           .where(Department.id.in_(mine), Department.is_active.is_(True))
                           .order_by(func.lower(Department.name), Department.id)).all()
    return [(int(i), str(n)) for i, n in rows]


def department_rows(session: Session, *, include_inactive: bool, mine: list[int],
                    page: int, page_size: int) -> tuple[list[dict[str, Any]], int]:
    """A page of departments with their lead and member count (the caller's own first when
    ``mine`` names them, then by name), and how many there are: two statements."""
    members = (select(DepartmentMember.department_id, func.count().label("n"))
               .group_by(DepartmentMember.department_id).subquery())
    where = [] if include_inactive else [Department.is_active.is_(True)]
    order = [case((Department.id.in_(mine), 0), else_=1)] if mine else []
    query = (select(Department, User, func.coalesce(members.c.n, 0))
             .outerjoin(User, User.id == Department.lead_id)
             .outerjoin(members, members.c.department_id == Department.id)
             .where(*where)
             .order_by(*order, func.lower(Department.name), Department.id)
             .limit(page_size).offset((page - 1) * page_size))
    total = int(session.scalar(select(func.count()).select_from(Department).where(*where))
                or 0)
    rows = [{"department": d, "lead": lead, "member_count": int(n)}
            for d, lead, n in session.execute(query).all()]
    return rows, total


def members_of(session: Session, department_id: int) -> list[User]:
    return list(session.scalars(
        select(User).join(DepartmentMember, DepartmentMember.user_id == User.id)
        .where(DepartmentMember.department_id == department_id)
        .order_by(func.lower(User.name), User.id)).all())


def holidays_of(session: Session, department_id: int) -> list[DepartmentHoliday]:
    return list(session.scalars(
        select(DepartmentHoliday).where(DepartmentHoliday.department_id == department_id)
        .order_by(DepartmentHoliday.day)).all())


def holiday_count(session: Session, department_id: int) -> int:
    return int(session.scalar(select(func.count()).select_from(DepartmentHoliday).where(
        DepartmentHoliday.department_id == department_id)) or 0)


def deliverable_types(session: Session) -> list[DeliverableType]:
    return list(session.scalars(select(DeliverableType).order_by(DeliverableType.key)).all())


def user_choices(session: Session) -> list[User]:
    """Active users (members and leads may be of any role), by name."""
    return list(session.scalars(select(User).where(User.is_active.is_(True))
                                .order_by(func.lower(User.name), User.id)).all())
