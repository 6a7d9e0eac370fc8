"""Importing files (accounts, contacts, revenue lines) and the revenue fast path.

``run_import`` is the one use case every front door calls (CLI, API, web page): it reads a
CSV or Excel file through a column map, validates every row, writes in one savepoint, and
returns an :class:`ImportReport`. A file with bad rows is rejected whole (nothing written)
unless ``skip_invalid``; ``dry_run`` does all the work and rolls it back, so the report says
exactly what would change. A successful import writes one audit entry summarising it.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import IO, Any, TypeVar

from sqlalchemy.orm import Session

from accord.core import audit, single_flight
from accord.core.database import is_sqlite
from accord.core.errors import AccordError, FieldProblem, ValidationFailed
from accord.core.models import User
from accord.core.visibility import require_writer
from accord.revenue import checks, pipeline, staging
from accord.revenue.bulk import (  # noqa: F401 - the fast path's public home is here
    DEFAULT_BATCH,
    KeyConflict,
    LoadStats,
    Prepared,
    RawDb,
    RevenueRow,
    Tally,
    bulk_load_revenue,
    load_new,
    load_prepared,
    load_select,
)
from accord.revenue.columns import Resolved, resolve
from accord.revenue.direct import clean_batches, copyable
from accord.revenue.lookups import account_ids_by_external_id
from accord.revenue.readers import READ_ERRORS, Table, UnreadableFile, open_table
from accord.revenue.rules import MAX_TEXT, parse_cents, parse_month_of_day  # noqa: F401
from accord.revenue.schemas import MAX_PROBLEMS, ImportKind, ImportReport, ImportSource
from accord.revenue.shaping import Unvouched, shaped
from accord.revenue.staging import Restart

Progress = Callable[[int, int], None]  # (bytes read, total bytes)
log = logging.getLogger(__name__)
#: rows per COPY write on the direct path: small, so the server starts on a batch while the
#: next one is shaped (measured: 2,000 rows 2.2 s, 50,000 rows 3.0 s for 1M lines)
DIRECT_BATCH = 2_000


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
    """Load a revenue file: on PostgreSQL a clean CSV goes straight in (``direct.py``);
    otherwise, or when that path meets a row it cannot vouch for, the file is staged in the
    database and checked and loaded in SQL (``staging.py``, ``checks.py``)."""

    def on_progress() -> None:
        if progress:
            progress(table.position(), table.size)

    stats = None
    if not is_sqlite(session) and table.format == "csv" and table.restart is not None:
        stats = _direct(session, user, table, cols, report, on_progress, batch_size)
        if stats is None:
            table = table.restart()
    if stats is None and is_sqlite(session):
        stats = _in_chunks(session, user, table, cols, report, progress)
    if stats is None:
        stats = _staged(session, user, table, cols, report, on_progress, batch_size)
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


def _direct(
    session: Session, user: User, table: Table, cols: Resolved, report: ImportReport,
    on_progress: Callable[[], None], batch_size: int,
) -> LoadStats | None:
    """PostgreSQL, clean file: rows shaped in Python and copied in; None when it gave up."""
    if table.raw is None or not copyable(table.raw):
        return None
    accounts = account_ids_by_external_id(session, user, report.source.value)
    stored, table = _first_line_stored(session, table, cols, accounts)
    if stored:  # a re-import: COPY would only fail at the end of a whole pass
        return None
    counted = [0]
    tally = Tally()
    conn = session.connection()
    conn.exec_driver_sql("SAVEPOINT rl_direct")
    try:
        batches = clean_batches(table, cols, accounts, min(batch_size, DIRECT_BATCH), counted,
                                tally)
        stats = load_new(session, batches,
                         on_batch=lambda _lines: on_progress(), tally=tally)
    except (Restart, KeyConflict):  # the staged path merges set-based, in one statement
        conn.exec_driver_sql("ROLLBACK TO SAVEPOINT rl_direct")
        return None
    conn.exec_driver_sql("RELEASE SAVEPOINT rl_direct")
    report.rows = counted[0]
    return stats


def _first_line_stored(
    session: Session, table: Table, cols: Resolved, accounts: dict[str, int],
) -> tuple[bool, Table]:
    """Whether the file's first row is a line already stored, and the table with that row
    put back. (PostgreSQL reports a key conflict in ``COPY`` only when the copy ends.)"""
    first = next(table.rows, None)
    if first is None:
        return False, table
    table = dataclasses.replace(table, rows=itertools.chain([first], table.rows))
    try:
        ((account_id, key, *_),) = shaped([first], cols.index, accounts)
    except Unvouched:  # the direct path gives up on it at once anyway
        return False, table
    found = session.connection().exec_driver_sql(
        "SELECT 1 FROM revenue_lines WHERE account_id = %(a)s AND line_key = %(k)s",
        {"a": account_id, "k": key}).first()
    return found is not None, table


def _in_chunks(
    session: Session, user: User, table: Table, cols: Resolved, report: ImportReport,
    progress: Progress | None,
) -> LoadStats | None:
    """SQLite, a large CSV: staged, checked and loaded in chunks by child processes
    (``pipeline.py``; an upload is copied to a temporary file for them); None when the file
    or the connection does not allow it."""
    chunks = pipeline.chunk_count(table.size)
    if not chunks or table.format != "csv" or table.raw is None \
            or not staging.seekable(table.raw):
        return None
    db = RawDb(session)
    if pipeline.free_slots(db.raw) < chunks:
        return None
    parts = pipeline.plan(table.raw, chunks)
    if parts is None:
        return None
    with pipeline.on_disk(table.raw) as path:
        if path is None:
            return None
        accounts = account_ids_by_external_id(session, user, report.source.value)
        try:
            outcome = pipeline.load_in_chunks(
                db, path, cols, accounts, parts,
                lambda done: progress(done, table.size) if progress else None, MAX_PROBLEMS)
        except pipeline.ChunkFailed as exc:  # rolled back: the one-connection path instead
            log.warning("chunked revenue import fell back to one connection: %s", exc)
            return None
    report.rows = outcome.rows
    report.invalid_rows = outcome.invalid
    if outcome.invalid:
        report_bad_rows(outcome.bad, cols, report)
    return outcome.stats


def _staged(
    session: Session, user: User, table: Table, cols: Resolved, report: ImportReport,
    on_progress: Callable[[], None], batch_size: int,
) -> LoadStats:
    began = time.perf_counter()
    rows = staging.stage(session, table, cols, table.raw, on_progress, table.restart,
                         chunk=batch_size)
    report.rows = rows
    checks.prepare_lookups(session, user, report.source.value)
    report.phases["stage"] = round(time.perf_counter() - began, 3)
    first: list[int] = []

    def then(loaded: int) -> str | None:
        """Rows with spaces around a value (or bad) are left by the first pass: trim them."""
        first.append(loaded)
        if first[0] == rows:
            return None
        checks.remember_loaded(session)
        return checks.valid_rows_sql(session, trimmed=True)

    stats, loaded = load_select(session, checks.valid_rows_sql(session), then)
    report.invalid_rows = rows - sum(loaded)
    if report.invalid_rows:
        _report_problems(session, cols, report)
    checks.drop_lookups(session)
    staging.drop(session)
    return stats


def _report_problems(session: Session, cols: Resolved, report: ImportReport) -> None:
    report_bad_rows(checks.problems(session, MAX_PROBLEMS), cols, report)


def report_bad_rows(rows: list[checks.BadRow], cols: Resolved, report: ImportReport) -> None:
    head = cols.header
    for bad in rows:
        account_ok, date_ok, amount_ok, product_ok, line_ok = bad.ok
        if not account_ok:
            report.add_problem(bad.line, head["account_external_id"],
                               f"unknown account {bad.account!r}" if bad.account
                               else "missing required field")
        if not date_ok:
            report.add_problem(bad.line, head["date"],
                               f"malformed date {bad.date!r} (expected YYYY-MM-DD)"
                               if bad.date else "missing required field")
        if not amount_ok:
            report.add_problem(bad.line, head["amount"],
                               f"malformed amount {bad.amount!r} (expected e.g. 1234.56, "
                               "at most 2 decimals)" if bad.amount
                               else "missing required field")
        if not product_ok:
            report.add_problem(bad.line, head["product_line"],
                               f"longer than {MAX_TEXT} characters")
        if not line_ok:
            report.add_problem(bad.line, head["line_id"], f"longer than {MAX_TEXT} characters")


def _kpi_hook(session: Session, account_ids: list[int], first_months: dict[int, int]) -> None:
    """Tell the KPI engine which accounts' monthly revenue changed, and from which month on
    (same transaction)."""
    try:
        from accord.kpis.derived import refresh_after_import
    except ImportError:  # pragma: no cover - a build without the KPI package
        return
    refresh_after_import(session, account_ids, first_months)
