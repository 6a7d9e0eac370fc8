"""The overdue list as a CSV or Excel file. No cell can start a formula: every text cell goes
through ``core.cells`` (``text_cell`` for CSV, ``neutralise`` for Excel), as every export of
Accord's does (``exchange.exporting``); numbers stay numbers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from accord.core.cells import neutralise, text_cell

FORMATS = ("csv", "xlsx")
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def write(rows: Iterable[list[Any]], fmt: str) -> bytes:
    """``rows`` (the header first) as a ``csv`` or ``xlsx`` file."""
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("overdue")
        for row in rows:
            sheet.append([neutralise(v) for v in row])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    for row in rows:
        writer.writerow([text_cell(v) for v in row])
    return text.getvalue().encode("utf-8")
