"""Streaming readers for CSV and Excel files: a header, then rows of strings.

Memory stays flat whatever the file size: CSV is read through the csv module line by line,
Excel through openpyxl's read-only mode. ``line()`` gives the file line (CSV) or sheet row
(Excel) of the row just read, for problem reports; ``position()`` the bytes read so far.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
ZIP_MAGIC = b"PK\x03\x04"


class UnreadableFile(ValueError):
    """The file is neither a CSV (UTF-8) nor an Excel workbook we can read."""


#: what iterating a table's rows may raise on a damaged file (callers turn it into a report)
READ_ERRORS = (UnicodeDecodeError, csv.Error)


@dataclass
class Table:
    header: list[str]
    rows: Iterator[list[str]]
    line: Callable[[], int]
    position: Callable[[], int]
    size: int
    format: str
    #: the CSV file's bytes (for the fast paths that read them directly), else None
    raw: IO[bytes] | None = None
    #: a fresh table over the same CSV from its first data row (None: cannot start over)
    restart: Callable[[], Table] | None = None


def _size(raw: IO[bytes]) -> int:
    try:
        here = raw.tell()
        raw.seek(0, os.SEEK_END)
        end = raw.tell()
        raw.seek(here)
        return end
    except (OSError, ValueError):
        return 0


def _is_excel(raw: IO[bytes], filename: str) -> bool:
    if filename.lower().endswith(EXCEL_SUFFIXES):
        return True
    try:
        here = raw.tell()
        magic = raw.read(4)
        raw.seek(here)
    except (OSError, ValueError):
        return False
    return magic == ZIP_MAGIC


@contextmanager
def open_table(file: str | Path | IO[bytes], filename: str | None = None) -> Iterator[Table]:
    """Open a CSV or Excel file (a path or a binary file object) as a streaming table."""
    own = isinstance(file, (str, Path))
    raw: IO[bytes] = open(file, "rb") if isinstance(file, (str, Path)) else file
    name = filename or (str(file) if own else getattr(file, "name", "") or "")
    try:
        if _is_excel(raw, str(name)):
            with _excel(raw) as table:
                yield table
        else:
            with _csv(raw) as table:
                yield table
    finally:
        if own:
            raw.close()


@contextmanager
def _csv(raw: IO[bytes]) -> Iterator[Table]:
    size = _size(raw)
    wrappers: list[io.TextIOWrapper] = []

    def position() -> int:
        try:
            return raw.tell()
        except (OSError, ValueError):
            return 0

    def table() -> Table:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")  # type: ignore[type-var]
        wrappers.append(text)
        reader = csv.reader(text)
        try:
            header = next(reader, [])
        except (UnicodeDecodeError, csv.Error) as exc:
            raise UnreadableFile(f"not a UTF-8 CSV file: {exc}") from None
        if len(header) == 1 and ";" in header[0]:
            # a semicolon-separated export (spreadsheet in a comma-decimal locale)
            raise UnreadableFile("the file is separated by ';': save it as a comma-separated CSV")
        return Table(header=header, rows=reader, line=lambda: reader.line_num,
                     position=position, size=size, format="csv", raw=raw, restart=again)

    def again() -> Table:
        raw.seek(0)
        return table()

    try:
        yield table()
    finally:
        for text in wrappers:
            text.detach()  # leave the caller's file open


def cell_text(value: Any) -> str:
    """An Excel cell as the text a CSV would hold (ISO dates, exact decimals)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return str(Decimal(repr(value)))
    return str(value)


@contextmanager
def _excel(raw: IO[bytes]) -> Iterator[Table]:
    from openpyxl import load_workbook

    size = _size(raw)
    try:
        book = load_workbook(raw, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds
        raise UnreadableFile(f"not an Excel workbook: {exc.__class__.__name__}") from None
    try:
        sheet = book.worksheets[0]
        values = sheet.iter_rows(values_only=True)
        first = next(values, None) or ()
        header = [cell_text(v) for v in first]
        while header and header[-1] == "":
            header.pop()
        width = len(header)
        state = {"line": 1}
        total = sheet.max_row or 0

        def rows() -> Iterator[list[str]]:
            for row in values:
                state["line"] += 1
                yield [cell_text(v) for v in row[:width]]

        def position() -> int:
            # openpyxl reads the compressed sheet lazily: estimate by rows done
            if total > 1:
                return min(size, size * state["line"] // total)
            return 0

        yield Table(header=header, rows=rows(), line=lambda: state["line"], position=position,
                    size=size, format="xlsx")
    finally:
        book.close()
