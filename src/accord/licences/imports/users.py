"""``accord import m365-users``: the admin centre's Active users export into an account's
tenant — its people, their seats, who left (``tenant.sync_tenant``).

Who may: whoever may change the account's seats (its writers, billing, admins). The
account is the one named, else the one whose domains the sign-in names use. A file with
any problem (an unknown product name, a duplicated user, concealed names, a bad cell) is
refused whole: every row is reported with its column and reason, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from sqlalchemy.orm import Session

from accord.core.models import User
from accord.licences.imports import m365
from accord.licences.imports.tenant import TenantOutcome, no_tenant_reason, sync_tenant, tenant_of
from accord.licences.names.service import lookup

KIND = "m365-users"


def products(session: Session) -> m365.Products:
    return m365.Products(lookup(session))


def finish(session: Session, user: User, parsed: m365.Parsed, headers: Mapping[str, str],
           account_id: int | None, day: date | None, products: m365.Products, *,
           kind: str) -> TenantOutcome:
    """Refuse a file with problems, or tie it to its account and make the tenant match."""
    out = TenantOutcome()
    if parsed.problems:
        out.problems = parsed.problems
        out.invalid_rows = len({line for line, _, _ in parsed.problems})
        out.rows = len(parsed.people) + out.invalid_rows
        return out
    out.rows = len(parsed.people)
    if not parsed.people:
        return out.refuse(1, headers[m365.PRINCIPAL], "the file lists nobody: importing it "
                          "would free every seat of the tenant")
    if day is None:
        return out.refuse(1, headers.get(m365.REFRESHED, "file"), "no report refresh date")
    account = tenant_of(session, user, account_id, parsed.people)
    if account is None:
        return out.refuse(1, headers[m365.PRINCIPAL], no_tenant_reason(parsed.people))
    return sync_tenant(session, user, account, day, parsed.people,
                       set(products.sku_of.values()), kind=kind,
                       reported_on=parsed.reported_on)


def import_m365_users(session: Session, user: User, rows: Iterable[m365.Row],
                      headers: Mapping[str, str], *, account_id: int | None,
                      today: date) -> TenantOutcome:
    """The Active users export (rows through its column map) as of ``today``."""
    if account_id is not None:
        tenant_of(session, user, account_id, ())
    known = products(session)
    parsed = m365.parse(rows, headers, known)
    return finish(session, user, parsed, headers, account_id, today, known, kind=KIND)
