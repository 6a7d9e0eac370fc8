"""Departments: list and read them (any signed-in active user: names, lead, members,
turnaround, time zone — no account data), create and edit them, set their members and
holidays (admins), and the accessors other agency packages call (``template_of``,
``department_choices``, ``my_departments``). Deliverable types and the standard set are in
``checklists`` and re-exported here.

Every change is audited (entity ``department``) in the caller's transaction; an edit naming
the version it started from (a form, ``If-Match``) is refused when the department changed
meanwhile (``core.versions``). Bad input is a ValidationFailed naming the field, and nothing
is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from accord.agency.access import department_ids
from accord.agency.departments import queries, rules
from accord.agency.departments.checklists import (
    checklist_of,
    get_deliverable_type,
    list_deliverable_types,
    save_deliverable_type,
    seed_defaults,
)
from accord.agency.departments.queries import (
    department_choices,
    find_department,
    my_departments,
    template_of,
)
from accord.agency.departments.schemas import (
    DepartmentOut,
    DepartmentPage,
    DepartmentSummary,
    Holiday,
    Section,
)
from accord.agency.models import Department, DepartmentHoliday, DepartmentMember
from accord.core import audit, versions
from accord.core.database import utcnow
from accord.core.emails import normalise_email
from accord.core.errors import FieldProblem, Forbidden, NotFound, ValidationFailed
from accord.core.models import Role, User
from accord.core.roles import require_role
from accord.core.schemas import MAX_ID, UserRef

__all__ = ["add_holiday", "checklist_of", "create_department", "department_choices",
           "find_department_ref", "get_deliverable_type", "get_department",
           "list_deliverable_types", "list_departments", "my_departments", "remove_holiday",
           "save_deliverable_type", "seed_defaults", "set_members", "set_members_by_email",
           "template_of", "update_department", "user_choices"]

ENTITY = "department"
MAX_PAGE_SIZE = 200
FIELDS = ("name", "lead_id", "time_zone", "weekdays", "turnaround_days", "sections",
          "is_active")


def _active(user: User) -> None:
    if not user.is_active:
        raise Forbidden("your account is deactivated")


def _ref(user: User) -> UserRef:
    return UserRef(id=user.id, email=user.email, name=user.name, role=user.role)


def _facts(row: Department) -> dict[str, Any]:
    return {"name": row.name, "lead_id": row.lead_id, "time_zone": row.time_zone,
            "weekdays": row.weekdays, "turnaround_days": row.turnaround_days,
            "sections": row.sections, "is_active": row.is_active}


def _summary(row: Department, lead: User | None, count: int, mine: Iterable[int]
             ) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "lead": _ref(lead) if lead else None,
            "member_count": count, "turnaround_days": row.turnaround_days,
            "time_zone": row.time_zone, "weekdays": row.weekdays, "is_active": row.is_active,
            "is_mine": row.id in set(mine)}


# ---------------------------------------------------------------- reading


def list_departments(session: Session, user: User, *, include_inactive: bool = False,
                     page: int = 1, page_size: int = 50) -> DepartmentPage:
    """The departments (active ones unless ``include_inactive``), the caller's own first,
    then by name; paged. Any signed-in active user."""
    _active(user)
    if not 1 <= page <= MAX_ID or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationFailed([FieldProblem("page", "out of range")])
    mine = department_ids(session, user)
    rows, total = queries.department_rows(session, include_inactive=include_inactive,
                                          mine=mine, page=page, page_size=page_size)
    return DepartmentPage(
        items=[DepartmentSummary(**_summary(r["department"], r["lead"], r["member_count"],
                                            mine)) for r in rows],
        total=total, page=page, page_size=page_size)


def get_department(session: Session, user: User, department_id: int) -> DepartmentOut:
    """One department with its sections, members and holidays. Any signed-in active user;
    NotFound (``no department N``) when there is none."""
    _active(user)
    row = find_department(session, department_id)
    lead = session.get(User, row.lead_id) if row.lead_id else None
    members = queries.members_of(session, row.id)
    holidays = queries.holidays_of(session, row.id)
    return DepartmentOut(
        **_summary(row, lead, len(members), department_ids(session, user)),
        sections=[Section(key=s.get("key", ""), label=s.get("label", ""),
                          hint=s.get("hint") or "") for s in row.sections or []],
        members=[_ref(m) for m in members],
        holidays=[Holiday(day=h.day, name=h.name or "") for h in holidays],
        created_at=row.created_at, updated_at=row.updated_at, version=row.version)


def find_department_ref(session: Session, user: User, ref: str) -> int:
    """The id of the department ``ref`` names: its id, or its name (case-insensitively)."""
    _active(user)
    text = ref.strip()
    if text.isdigit() and len(text) < 11:
        row = session.get(Department, int(text)) if 1 <= int(text) <= MAX_ID else None
        if row is not None:
            return row.id
    found = queries.find_by_name(session, text) if len(text) <= rules.MAX_NAME else None
    if found is None:
        raise NotFound(f"no department {text[:80]!r}")
    return found.id


def user_choices(session: Session, user: User) -> list[UserRef]:
    """The active users an admin may make a lead or a member (any role)."""
    require_role(user, Role.ADMIN)
    return [_ref(u) for u in queries.user_choices(session)]


# ---------------------------------------------------------------- writing


def _lead(session: Session, problems: list[FieldProblem], data: Mapping[str, Any]
          ) -> int | None:
    """The lead's id: ``lead_id`` or ``lead_email`` (the CLI), an active user, or None."""
    email = data.get("lead_email")
    if isinstance(email, str) and email.strip():
        found = session.scalar(select(User).where(User.email == normalise_email(email)))
        if found is None or not found.is_active:
            problems.append(FieldProblem("lead", f"no active user {email.strip()[:254]}"))
            return None
        return found.id
    lead_id = data.get("lead_id")
    if lead_id is None:
        return None
    lead = session.get(User, lead_id) if isinstance(lead_id, int) \
        and not isinstance(lead_id, bool) and 1 <= lead_id <= MAX_ID else None
    if lead is None or not lead.is_active:
        problems.append(FieldProblem("lead_id", f"no active user {lead_id}"))
        return None
    return lead.id


