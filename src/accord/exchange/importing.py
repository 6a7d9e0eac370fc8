"""Importing a file: the one use case every front door calls (CLI, API, web page).

``run_import`` opens a CSV or Excel file, finds its columns through the column map of its
kind and source (``columns.py``), hands the opened table to the kind's loader (``kinds.py``)
inside one savepoint, and returns an :class:`ImportReport`. A file with bad rows is rejected
whole (nothing written) unless ``skip_invalid``; ``dry_run`` does all the work and rolls it
back, so the report says exactly what would change. A successful import writes one audit
entry summarising it. One import runs at a time on a database (``import_turn``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date
from pathlib import Path
from typing import IO, Any, TypeVar

from sqlalchemy.orm import Session

from accord.accounts.user_map import check_may_import, save_user_map
from accord.accounts.visibility import require_writer
from accord.core import audit, single_flight
from accord.core.database import utcnow
from accord.core.errors import AccordError, FieldProblem, ValidationFailed
from accord.core.models import User
from accord.core.schemas import MAX_ID
from accord.exchange.columns import USER_MAP, resolve, resolve_columns
from accord.exchange.kinds import KINDS, Progress, file_rows, tally
from accord.exchange.kinds_licences import WHOLE_FILE
from accord.exchange.schemas import ImportKind, ImportReport, ImportSource, UserMapReport
from accord.revenue.load.importing import CHUNK
from accord.revenue.load.readers import READ_ERRORS, Table, UnreadableFile, open_table

__all__ = ["ImportRejected", "import_turn", "import_user_map", "load_file", "run_import"]


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
    batch_size: int = CHUNK,  # rows staged per step (progress)
    account_id: int | None = None,
    today: date | None = None,
) -> ImportReport:
    """``account_id``: the account a Microsoft 365 tenant file is imported into (else the
    one its domains name); ``today``: the day the import is as of (the caller's)."""
    kind_, source_ = _kind_and_source(kind, source)
    _check_kind(user, kind_, skip_invalid, account_id)
    name = _name(file, filename)
    report = ImportReport(kind=kind_, source=source_, file=name, dry_run=dry_run,
                          skip_invalid=skip_invalid,
                          unassign_unknown_owners=unassign_unknown_owners,
                          account_id=account_id, as_of=today or utcnow().date())
    with import_turn(session.get_bind(), f"the {kind_.value} import of {name} by {user.email}"):
        return load_file(
            session, user, file, name, report,
            lambda table: _import_table(session, user, table, report, progress, batch_size),
            note=f"{report.kind.value} from {name}",
        )


def _kind_and_source(kind: str, source: str) -> tuple[ImportKind, ImportSource]:
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
    return kind_, source_


def _check_kind(user: User, kind: ImportKind, skip_invalid: bool,
                account_id: int | None) -> None:
    entry = KINDS[kind]
    problems = []
    if entry.load is None:
        problems.append(FieldProblem("kind", f"{kind.value} is exported, not imported"))
    if skip_invalid and kind in WHOLE_FILE:
        problems.append(FieldProblem("skip_invalid", f"not for {kind.value}: the file is the "
                                     "whole tenant, a row left out would count as someone "
                                     "who left"))
    if account_id is not None and not 1 <= account_id <= MAX_ID:
        problems.append(FieldProblem("account_id", f"an account id from 1 to {MAX_ID}"))
    if problems:
        raise ValidationFailed(problems)
    if entry.writers_only:
        require_writer(user)


def _name(file: str | Path | IO[bytes], filename: str | None) -> str:
    return filename or (Path(file).name if isinstance(file, (str, Path)) else "upload")


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
    load = KINDS[report.kind].load
    assert load is not None, "run_import refuses a kind that is not imported"
    load(session, user, table, cols, report, progress, batch_size)
    return True


def import_user_map(
    session: Session, user: User, file: str | Path | IO[bytes], *, filename: str | None = None,
    source: str, dry_run: bool = False, skip_invalid: bool = False,
) -> UserMapReport:
    """A CRM's user ids mapped to users (``accounts.user_map``), from a file with the
    columns of ``columns.USER_MAP``."""
    check_may_import(user, source)
    name = _name(file, filename)
    report = UserMapReport(source=ImportSource(source), file=name, dry_run=dry_run,
                           skip_invalid=skip_invalid)

    def load(table: Table) -> bool:
        cols = resolve_columns(USER_MAP, table.header)
        if cols.missing:
            for missing in cols.missing:
                report.add_problem(1, missing, "missing required column")
            report.invalid_rows += 1
            report.status = "rejected"
            return True
        tally(report, save_user_map(session, user, file_rows(table, cols, source)))
        return True

    return load_file(session, user, file, name, report, load,
                     note=f"CRM user map ({source}) from {name}")
