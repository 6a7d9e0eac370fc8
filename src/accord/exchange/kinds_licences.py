"""The licences' kinds of ``kinds.KINDS``: the Microsoft 365 tenant files (imported only),
subscriptions (both ways), seats and utilisation (exported only). The licences package
checks and writes (``licences.imports``); here the opened file is read through its column
map and the outcome added to the report."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from accord.core.models import User
from accord.exchange.columns import SOURCELESS, Resolved, read_rows
from accord.exchange.schemas import ImportKind, ImportReport
from accord.licences.imports import exports
from accord.licences.imports.m365 import Row
from accord.licences.imports.subscriptions import import_subscriptions
from accord.licences.imports.tenant import TenantOutcome
from accord.licences.imports.usage import import_m365_usage
from accord.licences.imports.users import import_m365_users
from accord.revenue.load.readers import Table

#: kinds whose file is the whole tenant: a row left out would count as someone who left,
#: so bad rows always refuse the file (no ``skip_invalid``)
WHOLE_FILE = frozenset({ImportKind.M365_USERS, ImportKind.M365_USAGE})


def _headers(kind: str, cols: Resolved) -> dict[str, str]:
    """Each field's column as the file names it (as the map names it when absent)."""
    named = {c.field: c.headers[0] for c in SOURCELESS[kind]}
    return {**named, **cols.header}


def _rows(table: Table, cols: Resolved) -> Iterator[Row]:
    for rec in table.rows:
        if not "".join(rec).strip():
            continue
        values = {f: (rec[i].strip() if i < len(rec) else "") or None
                  for f, i in cols.index.items()}
        yield table.line(), values, rec


def _tally(report: ImportReport, out: TenantOutcome) -> None:
    report.rows, report.inserted, report.updated = out.rows, out.inserted, out.updated
    report.unchanged, report.invalid_rows = out.unchanged, out.invalid_rows
    report.account_id = out.account_id
    report.as_of = out.as_of or report.as_of
    report.people_left, report.seats_assigned = out.people_left, out.seats_assigned
    report.seats_freed, report.over_assigned = out.seats_freed, out.over_assigned
    for line, column, reason in out.problems:
        report.add_problem(line, column, reason)


def _today(report: ImportReport) -> date:
    assert report.as_of is not None, "run_import sets the day"
    return report.as_of


def _m365_users(session: Session, user: User, table: Table, cols: Resolved,
                report: ImportReport, _progress: Any, _batch: int) -> None:
    _tally(report, import_m365_users(session, user, _rows(table, cols),
                                     _headers(report.kind.value, cols),
                                     account_id=report.account_id, today=_today(report)))


def _m365_usage(session: Session, user: User, table: Table, cols: Resolved,
                report: ImportReport, _progress: Any, _batch: int) -> None:
    _tally(report, import_m365_usage(session, user, _rows(table, cols),
                                     _headers(report.kind.value, cols), table.header,
                                     account_id=report.account_id))


def _subscriptions(session: Session, user: User, table: Table, cols: Resolved,
                   report: ImportReport, _progress: Any, _batch: int) -> None:
    rows, problems = read_rows(table.rows, table.line, cols)
    out = import_subscriptions(session, user, rows, _headers(report.kind.value, cols),
                               today=_today(report), file=report.file)
    report.rows, report.inserted, report.updated = out.rows, out.inserted, out.updated
    report.unchanged, report.invalid_rows = out.unchanged, out.invalid_rows + len(problems)
    for line, field, reason in problems:
        report.add_problem(line, cols.header.get(field, field), reason)
    for line, column, reason in out.problems:
        report.add_problem(line, column, reason)


#: kind -> (loader, export, writers only)
LICENCE_KINDS: dict[ImportKind, tuple[Any, Any, bool]] = {
    ImportKind.M365_USERS: (_m365_users, None, False),
    ImportKind.M365_USAGE: (_m365_usage, None, False),
    ImportKind.SUBSCRIPTIONS: (_subscriptions, exports.subscriptions, False),
    ImportKind.SEATS: (None, exports.seats, False),
    ImportKind.UTILISATION: (None, exports.utilisation, False),
}
