"""Importing contacts (people at accounts): rows already read from a file (``accord.exchange``
reads it).

A contact is identified by its external id, or by its e-mail when the file has no external
id. Several rows may name the same person at different accounts: one contact, one link per
account (with its buying role). A user may only import contacts for accounts they can see;
other rows are reported as unknown accounts.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.accounts.contacts import (
    CONTACT_FIELDS,
    OUT_OF_REACH,
    contact_in_reach,
    contact_snapshot,
)
from accord.accounts.importing import Context, FileRows, Outcome, Row, rows_of
from accord.accounts.lookups import account_ids_by_external_id
from accord.accounts.models import AccountContact, BuyingRole, Contact, Seniority
from accord.core import audit
from accord.core.database import utcnow
from accord.core.emails import EMAIL_RE
from accord.core.models import User

ENUMS = {
    "seniority": tuple(s.value for s in Seniority),
    "buying_role": tuple(b.value for b in BuyingRole),
}
LIMITS = {"external_id": 100, "name": 200, "email": 254, "function": 60, "title": 120,
          "phone": 60}
#: contact fields a file may set (those of its columns present are applied)
FIELDS = ("external_id", "name", "email", "function", "phone")


def import_contacts(session: Session, user: User, file: FileRows) -> Outcome:
    """Check every row, then create or update the contacts of the good ones and their link
    to the account (audited)."""
    ctx = Context(session, user, file, Outcome())
    rows = rows_of(ctx)
    accounts = account_ids_by_external_id(session, user, ctx.source)
    for row in rows:
        _check(ctx, row, accounts)
    for row in rows:
        if row.ok:
            _write(ctx, row, accounts)
    session.flush()
    return ctx.outcome


def _check(ctx: Context, row: Row, accounts: dict[str, int]) -> None:
    _check_account(ctx, row, accounts)
    _check_identity(ctx, row)
    _check_cells(ctx, row)
    existing = _find(ctx, row.values)
    if existing is not None and not contact_in_reach(ctx.session, ctx.user, existing.id):
        column = "external_id" if row.values.get("external_id") else "email"
        ctx.problem(row, column, OUT_OF_REACH)


def _check_account(ctx: Context, row: Row, accounts: dict[str, int]) -> None:
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


def _check_identity(ctx: Context, row: Row) -> None:
    """A name, and an external id or an e-mail (lower-cased) to know the contact by."""
    v = row.values
    if not v.get("name"):
        ctx.problem(row, "name", "missing required field")
    email = v.get("email")
    if email:
        email = v["email"] = email.lower()
        if not EMAIL_RE.match(email):
            ctx.problem(row, "email", f"not an e-mail address: {email!r}")
    if not v.get("external_id") and not email:
        ctx.problem(row, "external_id" if ctx.has("external_id") else "email",
                    "missing required field (an external_id or an e-mail identifies a contact)")


def _check_cells(ctx: Context, row: Row) -> None:
    v = row.values
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


def _find(ctx: Context, v: dict[str, str | None]) -> Contact | None:
    if v.get("external_id"):
        return ctx.session.scalar(select(Contact).where(Contact.external_id == v["external_id"]))
    return ctx.session.scalar(
        select(Contact).where(func.lower(Contact.email) == v["email"]).order_by(Contact.id).limit(1)
    )


def _write(ctx: Context, row: Row, accounts: dict[str, int]) -> None:
    session, v, now = ctx.session, row.values, utcnow()
    account_id = accounts[v["account_external_id"] or ""]
    contact = _find(ctx, v)
    created = contact is None
    if contact is None:
        contact = Contact(created_at=now, updated_at=now)
        session.add(contact)
    before = contact_snapshot(contact) if not created else None
    for name in FIELDS:
        if ctx.has(name) or (name == "name" and v.get("name")):
            setattr(contact, name, v.get(name))
    if ctx.has("seniority"):
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
        ctx.outcome.inserted += 1
    elif changed:
        ctx.outcome.updated += 1
    else:
        ctx.outcome.unchanged += 1


def _link(ctx: Context, account_id: int, contact_id: int, v: dict[str, Any]) -> bool:
    """Link the contact to the account with its role there; True when something changed."""
    session = ctx.session
    link = session.get(AccountContact, (account_id, contact_id))
    before = None if link is None else {"buying_role": link.buying_role, "title": link.title}
    if link is None:
        link = AccountContact(account_id=account_id, contact_id=contact_id)
        session.add(link)
    if ctx.has("buying_role"):
        link.buying_role = v.get("buying_role")
    if ctx.has("title"):
        link.title = v.get("title")
    after = {"buying_role": link.buying_role, "title": link.title}
    if before == after:
        return False
    session.flush()
    audit.record(session, ctx.user, "link", "account_contact", f"{account_id}:{contact_id}",
                 before=before, after=after, note="import")
    return True


__all__ = ["import_contacts", "CONTACT_FIELDS"]
