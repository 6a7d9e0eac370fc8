"""The selection policy in the one policy store (``core.policy_store``), and the KAM version.

The selection policy holds the cut lines, the check limits, the revenue window and the one
ABC setting of Accord (``abc_a``/``abc_b``: the KPI report reads it from here).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from accord.core import policy_store, versions
from accord.core.models import User
from accord.selection.models import KamVersion
from accord.selection.rules import SelectionPolicy

NAME = "selection"


def selection_policy(session: Session) -> SelectionPolicy:
    return policy_store.load(session, NAME, SelectionPolicy)


def save_selection_policy(
    session: Session,
    user: User,
    value: dict[str, Any],
    expected: versions.Expected | None = None,
) -> SelectionPolicy:
    """Change the fields given (the others keep their stored value); audited."""
    merged = {**selection_policy(session).to_dict(), **value}
    policy = policy_store.save(session, user, NAME, merged, SelectionPolicy.from_dict, expected)
    bump_version(session)
    return policy


def bump_version(session: Session) -> None:
    """Mark every derived KAM table (the decisions list) out of date."""
    updated = session.execute(
        update(KamVersion).where(KamVersion.id == 1).values(version=KamVersion.version + 1)
    )
    if getattr(updated, "rowcount", 0) == 0:
        session.add(KamVersion(id=1, version=1))
        session.flush()


def version(session: Session) -> int:
    return session.scalar(select(KamVersion.version).where(KamVersion.id == 1)) or 0
