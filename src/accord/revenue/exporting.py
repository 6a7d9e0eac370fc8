"""Exports of accounts, contacts and revenue lines in Accord's canonical columns, so that an
export re-imports unchanged. Rows are streamed from the database (Core, ``yield_per``);
CSV is written as it goes, Excel through openpyxl's write-only mode.

No cell can start a formula (``core.cells``): amounts are numbers (a number in Excel, with
two decimals; ``-120.00`` in CSV), every text cell that would start one (``=``, ``+``, ``-``,
``@``, tab, carriage return) gets a leading ``'``, which the import readers take off again."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import IO, Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from accord.accounts.models import Account, AccountContact, Contact
from accord.accounts.search import visible_parent
from accord.accounts.visibility import visible_accounts
from accord.core.cells import neutralise, number_or_text, text_cell
from accord.core.models import User
from accord.core.money import from_cents
from accord.revenue.load.columns import canonical_header
from accord.revenue.models import RevenueLine
from accord.revenue.schemas import ExportFormat, ImportKind

CHUNK = 5000
MEDIA = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_rows(session: Session, user: User, kind: str) -> Iterator[list[Any]]:
    """The header, then one list of values per record the user may see (text or None;
    revenue amounts as ``Decimal``)."""
    kind_ = ImportKind(kind)
    yield canonical_header(kind_.value)
    if kind_ is ImportKind.ACCOUNTS:
        manager, parent = aliased(User), aliased(Account)
        query: Any = (
            select(Account.external_id, Account.name, Account.kind, Account.segment,
                   Account.business_line, manager.email, parent.external_id, Account.status)
            .outerjoin(manager, manager.id == Account.manager_id)
            .outerjoin(parent, and_(parent.id == Account.parent_id, visible_parent(user, parent)))
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
            yield [ext, day.isoformat(), from_cents(cents), product, line_id]
        return
    for row in session.execute(query.execution_options(yield_per=CHUNK)):
        yield list(row)


def write_csv(rows: Iterator[list[Any]], out: IO[str]) -> int:
    writer = csv.writer(out, lineterminator="\n")
    count = -1
    for count, row in enumerate(rows):  # noqa: B007
        writer.writerow([text_cell(v) for v in row])
    return max(count, 0)


def write_xlsx(rows: Iterator[list[Any]], out: IO[bytes], title: str) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)

    def cell(value: Any) -> Any:
        if isinstance(value, Decimal):  # an amount: a number with two decimals
            amount = WriteOnlyCell(sheet, value=number_or_text(value))
            amount.number_format = "0.00"
            return amount
        return neutralise(value)  # text cells: ids come back exactly as written

    count = -1
    for count, row in enumerate(rows):  # noqa: B007
        sheet.append([cell(v) for v in row])
    book.save(out)
    return max(count, 0)


def export(session: Session, user: User, kind: str, fmt: str, out: IO[bytes]) -> int:
    """Write the export to a binary file; return the number of records."""
    fmt_ = ExportFormat(fmt)
    rows = export_rows(session, user, kind)
    if fmt_ is ExportFormat.XLSX:
        return write_xlsx(rows, out, ImportKind(kind).value)
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    try:
        return write_csv(rows, text)
    finally:
        text.flush()
        text.detach()


def filename(kind: str, fmt: str) -> str:
    return f"accord-{ImportKind(kind).value}.{ExportFormat(fmt).value}"
