"""A client list as CSV or Excel (pure: no storage). Amounts are numbers (two decimals),
P(alive) a number with four decimals, dates ISO; every text cell goes through
``core.cells`` so that no cell can start a formula (a client named ``=HYPERLINK(…)`` is
written ``'=HYPERLINK(…)``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from accord.clients.reading import ClientRow
from accord.core.cells import neutralise, number_or_text, text_cell

FORMATS = ("csv", "xlsx")
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
COLUMNS = ("account_id", "external_id", "name", "segment", "r", "f", "m", "purchases",
           "first_purchase_on", "last_purchase_on", "recency_days", "past_value", "p_alive",
           "p_alive_previous", "p_alive_drop", "expected_purchases", "expected_spend",
           "value")


def _share(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(f"{value:.4f}")


def rows(clients: Iterable[ClientRow]) -> Iterator[list[Any]]:
    """The header, then one list of values per client (text, numbers, dates or None)."""
    yield list(COLUMNS)
    for c in clients:
        yield [c.account_id, c.external_id, c.name, c.segment, c.r, c.f, c.m, c.purchases,
               c.first_purchase_on, c.last_purchase_on, c.recency_days, c.past_value,
               _share(c.p_alive), _share(c.p_alive_previous), _share(c.drop),
               Decimal(f"{c.expected_purchases:.4f}"), c.expected_spend, c.value]


def to_csv(clients: Iterable[ClientRow]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows(clients):
        writer.writerow([text_cell(v.isoformat() if hasattr(v, "isoformat") else v)
                         for v in row])
    return out.getvalue().encode("utf-8")


def to_xlsx(clients: Iterable[ClientRow]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("clients")

    def cell(name: str, value: Any) -> Any:
        if isinstance(value, Decimal):
            number = WriteOnlyCell(sheet, value=number_or_text(value))
            number.number_format = "0.00" if name in ("past_value", "expected_spend",
                                                      "value") else "0.0000"
            return number
        return neutralise(value)  # text behind a ' when it would start a formula; dates

    for row in rows(clients):
        sheet.append([cell(name, v) for name, v in zip(COLUMNS, row, strict=True)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export(clients: Iterable[ClientRow], fmt: str) -> bytes:
    """The list as a ``csv`` or ``xlsx`` file (ValueError for another format)."""
    if fmt == "csv":
        return to_csv(clients)
    if fmt == "xlsx":
        return to_xlsx(clients)
    raise ValueError(f"format: one of {', '.join(FORMATS)}")
