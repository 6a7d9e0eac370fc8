"""KAM settings stored in the database (``kam_settings``), read with KAM_MODELS.md defaults.

One JSON document per name: ``selection``, ``stages``, ``health``, ``health:<segment>``.
Reading never writes; a missing row means the defaults. Writing is for admins and heads,
validated by the policy's own parser, and audited.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.core import audit, versions
from accord.core.database import utcnow
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.models import Role, User
from accord.core.roles import require_role
from accord.selection.models import KamSetting
from accord.selection.rules import SelectionPolicy

T = TypeVar("T")

EDITORS = (Role.ADMIN, Role.HEAD)


def stored(session: Session, name: str) -> dict[str, Any] | None:
    return session.scalar(select(KamSetting.value).where(KamSetting.name == name))


def stored_names(session: Session, prefix: str) -> list[str]:
    return list(
        session.scalars(
            select(KamSetting.name)
            .where(KamSetting.name.like(f"{prefix}%"))
            .order_by(KamSetting.name)
        )
    )


def save(
    session: Session,
    user: User,
    name: str,
    value: dict[str, Any],
    parse: Callable[[dict[str, Any]], T],
    to_dict: Callable[[T], dict[str, Any]],
    expected: versions.Expected | None = None,
) -> T:
    """Validate with ``parse`` and store the normalised document; audited. ``expected``: the
    version the change started from (0: the defaults, no stored row); stale is a 409."""
    require_role(user, *EDITORS)
    _check_version(session, name, expected)
    try:
        policy = parse(value)
    except ValueError as exc:
        problems = []
        for part in str(exc).split("; "):
            field, _, message = part.partition(": ")
            problems.append(FieldProblem(field if message else name, message or part))
        raise ValidationFailed(problems) from None
    document = to_dict(policy)
    row = session.get(KamSetting, name)
    before = row.value if row else None
    if row is None:
        row = KamSetting(name=name, value=document, updated_at=utcnow(), updated_by=user.email)
        session.add(row)
    else:
        row.value = document
        row.updated_at = utcnow()
        row.updated_by = user.email
    session.flush()
    bump_version(session)
    audit.record(session, user, "update", "kam_setting", name, before=before, after=document)
    return policy


def setting_version(session: Session, name: str) -> int:
    """The stored document's version; 0 while the defaults apply (no row)."""
    return session.scalar(select(KamSetting.version).where(KamSetting.name == name)) or 0


def _check_version(session: Session, name: str, expected: versions.Expected | None) -> None:
    if expected is None:
        return
    row = session.get(KamSetting, name)
    if row is not None:
        versions.check(session, row, expected, f"setting {name!r}")
    elif expected.version != 0:
        raise versions.Stale(f"setting {name!r}", 0)


def delete(session: Session, user: User, name: str) -> None:
    require_role(user, *EDITORS)
    row = session.get(KamSetting, name)
    if row is not None:
        before = row.value
        session.delete(row)
        session.flush()
        bump_version(session)
        audit.record(session, user, "delete", "kam_setting", name, before=before)


def selection_policy(session: Session) -> SelectionPolicy:
    value = stored(session, "selection")
    return SelectionPolicy.from_dict(value) if value else SelectionPolicy()


def save_selection_policy(
    session: Session,
    user: User,
    value: dict[str, Any],
    expected: versions.Expected | None = None,
) -> SelectionPolicy:
    merged = {**selection_policy(session).to_dict(), **value}
    return save(
        session,
        user,
        "selection",
        merged,
        SelectionPolicy.from_dict,
        SelectionPolicy.to_dict,
        expected,
    )


def bump_version(session: Session) -> None:
    """Mark every derived KAM table (the decisions list) out of date."""
    from sqlalchemy import update

    from accord.selection.models import KamVersion

    updated = session.execute(
        update(KamVersion).where(KamVersion.id == 1).values(version=KamVersion.version + 1)
    )
    if getattr(updated, "rowcount", 0) == 0:
        session.add(KamVersion(id=1, version=1))
        session.flush()


def version(session: Session) -> int:
    from accord.selection.models import KamVersion

    return session.scalar(select(KamVersion.version).where(KamVersion.id == 1)) or 0
