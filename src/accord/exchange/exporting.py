"""Exports of every kind (``kinds.KINDS``: accounts, contacts, revenue lines) in Accord's
canonical columns, so that an export re-imports unchanged. Rows are streamed from the
database (``export_queries.py``);
CSV is written as it goes, Excel through openpyxl's write-only mode.

No cell can start a formula (``core.cells``): amounts are numbers (a number in Excel, with
two decimals; ``-120.00`` in CSV), every text cell that would start one (``=``, ``+``, ``-``,
``@``, tab, carriage return) gets a leading ``'``, which the import readers take off again."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import IO, Any

from sqlalchemy.orm import Session

from accord.core.cells import neutralise, number_or_text, text_cell
from accord.core.database import utcnow
from accord.core.errors import NotFound
from accord.core.models import User
from accord.exchange.columns import canonical_header
from accord.exchange.kinds import KINDS
from accord.exchange.schemas import ExportFormat, ImportKind

MEDIA = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_rows(session: Session, user: User, kind: str,
                today: date | None = None) -> Iterator[list[Any]]:
    """The header, then one list of values per record the user may see (text or None;
    amounts as ``Decimal``): the kind's export of ``kinds.KINDS``, as of ``today``."""
    kind_ = ImportKind(kind)
    export = KINDS[kind_].export
    if export is None:
        raise NotFound(f"{kind_.value} is imported, not exported")
    day = today or utcnow().date()
    yield canonical_header(kind_.value)
    yield from export(session, user, day)


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


def export(session: Session, user: User, kind: str, fmt: str, out: IO[bytes],
           today: date | None = None) -> int:
    """Write the export to a binary file; return the number of records. NotFound for a
    kind that is not exported (before anything is written)."""
    fmt_ = ExportFormat(fmt)
    if KINDS[ImportKind(kind)].export is None:
        raise NotFound(f"{ImportKind(kind).value} is imported, not exported")
    rows = export_rows(session, user, kind, today)
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