def _unique_name(session: Session, problems: list[FieldProblem], name: str,
                 own_id: int | None) -> None:
    if not name:
        return
    other = queries.find_by_name(session, name)
    if other is not None and other.id != own_id:
        problems.append(FieldProblem("name", f"a department called {other.name!r} exists"))


def _sections(problems: list[FieldProblem], raw: object) -> list[dict[str, str]]:
    if raw is not None and not isinstance(raw, list | tuple):
        problems.append(FieldProblem("sections", "give the sections as a list"))
        return []
    plain = [dict(s) if isinstance(s, Mapping) else s
             for s in (raw or [])]
    return rules.check_sections(problems, plain)


def create_department(session: Session, user: User, data: Mapping[str, Any]) -> DepartmentOut:
    """A new department (admins). ``data``: name, lead_id (or lead_email), time_zone,
    weekdays (None: the company's), turnaround_days, sections (left out or None: the
    default template of the name's kind), is_active. Audited."""
    require_role(user, Role.ADMIN)
    problems: list[FieldProblem] = []
    name = rules.check_name(problems, data.get("name"))
    _unique_name(session, problems, name, None)
    lead_id = _lead(session, problems, data)
    zone = rules.check_time_zone(problems, data.get("time_zone", "UTC"))
    weekdays = rules.check_weekdays(problems, data.get("weekdays"))
    turnaround = rules.check_turnaround(problems, data.get("turnaround_days", 5))
    raw = data.get("sections")
    sections = rules.template_for(name) if raw is None else _sections(problems, raw)
    active = data.get("is_active", True)
    if not isinstance(active, bool):
        problems.append(FieldProblem("is_active", "true or false"))
    if problems:
        raise ValidationFailed(problems)
    now = utcnow()
    row = Department(name=name, lead_id=lead_id, time_zone=zone, weekdays=weekdays,
                     turnaround_days=turnaround, sections=sections, is_active=bool(active),
                     created_at=now, updated_at=now, version=1)
    session.add(row)
    session.flush()
    audit.record(session, user, "create", ENTITY, row.id, after=_facts(row))
    return get_department(session, user, row.id)


def _current(row: Department) -> Callable[[], dict[str, str]]:
    return lambda: {"name": row.name, "lead_id": versions.as_text(row.lead_id),
                    "time_zone": row.time_zone, "turnaround_days": str(row.turnaround_days)}


def update_department(session: Session, user: User, department_id: int,
                      data: Mapping[str, Any], *,
                      expected: versions.Expected | None = None) -> DepartmentOut:
    """Change the fields ``data`` holds (admins): those of ``create_department`` (sections
    given: 1–20 of them; weekdays None: the company calendar). Audited; the version rises."""
    require_role(user, Role.ADMIN)
    row = find_department(session, department_id)
    problems: list[FieldProblem] = []
    new = _facts(row)
    if "name" in data:
        new["name"] = rules.check_name(problems, data["name"])
        _unique_name(session, problems, new["name"], row.id)
    if "lead_id" in data or "lead_email" in data:
        new["lead_id"] = _lead(session, problems, data)
    if "time_zone" in data:
        new["time_zone"] = rules.check_time_zone(problems, data["time_zone"])
    if "weekdays" in data:
        new["weekdays"] = rules.check_weekdays(problems, data["weekdays"])
    if "turnaround_days" in data:
        new["turnaround_days"] = rules.check_turnaround(problems, data["turnaround_days"])
    if "sections" in data:
        new["sections"] = _sections(problems, data["sections"] if data["sections"] is not None
                                    else [])
    if "is_active" in data:
        if not isinstance(data["is_active"], bool):
            problems.append(FieldProblem("is_active", "true or false"))
        else:
            new["is_active"] = data["is_active"]
    if problems:
        raise ValidationFailed(problems)
    versions.check(session, row, expected, "the department", _current(row))
    before = _facts(row)
    for key in FIELDS:
        setattr(row, key, new[key])
    old, changed = audit.changed_fields(before, _facts(row))
    if changed:
        versions.bump(row)
        row.updated_at = utcnow()
        session.flush()
        audit.record(session, user, "update", ENTITY, row.id, before=old, after=changed)
    return get_department(session, user, row.id)


