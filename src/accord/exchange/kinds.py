"""The kinds of file Accord imports and exports: one entry of ``KINDS`` per kind.

An entry names the kind's loader (what takes the opened file and its resolved columns and
fills the report) and its export (the rows of the records a user may see, in the order of
its Accord column map). A new kind is one member of ``schemas.ImportKind``, its column maps
in ``columns.MAPS`` (one per source) and one entry here: the CLI commands, the API routes
and the import page offer every kind of this table.

The package that owns the records does the checks and the writes, on rows already read
(``accounts.importing``: ``FileRows`` in, an ``Outcome`` out); revenue has its own fast load
over the opened file (``revenue.load``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from accord.accounts.importing import FileRows, Outcome, check_may_import, import_accounts
from accord.accounts.importing_contacts import import_contacts
from accord.core.models import User
from accord.exchange import export_queries
from accord.exchange.columns import Resolved, read_rows
from accord.exchange.schemas import ImportKind, ImportReport
from accord.plans import listing as plan_listing
from accord.revenue.load.importing import import_revenue
from accord.revenue.load.readers import Table

Progress = Callable[[int, int], None]  # (bytes read, total bytes)
#: (session, user, the opened file, its columns, the report to fill, progress, batch size)
Loader = Callable[[Session, User, Table, Resolved, ImportReport, Progress | None, int], None]
#: the records a user may see, one list of values per record, without the header
Exporter = Callable[[Session, User], Iterator[list[Any]]]


@dataclass(frozen=True)
class Kind:
    load: Loader
    export: Exporter


def file_rows(table: Table, cols: Resolved, source: str) -> FileRows:
    """Every non-blank row of the file through its column map."""
    rows, problems = read_rows(table.rows, table.line, cols)
    return FileRows(rows, cols.header, source, problems)


def tally(report: ImportReport, outcome: Outcome) -> None:
    """Add what an import of rows did to the report."""
    report.rows = outcome.rows
    report.inserted += outcome.inserted
    report.updated += outcome.updated
    report.unchanged += outcome.unchanged
    report.invalid_rows += outcome.invalid_rows
    report.owners_unassigned += outcome.owners_unassigned
    for line, column, reason in outcome.problems:
        report.add_problem(line, column, reason)


def _accounts(session: Session, user: User, table: Table, cols: Resolved,
              report: ImportReport, progress: Progress | None, _batch: int) -> None:
    check_may_import(user)
    file = file_rows(table, cols, report.source.value)
    if progress:
        progress(table.size, table.size)
    tally(report, import_accounts(session, user, file,
                                  unassign_unknown_owners=report.unassign_unknown_owners))


def _contacts(session: Session, user: User, table: Table, cols: Resolved,
              report: ImportReport, progress: Progress | None, _batch: int) -> None:
    file = file_rows(table, cols, report.source.value)
    if progress:
        progress(table.size, table.size)
    tally(report, import_contacts(session, user, file))


KINDS: dict[ImportKind, Kind] = {
    ImportKind.ACCOUNTS: Kind(_accounts, export_queries.accounts),
    ImportKind.CONTACTS: Kind(_contacts, export_queries.contacts),
    ImportKind.REVENUE: Kind(import_revenue, export_queries.revenue_lines),
}


#: a list page's rows for the page's query (its filters and sort), as of ``today``
ListRows = Callable[[Session, User, Mapping[str, str], date], Iterator[list[Any]]]


@dataclass(frozen=True)
class ListKind:
    """A list that exports but does not import (CSV and Excel through ``exporting``)."""

    header: list[str]
    rows: ListRows


LIST_KINDS: dict[str, ListKind] = {
    "plans": ListKind(plan_listing.EXPORT_HEADER, plan_listing.export_for_query),
}
