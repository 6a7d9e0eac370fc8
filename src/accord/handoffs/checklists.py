"""Checklist templates of hand-offs (one per kind, admin-edited, stored in
``core.policy_store`` as ``handoff_checklist_sales`` / ``handoff_checklist_manager``) and the
hand-off settings (``handoffs``: the deadline in working days). The front doors reach these
through ``handoffs.service``."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from accord.core import policy_store, versions
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.models import Role, User
from accord.core.roles import require_role
from accord.handoffs import rules
from accord.handoffs.rules import (
    CHECKLISTS,
    HANDOFFS_SETTING,
    ChecklistPolicy,
    HandoffKind,
    HandoffsPolicy,
)
from accord.handoffs.schemas import ChecklistIn, ChecklistItemOut, ChecklistOut


def checklist(session: Session, kind: HandoffKind | str) -> ChecklistPolicy:
    """The checklist template of ``kind`` (stored, or the defaults)."""
    kind = _kind(kind)
    value = policy_store.stored(session, rules.checklist_setting(kind))
    policy = CHECKLISTS[kind]
    return policy.from_dict(value) if value else policy()


def checklist_out(session: Session, kind: HandoffKind | str) -> ChecklistOut:
    kind = _kind(kind)
    return ChecklistOut(
        kind=kind.value,
        items=[ChecklistItemOut(**item.model_dump()) for item in checklist(session, kind).items],
        version=policy_store.setting_version(session, rules.checklist_setting(kind)),
    )


def settings(session: Session) -> HandoffsPolicy:
    """The hand-off settings (deadline in working days)."""
    return policy_store.load(session, HANDOFFS_SETTING, HandoffsPolicy)


def settings_version(session: Session) -> int:
    """The settings' version (0 while the defaults apply): the API's ETag."""
    return policy_store.setting_version(session, HANDOFFS_SETTING)


def save_settings(
    session: Session,
    user: User,
    data: dict[str, Any],
    *,
    expected: versions.Expected | None = None,
) -> HandoffsPolicy:
    """Change the hand-off settings (admins and heads; only the fields given); audited."""
    merged = {**settings(session).to_dict(), **data}
    return policy_store.save(
        session, user, HANDOFFS_SETTING, merged, HandoffsPolicy.from_dict, expected
    )


def save_checklist(
    session: Session,
    user: User,
    kind: HandoffKind | str,
    data: ChecklistIn | dict[str, Any],
    expected: versions.Expected | None = None,
) -> ChecklistPolicy:
    """Replace the checklist template of ``kind`` (admins); hand-offs already opened keep
    their items."""
    require_role(user, Role.ADMIN)
    kind = _kind(kind)
    value = data.given() if isinstance(data, ChecklistIn) else dict(data)
    return policy_store.save(
        session, user, rules.checklist_setting(kind), value, CHECKLISTS[kind].from_dict, expected
    )


def replace_checklist(
    session: Session,
    user: User,
    kind: HandoffKind | str,
    data: ChecklistIn | dict[str, Any],
    *,
    expected: versions.Expected | None = None,
) -> ChecklistOut:
    """``save_checklist``, answered as the front doors show a checklist (with its version)."""
    save_checklist(session, user, kind, data, expected)
    return checklist_out(session, kind)


def _kind(kind: HandoffKind | str) -> HandoffKind:
    try:
        return HandoffKind(kind)
    except ValueError:
        raise ValidationFailed([FieldProblem("kind", "sales or manager")]) from None