def _changed_elsewhere(session: Session, row: Department) -> None:
    versions.bump(row)
    row.updated_at = utcnow()
    session.flush()


def set_members(session: Session, user: User, department_id: int, user_ids: Iterable[int]
                ) -> DepartmentOut:
    """The department's members are exactly ``user_ids`` (active users of any role;
    admins). Audited with who joined and who left."""
    require_role(user, Role.ADMIN)
    row = find_department(session, department_id)
    wanted = sorted(set(user_ids))
    if len(wanted) > 500:
        raise ValidationFailed([FieldProblem("user_ids", "at most 500 members")])
    bad = [i for i in wanted if not 1 <= i <= MAX_ID]
    found = set(session.scalars(select(User.id).where(
        User.id.in_([i for i in wanted if i not in bad]), User.is_active.is_(True))).all()) \
        if wanted else set()
    missing = [i for i in wanted if i not in found]
    if missing:
        raise ValidationFailed([FieldProblem(
            "user_ids", "no active user " + ", ".join(str(i) for i in missing[:10]))])
    current = set(session.scalars(select(DepartmentMember.user_id).where(
        DepartmentMember.department_id == row.id)).all())
    joined, left = sorted(found - current), sorted(current - found)
    if joined or left:
        if left:
            session.execute(delete(DepartmentMember).where(
                DepartmentMember.department_id == row.id,
                DepartmentMember.user_id.in_(left)))
        session.add_all([DepartmentMember(department_id=row.id, user_id=i) for i in joined])
        _changed_elsewhere(session, row)
        audit.record(session, user, "members", ENTITY, row.id,
                     before={"members": sorted(current)},
                     after={"members": sorted(found), "joined": joined, "left": left})
    return get_department(session, user, row.id)


def set_members_by_email(session: Session, user: User, department_id: int,
                         emails: Iterable[str]) -> DepartmentOut:
    """``set_members`` naming the users by e-mail (the CLI)."""
    require_role(user, Role.ADMIN)
    wanted = sorted({normalise_email(e) for e in emails if e.strip()})
    rows = dict(session.execute(select(User.email, User.id).where(
        User.email.in_(wanted), User.is_active.is_(True))).all()) if wanted else {}
    missing = [e for e in wanted if e not in rows]
    if missing:
        raise ValidationFailed([FieldProblem(
            "members", "no active user " + ", ".join(m[:254] for m in missing[:10]))])
    return set_members(session, user, department_id, rows.values())


def add_holiday(session: Session, user: User, department_id: int, day: date,
                name: str = "") -> DepartmentOut:
    """A day off of the department's own (on top of the company's holidays; admins). The
    same day again renames it. Audited."""
    require_role(user, Role.ADMIN)
    row = find_department(session, department_id)
    problems: list[FieldProblem] = []
    day, text = rules.check_holiday(problems, day, name)
    if problems:
        raise ValidationFailed(problems)
    existing = session.get(DepartmentHoliday, (row.id, day))
    if existing is None:
        if queries.holiday_count(session, row.id) >= rules.MAX_HOLIDAYS:
            raise ValidationFailed([FieldProblem(
                "day", f"a department has at most {rules.MAX_HOLIDAYS} holidays")])
        session.add(DepartmentHoliday(department_id=row.id, day=day, name=text))
        before = None
    elif existing.name == text:
        return get_department(session, user, row.id)
    else:
        before = {"day": day, "name": existing.name}
        existing.name = text
    _changed_elsewhere(session, row)
    audit.record(session, user, "add_holiday", ENTITY, row.id, before=before,
                 after={"day": day, "name": text})
    return get_department(session, user, row.id)


def remove_holiday(session: Session, user: User, department_id: int, day: date
                   ) -> DepartmentOut:
    """Remove one of the department's own days off (admins); a day it does not have is left
    as it is (idempotent: nothing written). Audited."""
    require_role(user, Role.ADMIN)
    row = find_department(session, department_id)
    existing = session.get(DepartmentHoliday, (row.id, day))
    if existing is None:
        return get_department(session, user, row.id)
    before = {"day": day, "name": existing.name}
    session.delete(existing)
    _changed_elsewhere(session, row)
    audit.record(session, user, "remove_holiday", ENTITY, row.id, before=before)
    return get_department(session, user, row.id)
