"""Streaming readers for CSV and Excel files: a header, then rows of strings.

Memory stays flat whatever the file size: CSV is read through the csv module line by line,
Excel through openpyxl's read-only mode. ``line()`` gives the file line (CSV) or sheet row
(Excel) of the row just read, for problem reports; ``position()`` the bytes read so far.

Every cell comes back through ``cells.restore``: the ``'`` an Accord export puts before a
text that would start a formula is taken off again. A damaged workbook (a truncated file, a
sheet whose XML is cut) raises :class:`UnreadableFile`, never the parser's own error, and so
does a workbook past the limits of the settings: one that unpacks to more than
``ACCORD_IMPORT_MAX_UNPACKED_MB`` (checked on the zip's directory before openpyxl opens it)
or holds more than ``ACCORD_IMPORT_MAX_WORKBOOK_ROWS`` rows (reading stops there). Empty rows
are not rows: they are skipped, up to Excel's last row at most (a sheet's dimension or row
numbers claiming millions of rows are not followed further).
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from accord.core.cells import QUOTED_BYTES, restore, restore_row

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
ZIP_MAGIC = b"PK\x03\x04"
#: the last row of an Excel sheet: a workbook claiming rows past it was not made by Excel
EXCEL_LAST_ROW = 1_048_576
SCAN_BLOCK = 1 << 20


@dataclass(frozen=True)
class WorkbookLimits:
    """How much of a workbook an import reads (``ACCORD_IMPORT_MAX_*`` settings)."""

    unpacked_bytes: int
    rows: int

    @classmethod
    def from_settings(cls) -> WorkbookLimits:
        from accord.core.settings import get_settings

        settings = get_settings()
        return cls(settings.import_max_unpacked_mb * 1024 * 1024,
                   settings.import_max_workbook_rows)


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
def open_table(file: str | Path | IO[bytes], filename: str | None = None,
               limits: WorkbookLimits | None = None) -> Iterator[Table]:
    """Open a CSV or Excel file (a path or a binary file object) as a streaming table.
    ``limits``: for a workbook (default: from the settings)."""
    own = isinstance(file, (str, Path))
    # a path is opened here and closed in the finally below; a caller's file stays open
    raw: IO[bytes] = open(file, "rb") if isinstance(file, (str, Path)) else file  # noqa: SIM115
    name = filename or (str(file) if own else getattr(file, "name", "") or "")
    try:
        if _is_excel(raw, str(name)):
            with _excel(raw, limits or WorkbookLimits.from_settings()) as table:
                yield table
        else:
            with _csv(raw) as table:
                yield table
    finally:
        if own:
            raw.close()


def _holds_quoted(raw: IO[bytes]) -> bool:
    """True when the file may hold a cell neutralised by an export (a ``'`` before ``=``,
    ``+``...), or cannot be scanned; read ahead and rewound."""
    try:
        if not raw.seekable():
            return True
        here = raw.tell()
    except (AttributeError, OSError, ValueError):
        return True
    try:
        raw.seek(0)
        tail = b""
        while block := raw.read(SCAN_BLOCK):
            if b"'" in block or tail == b"'":
                if QUOTED_BYTES.search(tail + block):
                    return True
            tail = block[-1:]
        return False
    finally:
        raw.seek(here)


@contextmanager
def _csv(raw: IO[bytes]) -> Iterator[Table]:
    size = _size(raw)
    wrappers: list[io.TextIOWrapper] = []
    # cells to restore: the bytes-reading fast paths cannot, so the file goes row by row
    quoted = _holds_quoted(raw)

    def position() -> int:
        try:
            return raw.tell()
        except (OSError, ValueError):
            return 0

    def table() -> Table:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        wrappers.append(text)
        reader = csv.reader(text)
        try:
            header = next(reader, [])
        except (UnicodeDecodeError, csv.Error) as exc:
            raise UnreadableFile(f"not a UTF-8 CSV file: {exc}") from None
        if len(header) == 1 and ";" in header[0]:
            # a semicolon-separated export (spreadsheet in a comma-decimal locale)
            raise UnreadableFile("the file is separated by ';': save it as a comma-separated CSV")
        if quoted:
            return Table(header=restore_row(header), rows=map(restore_row, reader),
                         line=lambda: reader.line_num, position=position, size=size,
                         format="csv", raw=None, restart=None)
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


def _check_unpacked_size(raw: IO[bytes], limit: int) -> None:
    """Refuse a workbook whose members unpack to more than ``limit`` bytes (the zip's
    directory says; reading a member never yields more than it declares)."""
    here = raw.tell()
    try:
        with zipfile.ZipFile(raw) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise UnreadableFile(
            f"not an Excel workbook (damaged or truncated: {exc.__class__.__name__})") from None
    finally:
        raw.seek(here)
    if unpacked > limit:
        raise UnreadableFile(
            f"the workbook unpacks to {unpacked / 2**20:,.0f} MB, more than the "
            f"{limit / 2**20:,.0f} MB allowed (ACCORD_IMPORT_MAX_UNPACKED_MB)")


def _damaged(exc: Exception) -> UnreadableFile:
    return UnreadableFile(
        f"the workbook is damaged or truncated ({exc.__class__.__name__}); save it again "
        "from Excel, or as CSV")


def _open_book(raw: IO[bytes]) -> Any:
    from openpyxl import load_workbook

    try:
        return load_workbook(raw, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds
        raise UnreadableFile(f"not an Excel workbook: {exc.__class__.__name__}") from None


def _first_sheet(book: Any) -> tuple[Any, int, list[str]]:
    """The first sheet, the rows it claims (at most Excel's last row) and its header."""
    try:
        sheet = book.worksheets[0]
        total = min(sheet.max_row or 0, EXCEL_LAST_ROW)
        # rows past the last one written are not generated from the dimension
        sheet.reset_dimensions()
        first = next(sheet.iter_rows(max_row=1, values_only=True), None) or ()
    except Exception as exc:  # noqa: BLE001 - ParseError, BadZipFile, zlib.error...
        raise _damaged(exc) from None
    header = [restore(cell_text(v)) for v in first]
    while header and header[-1] == "":
        header.pop()
    return sheet, total, header


def _sheet_rows(sheet: Any, width: int, limits: WorkbookLimits, state: dict[str, int]
                ) -> Iterator[list[str]]:
    """The non-empty rows under the header, as text; ``state["line"]``: the sheet row of
    the one just given."""
    if not width:
        return
    values = sheet.iter_rows(min_row=2, max_row=EXCEL_LAST_ROW + 1, max_col=width,
                             values_only=True)
    line, count = 1, 0
    while True:
        try:
            row = next(values, None)
        except Exception as exc:  # noqa: BLE001 - a sheet cut short, a bad zip
            raise _damaged(exc) from None
        if row is None:
            return
        line += 1
        if line > EXCEL_LAST_ROW:
            raise UnreadableFile(
                f"the sheet goes past row {EXCEL_LAST_ROW:,}, Excel's last row")
        if row.count(None) == len(row):
            continue  # an empty row is not a row
        count += 1
        if count > limits.rows:
            raise UnreadableFile(
                f"the workbook holds more than {limits.rows:,} rows "
                "(ACCORD_IMPORT_MAX_WORKBOOK_ROWS); reading stopped at sheet row "
                f"{line:,}")
        state["line"] = line
        yield [restore(cell_text(v)) for v in row]


@contextmanager
def _excel(raw: IO[bytes], limits: WorkbookLimits) -> Iterator[Table]:
    size = _size(raw)
    _check_unpacked_size(raw, limits.unpacked_bytes)
    book = _open_book(raw)
    try:
        sheet, total, header = _first_sheet(book)
        state = {"line": 1}

        def position() -> int:
            # openpyxl reads the compressed sheet lazily: estimate by rows done
            if total > 1:
                return min(size, size * state["line"] // total)
            return 0

        yield Table(header=header, rows=_sheet_rows(sheet, len(header), limits, state),
                    line=lambda: state["line"], position=position, size=size, format="xlsx")
    finally:
        book.close()
