"""Deliverable types (media plan, report, creative) and their checklists: read them (any
signed-in active user), save one (admins; created or replaced, audited as entity
``deliverable_type``), and ``seed_defaults``: the standard departments and deliverable types
when missing (the demo, ``accord departments seed``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.agency.departments import queries, rules
from accord.agency.departments.queries import checklist_of
from accord.agency.departments.schemas import (
    ChecklistItem,
    DeliverableTypeOut,
    DeliverableTypePage,
)
from accord.agency.models import DeliverableType, Department
from accord.core import audit, versions
from accord.core.database import utcnow
from accord.core.errors import FieldProblem, Forbidden, NotFound, ValidationFailed
from accord.core.models import Role, User
from accord.core.roles import require_role

__all__ = ["checklist_of", "get_deliverable_type", "list_deliverable_types",
           "save_deliverable_type", "seed_defaults"]

ENTITY = "deliverable_type"


def _out(row: DeliverableType) -> DeliverableTypeOut:
    return DeliverableTypeOut(
        key=row.key, name=row.name, version=row.version,
        items=[ChecklistItem(key=i.get("key", ""), label=i.get("label", ""))
               for i in row.items or []])


def _active(user: User) -> None:
    if not user.is_active:
        raise Forbidden("your account is deactivated")


def list_deliverable_types(session: Session, user: User) -> DeliverableTypePage:
    """Every deliverable type with its checklist, by key (one page: they are few)."""
    _active(user)
    rows = queries.deliverable_types(session)
    return DeliverableTypePage(items=[_out(r) for r in rows], total=len(rows), page=1,
                               page_size=max(len(rows), 1))


def _find(session: Session, key: str) -> DeliverableType:
    row = session.get(DeliverableType, key) \
        if isinstance(key, str) and rules.KEY_PATTERN.fullmatch(key) else None
    if row is None:
        raise NotFound(f"no deliverable type {key[:40]}")
    return row


def get_deliverable_type(session: Session, user: User, key: str) -> DeliverableTypeOut:
    _active(user)
    return _out(_find(session, key))


def save_deliverable_type(session: Session, user: User, key: str, data: Mapping[str, Any],
                          *, expected: versions.Expected | None = None) -> DeliverableTypeOut:
    """Create the deliverable type ``key`` or replace its name and checklist (admins):
    ``data`` holds ``name`` and ``items`` ``[{key, label}, …]``. Audited."""
    require_role(user, Role.ADMIN)
    problems: list[FieldProblem] = []
    key = rules.check_key(problems, key)
    name = rules.check_name(problems, data.get("name"))
    raw = data.get("items")
    items = rules.check_items(problems, [
        dict(i) if isinstance(i, Mapping) else i
        for i in raw] if isinstance(raw, list | tuple) else raw)
    if problems:
        raise ValidationFailed(problems)
    row = session.get(DeliverableType, key)
    if row is None:
        row = DeliverableType(key=key, name=name, items=items, version=1)
        session.add(row)
        session.flush()
        audit.record(session, user, "create", ENTITY, key,
                     after={"name": name, "items": items})
        return _out(row)
    versions.check(session, row, expected, f"the deliverable type {key}")
    before = {"name": row.name, "items": row.items}
    old, new = audit.changed_fields(before, {"name": name, "items": items})
    if new:
        row.name, row.items = name, items
        versions.bump(row)
        session.flush()
        audit.record(session, user, "update", ENTITY, key, before=old, after=new)
    return _out(row)


def seed_defaults(session: Session, user: User | None) -> dict[str, int]:
    """Create the standard departments (``rules.STANDARD_DEPARTMENTS``, each with its kind's
    template) and deliverable types (``rules.DEFAULT_DELIVERABLES``) that are missing — by
    name, case-insensitively, and by key. Idempotent; admins (None: the system, for the
    demo). Returns how many of each it created. Audited."""
    if user is not None:
        require_role(user, Role.ADMIN)
    have = {n.lower() for n in session.scalars(select(func.lower(Department.name))).all()}
    created = {"departments": 0, "deliverable_types": 0}
    now = utcnow()
    for name in rules.STANDARD_DEPARTMENTS:
        if name.lower() in have:
            continue
        row = Department(name=name, time_zone="UTC", weekdays=None, turnaround_days=5,
                         sections=rules.template_for(name), is_active=True, created_at=now,
                         updated_at=now, version=1)
        session.add(row)
        session.flush()
        audit.record(session, user, "create", "department", row.id,
                     after={"name": name, "sections": row.sections}, note="standard set")
        created["departments"] += 1
    keys = set(session.scalars(select(DeliverableType.key)).all())
    for key, spec in rules.DEFAULT_DELIVERABLES.items():
        if key in keys:
            continue
        items = [dict(i) for i in spec["items"]]
        session.add(DeliverableType(key=key, name=spec["name"], items=items, version=1))
        session.flush()
        audit.record(session, user, "create", ENTITY, key,
                     after={"name": spec["name"], "items": items}, note="standard set")
        created["deliverable_types"] += 1
    return created
