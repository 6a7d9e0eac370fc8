"""Write audit entries in the same transaction as the change they describe."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from accord.core.database import utcnow
from accord.core.models import AuditEntry, User


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


#: entities whose id is an account's id, and those whose id is "<account id>:<other>"
#: (the same lists fill in older entries in migration 0010)
ACCOUNT_ENTITIES = frozenset({"account", "account_members", "account_selection", "health"})
ACCOUNT_PREFIXED = frozenset({"account_contact", "stage_criterion"})


def account_of(
    entity: str,
    entity_id: object | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> int | None:
    """The account an entry is about: its id, its id's prefix, or ``account_id`` in the data."""
    text = None if entity_id is None else str(entity_id)
    if text and entity in ACCOUNT_ENTITIES and text.isdigit():
        return int(text)
    if text and entity in ACCOUNT_PREFIXED and text.partition(":")[0].isdigit():
        return int(text.partition(":")[0])
    for data in (after, before):
        value = (data or {}).get("account_id")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def record(
    session: Session,
    actor: User | None,
    action: str,
    entity: str,
    entity_id: object | None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str | None = None,
    account_id: int | None = None,
) -> None:
    """One entry; ``account_id`` when the entity's id does not name the account (a contact
    edited at one of its accounts), otherwise it is found by ``account_of``."""
    session.execute(
        insert(AuditEntry).values(
            at=utcnow(),
            actor_id=actor.id if actor else None,
            actor=actor.email if actor else "system",
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            before=_plain(before) if before is not None else None,
            after=_plain(after) if after is not None else None,
            note=note,
            account_id=(
                account_id
                if account_id is not None
                else account_of(entity, entity_id, before, after)
            ),
        )
    )


def changed_fields(
    before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that differ, for compact audit entries."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
