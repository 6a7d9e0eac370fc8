"""The revenue load's public entry: importing files (accounts, contacts, revenue lines),
and loading revenue rows already held (``bulk_load_revenue``).

``run_import`` is the one use case every front door calls (CLI, API, web page): it reads a
CSV or Excel file through a column map, validates every row, writes in one savepoint, and
returns an :class:`ImportReport`. A revenue file then takes the route its probe chooses
(``routes.py``). A file with bad rows is rejected whole (nothing written)
unless ``skip_invalid``; ``dry_run`` does all the work and rolls it back, so the report says
exactly what would change. A successful import writes one audit entry summarising it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import IO, Any, TypeVar

from sqlalchemy.orm import Session

from accord.accounts.visibility import require_writer
from accord.core import audit, single_flight
from accord.core.errors import AccordError, FieldProblem, ValidationFailed
from accord.core.models import User
from accord.revenue.load import staging
from accord.revenue.load.bulk import DEFAULT_BATCH, LoadStats, bulk_load_revenue
from accord.revenue.load.columns import Resolved, resolve
from accord.revenue.load.readers import READ_ERRORS, Table, UnreadableFile, open_table
from accord.revenue.load.routes import Progress, load_revenue_file
from accord.revenue.schemas import ImportKind, ImportReport, ImportSource

#: the public entry of the revenue load (``bulk_load_revenue``: rows already held)
__all__ = ["DEFAULT_BATCH", "ImportRejected", "LoadStats", "Progress", "bulk_load_revenue",
           "import_turn", "load_file", "run_import"]


class ImportRejected(AccordError):
    """For front doors that answer a rejected import with an error (the API's 422)."""

    status = 422
    title = "Import rejected"

    def __init__(self, report: ImportReport) -> None:
        super().__init__(
            f"{report.invalid_rows} invalid row(s) in {report.file}; nothing was written",
            errors=[p.model_dump() for p in report.problems],
        )
        self.report = report

def run_import(
    session: Session,
    user: User,
    kind: str,
    file: str | Path | IO[bytes],
    *,
    filename: str | None = None,
    source: str = "accord",
    dry_run: bool = False,
    skip_invalid: bool = False,
    unassign_unknown_owners: bool = False,
    progress: Progress | None = None,
    batch_size: int = staging.CHUNK,  # rows staged per step (progress)
) -> ImportReport:
    problems = []
    try:
        kind_ = ImportKind(kind)
    except ValueError:
        problems.append(FieldProblem("kind", f"one of {', '.join(k.value for k in ImportKind)}"))
    try:
        source_ = ImportSource(source)
    except ValueError:
        sources = ", ".join(s.value for s in ImportSource)
        problems.append(FieldProblem("source", f"one of {sources}"))
    if problems:
        raise ValidationFailed(problems)
    require_writer(user)
    name = filename or (Path(file).name if isinstance(file, (str, Path)) else "upload")
    report = ImportReport(kind=kind_, source=source_, file=name, dry_run=dry_run,
                          skip_invalid=skip_invalid,
                          unassign_unknown_owners=unassign_unknown_owners)
    with import_turn(session.get_bind(), f"the {kind_.value} import of {name} by {user.email}"):
        return _run(session, user, file, name, report, progress, batch_size)


def import_turn(
    bind: Any, what: str, *, wait: float = 0.0, on_wait: Callable[[str], None] | None = None
) -> AbstractContextManager[None]:
    """One import at a time on a database (C4), across processes: a second one waits up to
    ``wait`` seconds (``on_wait`` told once what for), then ``single_flight.Busy`` (409)
    naming the running one. Re-entrant: a CLI takes its turn before its transaction
    begins (on SQLite a waiting transaction would hold, or wait for, the write lock)."""
    engine = getattr(bind, "engine", bind)
    return single_flight.exclusive(engine, "import", what, wait=wait, on_wait=on_wait)


R = TypeVar("R", bound=ImportReport)


def _run(
    session: Session, user: User, file: str | Path | IO[bytes], name: str,
    report: ImportReport, progress: Progress | None, batch_size: int,
) -> ImportReport:
    return load_file(
        session, user, file, name, report,
        lambda table: _import_table(session, user, table, report, progress, batch_size),
        note=f"{report.kind.value} from {name}",
    )


def load_file(
    session: Session, user: User, file: str | Path | IO[bytes], name: str,
    report: R, load: Callable[[Table], bool], *, note: str,
) -> R:
    """The frame of every file import: one savepoint; ``load`` reads the opened table into
    it (False: the file cannot be imported at all); an unreadable file is a rejected report;
    a file with bad rows is rejected whole (unless ``skip_invalid``), a dry run rolled back,
    anything else kept and summed up in the audit log."""
    started = time.perf_counter()
    savepoint = session.begin_nested()
    try:
        with open_table(file, name) as table:
            fatal = not load(table)
    except (UnreadableFile, *READ_ERRORS) as exc:
        savepoint.rollback()
        report.add_problem(1, "file", str(exc) if isinstance(exc, UnreadableFile)
                           else f"unreadable file (is it UTF-8 CSV or .xlsx?): {exc}")
        report.invalid_rows += 1
        report.status = "rejected"
        return report
    except BaseException:
        savepoint.rollback()
        raise
    report.seconds = round(time.perf_counter() - started, 3)
    if fatal or (report.invalid_rows and not report.skip_invalid):
        report.status = "rejected"
        report.inserted = report.updated = report.unchanged = report.accounts_refreshed = 0
        savepoint.rollback()
    elif report.dry_run:
        report.status = "dry_run"
        savepoint.rollback()
    else:
        report.skipped = report.invalid_rows
        savepoint.commit()
        audit.record(session, user, "import", "import", None, after=report.summary(),
                     note=note)
    return report


def _import_table(
    session: Session, user: User, table: Table, report: ImportReport,
    progress: Progress | None, batch_size: int,
) -> bool:
    """False when the file cannot be imported at all (a required column is missing)."""
    kind = report.kind.value
    try:
        cols = resolve(kind, report.source.value, table.header)
    except KeyError:
        raise ValidationFailed(
            [FieldProblem("source", f"no {report.source.value} column map for {kind}")]
        ) from None
    if cols.missing:
        for header in cols.missing:
            report.add_problem(1, header, "missing required column")
        report.invalid_rows += 1
        return False
    if report.kind is ImportKind.REVENUE:
        import_revenue(session, user, table, cols, report, progress, batch_size)
    elif report.kind is ImportKind.ACCOUNTS:
        from accord.accounts.importing import import_accounts

        import_accounts(session, user, table, cols, report, progress)
    else:
        from accord.accounts.importing_contacts import import_contacts

        import_contacts(session, user, table, cols, report, progress)
    return True


def import_revenue(
    session: Session, user: User, table: Table, cols: Resolved, report: ImportReport,
    progress: Progress | None, batch_size: int,
) -> None:
    """Load a revenue file by the route its probe chooses (``routes.py``), then tell the
    KPI engine which accounts changed."""
    stats = load_revenue_file(session, user, table, cols, report, progress, batch_size)
    if progress:
        progress(table.size, table.size)
    report.inserted, report.updated = stats.inserted, stats.updated
    report.unchanged = stats.unchanged
    report.accounts_refreshed = stats.accounts
    report.phases |= {k: round(v, 3) for k, v in stats.seconds.items()}
    if stats.account_ids and (report.skip_invalid or not report.invalid_rows):
        started = time.perf_counter()
        _kpi_hook(session, stats.account_ids, stats.first_months)
        report.phases["kpis"] = round(time.perf_counter() - started, 3)


def _kpi_hook(session: Session, account_ids: list[int], first_months: dict[int, int]) -> None:
    """Tell the KPI engine which accounts' monthly revenue changed, and from which month on
    (same transaction)."""
    try:
        from accord.kpis.derived import refresh_after_import
    except ImportError:  # pragma: no cover - a build without the KPI package
        return
    refresh_after_import(session, account_ids, first_months)
