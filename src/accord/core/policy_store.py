"""The one store of policies: ``kam_settings``, one JSON document per policy name.

Names: ``selection``, ``stages``, ``health`` and ``health:<segment>``. Reading never writes;
a missing row means the policy's defaults. Writing is for admins and heads, validated by the
policy's own parser (``core.policy.Policy.from_dict``: structured problems, no strings parsed
back), versioned (optimistic concurrency, ``core.versions``) and audited. What a change
means for derived tables (the KAM decisions) is the calling capability's business.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import JSON, Integer, String, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from accord.core import audit, read_cache, versions
from accord.core.database import Base, UTCDateTime, utcnow
from accord.core.models import Role, User
from accord.core.policy import Policy
from accord.core.roles import require_role

P = TypeVar("P", bound=Policy)

EDITORS = (Role.ADMIN, Role.HEAD)


class KamSetting(Base):
    """A stored policy, editable by admins and heads (one JSON document per name).

    Names: ``selection``, ``stages``, ``health`` and ``health:<segment>`` (per-segment health).
    A missing row means the defaults of docs/settings.md.
    """

    __tablename__ = "kam_settings"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(254))
    #: raised by every change of the document (optimistic concurrency, core.versions)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))


# optimistic concurrency (core.versions): a new document raises the setting's version
versions.versioned(KamSetting, ("value",))


def stored(session: Session, name: str) -> dict[str, Any] | None:
    """The stored document (a copy: the caller may change it), or None; read once per
    reader's transaction (``core.read_cache``)."""
    value = read_cache.remembered(
        session, ("policy", name),
        lambda: session.scalar(select(KamSetting.value).where(KamSetting.name == name)))
    return copy.deepcopy(value)


def stored_names(session: Session, prefix: str) -> list[str]:
    return list(
        session.scalars(
            select(KamSetting.name)
            .where(KamSetting.name.like(f"{prefix}%"))
            .order_by(KamSetting.name)
        )
    )


def load(session: Session, name: str, policy: type[P]) -> P:
    """The stored policy, or its defaults while none is stored."""
    value = stored(session, name)
    return policy.from_dict(value) if value else policy()


def save(
    session: Session,
    user: User,
    name: str,
    value: dict[str, Any],
    parse: Callable[[dict[str, Any]], P],
    expected: versions.Expected | None = None,
) -> P:
    """Validate with ``parse`` (a ``ValidationFailed`` listing every problem) and store the
    normalised document; audited. ``expected``: the version the change started from (0: the
    defaults, no stored row); stale is a 409."""
    require_role(user, *EDITORS)
    _check_version(session, name, expected)
    policy = parse(value)
    document = policy.to_dict()
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
    audit.record(session, user, "update", "kam_setting", name, before=before, after=document)
    return policy


def delete(session: Session, user: User, name: str) -> bool:
    """Forget a stored policy (its defaults apply again); audited. True when one was stored."""
    require_role(user, *EDITORS)
    row = session.get(KamSetting, name)
    if row is None:
        return False
    before = row.value
    session.delete(row)
    session.flush()
    audit.record(session, user, "delete", "kam_setting", name, before=before)
    return True


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
