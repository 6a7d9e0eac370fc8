"""Exports of list pages (``kinds.LIST_KINDS``, e.g. the Plans list): the list's header and
rows for the page's own query, written as CSV or Excel with formula-safe cells
(``exporting.write_csv`` / ``write_xlsx``, ``core.cells``). The routes: ``list_exports``."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from accord.core.errors import NotFound
from accord.core.models import User
from accord.exchange import exporting
from accord.exchange.kinds import LIST_KINDS
from accord.exchange.schemas import ExportFormat


def list_rows(
    session: Session, user: User, name: str, params: dict[str, str], day: date
) -> Iterator[list[Any]]:
    """The header, then one list of values per row of the list ``name`` for ``params``."""
    kind = LIST_KINDS[name]
    yield kind.header
    yield from kind.rows(session, user, params, day)


def export_list(
    session: Session, user: User, name: str, fmt: str, params: dict[str, str], day: date
) -> bytes:
    """The list ``name`` as a CSV or Excel file (NotFound for another list or format)."""
    if name not in LIST_KINDS or fmt not in {f.value for f in ExportFormat}:
        raise NotFound(f"no export {name}.{fmt}")
    rows = list_rows(session, user, name, params, day)
    if fmt == ExportFormat.XLSX:
        book = io.BytesIO()
        exporting.write_xlsx(rows, book, name)
        return book.getvalue()
    text = io.StringIO()
    exporting.write_csv(rows, text)
    return text.getvalue().encode("utf-8")
