"""Importing contacts (people at accounts) from a CSV or Excel file.

A contact is identified by its external id, or by its e-mail when the file has no external
id. Several rows may name the same person at different accounts: one contact, one link per
account (with its buying role). A user may only import contacts for accounts they can see;
other rows are reported as unknown accounts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.accounts.contacts import (
    CONTACT_FIELDS,
    OUT_OF_REACH,
    contact_in_reach,
    contact_snapshot,
)
from accord.accounts.importing import Context, Row, read_rows
from accord.accounts.models import AccountContact, BuyingRole, Contact, Seniority
from accord.core import audit
from accord.core.database import utcnow
from accord.core.emails import EMAIL_RE
from accord.core.models import User
from accord.revenue.load.columns import Resolved
from accord.revenue.load.lookups import account_ids_by_external_id
from accord.revenue.load.readers import Table
from accord.revenue.schemas import ImportReport

ENUMS = {
    "seniority": tuple(s.value for s in Seniority),
    "buying_role": tuple(b.value for b in BuyingRole),
}
LIMITS = {"external_id": 100, "name": 200, "email": 254, "function": 60, "title": 120,
          "phone": 60}
#: contact fields a file may set (those of its columns present are applied)
FIELDS = ("external_id", "name", "email", "function", "phone")


def import_contacts(
    session: Session, user: User, table: Table, cols: Resolved, report: ImportReport,
    progress: Callable[[int, int], None] | None,
) -> None:
    ctx = Context(session, user, report.source.value, cols, report)
    pending: list[tuple[int, str, str]] = []
    raw = read_rows(table, cols, lambda line, col, why: pending.append((line, col, why)))
    rows = [Row(line, values) for line, values in raw]
    by_line = {r.line: r for r in rows}
    for line, col, why in pending:
        ctx.problem(by_line[line], col, why)
    report.rows = len(rows)
    if progress:
        progress(table.size, table.size)
    accounts = account_ids_by_external_id(session, user, ctx.source)
    for row in rows:
        _check(ctx, row, accounts)
    for row in rows:
        if row.ok:
            _write(ctx, row, accounts)
    session.flush()


def _check(ctx: Context, row: Row, accounts: dict[str, int]) -> None:
    v = row.values
    if v.get("name") is None and ("first_name" in v or "last_name" in v):
        v["name"] = " ".join(p for p in (v.get("first_name"), v.get("last_name")) if p) or None
    account = v.get("account_external_id")
    if account and ctx.source == "hubspot":
        account = v["account_external_id"] = account.split(";")[0].strip()
    if not account:
        ctx.problem(row, "account_external_id", "missing required field")
    elif account not in accounts:
        ctx.problem(row, "account_external_id", f"unknown account {account!r}")
    if not v.get("name"):
        ctx.problem(row, "name", "missing required field")
    email = v.get("email")
    if email:
        email = v["email"] = email.lower()
        if not EMAIL_RE.match(email):
            ctx.problem(row, "email", f"not an e-mail address: {email!r}")
    if not v.get("external_id") and not email:
        ctx.problem(row, "external_id" if "external_id" in ctx.cols.index else "email",
                    "missing required field (an external_id or an e-mail identifies a contact)")
    for name, limit in LIMITS.items():
        text = v.get(name)
        if text and len(text) > limit:
            ctx.problem(row, name, f"longer than {limit} characters")
    for name, allowed in ENUMS.items():
        text = v.get(name)
        if text is not None:
            text = v[name] = text.lower().replace(" ", "_").replace("-", "_")
            if text not in allowed:
                ctx.problem(row, name, f"bad value {text!r}; one of {', '.join(allowed)}")
    existing = _find(ctx, v)
    if existing is not None and not contact_in_reach(ctx.session, ctx.user, existing.id):
        column = "external_id" if v.get("external_id") else "email"
        ctx.problem(row, column, OUT_OF_REACH)


def _find(ctx: Context, v: dict[str, str | None]) -> Contact | None:
    if v.get("external_id"):
        return ctx.session.scalar(select(Contact).where(Contact.external_id == v["external_id"]))
    return ctx.session.scalar(
        select(Contact).where(func.lower(Contact.email) == v["email"]).order_by(Contact.id).limit(1)
    )


def _write(ctx: Context, row: Row, accounts: dict[str, int]) -> None:
    session, v, present, now = ctx.session, row.values, ctx.cols.index, utcnow()
    account_id = accounts[v["account_external_id"] or ""]
    contact = _find(ctx, v)
    created = contact is None
    if contact is None:
        contact = Contact(created_at=now, updated_at=now)
        session.add(contact)
    before = contact_snapshot(contact) if not created else None
    for name in FIELDS:
        if name in present or (name == "name" and v.get("name")):
            setattr(contact, name, v.get(name))
    if "seniority" in present:
        contact.seniority = v.get("seniority")
    session.flush()
    after = contact_snapshot(contact)
    changed = created
    if created:
        audit.record(session, ctx.user, "create", "contact", contact.id, after=after, note="import")
    else:
        assert before is not None
        old, new = audit.changed_fields(before, after)
        if new:
            changed = True
            contact.updated_at = now
            audit.record(session, ctx.user, "update", "contact", contact.id, before=old,
                         after=new, note="import")
    if _link(ctx, account_id, contact.id, v):
        changed = True
    if created:
        ctx.report.inserted += 1
    elif changed:
        ctx.report.updated += 1
    else:
        ctx.report.unchanged += 1


def _link(ctx: Context, account_id: int, contact_id: int, v: dict[str, Any]) -> bool:
    """Link the contact to the account with its role there; True when something changed."""
    session, present = ctx.session, ctx.cols.index
    link = session.get(AccountContact, (account_id, contact_id))
    before = None if link is None else {"buying_role": link.buying_role, "title": link.title}
    if link is None:
        link = AccountContact(account_id=account_id, contact_id=contact_id)
        session.add(link)
    if "buying_role" in present:
        link.buying_role = v.get("buying_role")
    if "title" in present:
        link.title = v.get("title")
    after = {"buying_role": link.buying_role, "title": link.title}
    if before == after:
        return False
    session.flush()
    audit.record(session, ctx.user, "link", "account_contact", f"{account_id}:{contact_id}",
                 before=before, after=after, note="import")
    return True


__all__ = ["import_contacts", "CONTACT_FIELDS"]
