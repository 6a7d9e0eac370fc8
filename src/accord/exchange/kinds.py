"""The kinds of file Accord imports and exports: one entry of ``KINDS`` per kind.

An entry names the kind's loader (what takes the opened file and its resolved columns and
fills the report) and its export (the rows of the records a user may see, in the order of
its Accord column map). A new kind is one member of ``schemas.ImportKind``, its column maps
in ``columns.MAPS`` (one per source) and one entry here: the CLI commands, the API routes
and the import page offer every kind of this table.

The package that owns the records does the checks and the writes, on rows already read
(``accounts.importing``: ``FileRows`` in, an ``Outcome`` out); revenue has its own fast load
over the opened file (``revenue.load``); the licences' kinds are in ``kinds_licences``.

A kind may be imported only (``export`` None: the Microsoft 365 files) or exported only
(``load`` None: seats, utilisation); ``writers_only`` False lets the loader decide who may
(billing imports subscriptions and tenants, though it changes no account).
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
from accord.exchange.kinds_licences import LICENCE_KINDS
from accord.exchange.schemas import ImportKind, ImportReport
from accord.plans import listing as plan_listing
from accord.revenue.load.importing import import_revenue
from accord.revenue.load.readers import Table

Progress = Callable[[int, int], None]  # (bytes read, total bytes)
#: (session, user, the opened file, its columns, the report to fill, progress, batch size)
Loader = Callable[[Session, User, Table, Resolved, ImportReport, Progress | None, int], None]
#: the records a user may see as of a day, one list of values per record, without the header
Exporter = Callable[[Session, User, date], Iterator[list[Any]]]


@dataclass(frozen=True)
class Kind:
    load: Loader | None
    export: Exporter | None
    #: the front doors refuse readers (viewers, billing) before the loader runs
    writers_only: bool = True


def undated(export: Callable[[Session, User], Iterator[list[Any]]]) -> Exporter:
    """An export that reads no day."""
    return lambda session, user, _day: export(session, user)


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
    ImportKind.ACCOUNTS: Kind(_accounts, undated(export_queries.accounts)),
    ImportKind.CONTACTS: Kind(_contacts, undated(export_queries.contacts)),
    ImportKind.REVENUE: Kind(import_revenue, undated(export_queries.revenue_lines)),
    **{kind: Kind(*entry) for kind, entry in LICENCE_KINDS.items()},
}


def imported() -> list[ImportKind]:
    return [k for k, v in KINDS.items() if v.load is not None]


def exported() -> list[ImportKind]:
    return [k for k, v in KINDS.items() if v.export is not None]


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
