"""The records each kind exports, those the user may see, streamed from the database (Core,
``yield_per``): one list of values per record, in the order of the kind's Accord column map
(text or None; revenue amounts as ``Decimal``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from accord.accounts.models import Account, AccountContact, Contact
from accord.accounts.search import visible_parent
from accord.accounts.visibility import visible_accounts
from accord.core.models import User
from accord.core.money import from_cents
from accord.revenue.models import RevenueLine

CHUNK = 5000


def _stream(session: Session, query: Any) -> Iterator[list[Any]]:
    for row in session.execute(query.execution_options(yield_per=CHUNK)):
        yield list(row)


def accounts(session: Session, user: User) -> Iterator[list[Any]]:
    """The contract end date and notice period as text (ISO date, a whole number), so that
    an Excel export reads back exactly."""
    manager, parent = aliased(User), aliased(Account)
    for row in _stream(session, (
        select(Account.external_id, Account.name, Account.kind, Account.segment,
               Account.business_line, manager.email, parent.external_id, Account.status,
               Account.contract_end_on, Account.notice_days)
        .outerjoin(manager, manager.id == Account.manager_id)
        .outerjoin(parent, and_(parent.id == Account.parent_id, visible_parent(user, parent)))
        .where(visible_accounts(user))
        .order_by(Account.name_key, Account.id)
    )):
        end, notice = row[-2], row[-1]
        yield [*row[:-2], None if end is None else end.isoformat(),
               None if notice is None else str(notice)]


def contacts(session: Session, user: User) -> Iterator[list[Any]]:
    """One row per account link."""
    return _stream(session, (
        select(Contact.external_id, Account.external_id, Contact.name, Contact.email,
               Contact.function, Contact.seniority, AccountContact.buying_role)
        .join(AccountContact, AccountContact.contact_id == Contact.id)
        .join(Account, Account.id == AccountContact.account_id)
        .where(visible_accounts(user))
        .order_by(Account.name_key, Account.id, Contact.name, Contact.id)
    ))


def revenue_lines(session: Session, user: User) -> Iterator[list[Any]]:
    lines = RevenueLine.__table__.c
    query = (
        select(Account.external_id, lines.date, lines.amount_cents, lines.product_line,
               lines.line_id)
        .join(Account, Account.id == lines.account_id)
        .where(visible_accounts(user))
        .order_by(lines.account_id, lines.date, lines.line_key)
    )
    for ext, day, cents, product, line_id in session.execute(
        query.execution_options(yield_per=CHUNK)
    ):
        yield [ext, day.isoformat(), from_cents(cents), product, line_id]
