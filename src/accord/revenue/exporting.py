"""Exports of accounts, contacts and revenue lines in Accord's canonical columns, so that an
export re-imports unchanged. Rows are streamed from the database (Core, ``yield_per``);
CSV is written as it goes, Excel through openpyxl's write-only mode."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from accord.accounts.models import Account, AccountContact, Contact
from accord.core.models import User
from accord.core.money import from_cents
from accord.core.visibility import visible_accounts
from accord.revenue.columns import canonical_header
from accord.revenue.models import RevenueLine
from accord.revenue.schemas import ExportFormat, ImportKind

CHUNK = 5000
MEDIA = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def export_rows(session: Session, user: User, kind: str) -> Iterator[list[str]]:
    """The header, then one list of strings per record the user may see."""
    kind_ = ImportKind(kind)
    yield canonical_header(kind_.value)
    if kind_ is ImportKind.ACCOUNTS:
        manager, parent = aliased(User), aliased(Account)
        query: Any = (
            select(Account.external_id, Account.name, Account.kind, Account.segment,
                   Account.business_line, manager.email, parent.external_id, Account.status)
            .outerjoin(manager, manager.id == Account.manager_id)
            .outerjoin(parent, parent.id == Account.parent_id)
            .where(visible_accounts(user))
            .order_by(Account.name_key, Account.id)
        )
    elif kind_ is ImportKind.CONTACTS:
        query = (
            select(Contact.external_id, Account.external_id, Contact.name, Contact.email,
                   Contact.function, Contact.seniority, AccountContact.buying_role)
            .join(AccountContact, AccountContact.contact_id == Contact.id)
            .join(Account, Account.id == AccountContact.account_id)
            .where(visible_accounts(user))
            .order_by(Account.name_key, Account.id, Contact.name, Contact.id)
        )
    else:
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
            yield [_text(ext), day.isoformat(), str(from_cents(cents)), _text(product),
                   _text(line_id)]
        return
    for row in session.execute(query.execution_options(yield_per=CHUNK)):
        yield [_text(v) for v in row]


def write_csv(rows: Iterator[list[str]], out: IO[str]) -> int:
    writer = csv.writer(out, lineterminator="\n")
    count = -1
    for count, row in enumerate(rows):  # noqa: B007
        writer.writerow(row)
    return max(count, 0)


def write_xlsx(rows: Iterator[list[str]], out: IO[bytes], title: str) -> int:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    count = -1
    for count, row in enumerate(rows):  # noqa: B007
        sheet.append(row)  # text cells: ids and amounts come back exactly as written
    book.save(out)
    return max(count, 0)


def export(session: Session, user: User, kind: str, fmt: str, out: IO[bytes]) -> int:
    """Write the export to a binary file; return the number of records."""
    fmt_ = ExportFormat(fmt)
    rows = export_rows(session, user, kind)
    if fmt_ is ExportFormat.XLSX:
        return write_xlsx(rows, out, ImportKind(kind).value)
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")  # type: ignore[type-var]
    try:
        return write_csv(rows, text)
    finally:
        text.flush()
        text.detach()


def filename(kind: str, fmt: str) -> str:
    return f"accord-{ImportKind(kind).value}.{ExportFormat(fmt).value}"
