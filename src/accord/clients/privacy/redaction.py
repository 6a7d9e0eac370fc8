"""The redaction of an erasure (``clients.privacy.service.erase_client``): the text an erased
client leaves behind is replaced by ``[erased]``. ``redacted`` anonymises the fields of an
audit entry's values (ids, dates, numbers and closed vocabularies stay); ``redact_audit``
rewrites the earlier entries of the account and of its own contacts so, lifting the log's
append-only guard for those statements only, inside the erasure's transaction, and putting
it back before it ends (as migration 0010 did).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import and_, or_, select, text, update
from sqlalchemy.orm import Session

from accord.core.database import is_sqlite
from accord.core.models import AuditEntry

ERASED = "[erased]"
#: text values an erasure keeps in earlier audit entries: closed vocabularies, not typing
KEPT_TEXT = frozenset({
    "kind", "status", "segment", "business_line", "size_band", "buying_role", "source_kind",
    "role", "model_status", "manual_status", "member_group", "unit", "model", "currency",
})
DATE_TEXT = re.compile(r"^\d{4}-\d{2}(-\d{2})?([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$")
#: ids per IN list
CHUNK = 200


def redacted(value: Any, key: str | None = None) -> Any:
    """``value`` with every text that is not an id, a date or a closed vocabulary replaced
    by ``[erased]`` (numbers, booleans and empty values stay)."""
    if isinstance(value, dict):
        return {k: redacted(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [redacted(v, key) for v in value]
    if not isinstance(value, str) or value == "":
        return value
    if key is not None and (key == "id" or key.endswith(("_id", "_ids")) or key in KEPT_TEXT):
        return value
    return value if DATE_TEXT.match(value) else ERASED


def _entries(session: Session, account_id: int, contacts: list[int]) -> list[Any]:
    found = {row.id: row for row in session.execute(
        select(AuditEntry.id, AuditEntry.before, AuditEntry.after, AuditEntry.note)
        .where(AuditEntry.account_id == account_id))}
    for start in range(0, len(contacts), CHUNK):
        chunk = contacts[start:start + CHUNK]
        about = or_(
            and_(AuditEntry.entity == "contact",
                 AuditEntry.entity_id.in_([str(c) for c in chunk])),
            and_(AuditEntry.entity == "account_contact",
                 or_(*[AuditEntry.entity_id.like(f"%:{c}") for c in chunk])))
        for row in session.execute(select(AuditEntry.id, AuditEntry.before, AuditEntry.after,
                                          AuditEntry.note).where(about)):
            found[row.id] = row
    return [found[k] for k in sorted(found)]


def redact_audit(session: Session, account_id: int, contacts: list[int]) -> int:
    """Redact the earlier entries of the account and of its own contacts; how many changed."""
    changes = []
    for row in _entries(session, account_id, contacts):
        before, after = redacted(row.before), redacted(row.after)
        note = ERASED if row.note else row.note
        if (before, after, note) != (row.before, row.after, row.note):
            changes.append({"id": row.id, "before": before, "after": after, "note": note})
    if not changes:
        return 0
    restore = _lift_guard(session)
    for start in range(0, len(changes), CHUNK):
        session.execute(update(AuditEntry), changes[start:start + CHUNK])
    restore()
    return len(changes)


def _lift_guard(session: Session) -> Any:
    """Lift the log's append-only guard inside this transaction (migration 0001's triggers)
    and return what puts it back; a rollback puts it back as well."""
    if is_sqlite(session):
        sql = session.scalar(text(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' "
            "AND name = 'audit_log_no_update'"))
        if sql:
            session.execute(text("DROP TRIGGER audit_log_no_update"))
        return lambda: session.execute(text(sql)) if sql else None
    exists = session.scalar(text(
        "SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_log_no_change' "
        "AND tgrelid = 'audit_log'::regclass"))
    if exists:
        session.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change"))
    return lambda: session.execute(
        text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change")) if exists else None
