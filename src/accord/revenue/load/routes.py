"""The revenue file's way in: one probe of the file, then the first route of :data:`ROUTES`
that fits it; a route that gives up (``rows.GiveUp``) is rolled back to the savepoint taken
before it and the next one that fits is taken. Every route gives the same lines, monthly
revenue, counts and report (tests compare them line for line); see ``docs/import.md``.

========  ===========================================================  ==================
route     takes                                                        gives up at
========  ===========================================================  ==================
copy      PostgreSQL, a CSV whose bytes hold no quote, tab or          a row it cannot
          backslash (nothing ``COPY`` text would escape)               vouch for, a key
                                                                       already stored
chunks    SQLite, a CSV of two chunks or more (``pipeline.py``)        a quote or a lone
                                                                       CR, too few attach
                                                                       slots, a failed
                                                                       chunk process
staged    anything (``staging.py``, ``checks.py``)                     never
========  ===========================================================  ==================
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy.orm import Session

from accord.accounts.lookups import account_ids_by_external_id
from accord.core.database import is_sqlite
from accord.core.models import User
from accord.revenue.load import checks, pipeline, staging
from accord.revenue.load.bulk import CopyText, LoadStats, Tally, load_new, load_select
from accord.revenue.load.raw_db import RawDb
from accord.revenue.load.readers import Table
from accord.revenue.load.rows import Columns, GiveUp, LoadReport
from accord.revenue.load.shaping import shaped, shaped_batches
from accord.revenue.rules import MAX_TEXT

Progress = Callable[[int, int], None]  # (bytes read, total bytes)
log = logging.getLogger(__name__)
#: rows per COPY write on the copy route: small, so the server starts on a batch while the
#: next one is shaped (measured: 2,000 rows 2.2 s, 50,000 rows 3.0 s for 1M lines)
DIRECT_BATCH = 2_000


@dataclass(frozen=True)
class Probe:
    """What the routes need to know of a file, read once before any of them runs."""

    sqlite: bool
    #: a CSV whose bytes the routes may read themselves (seekable; no cell an export
    #: neutralised, which only the row reader restores)
    csv_bytes: bool
    size: int
    quote: bool = True  # a double quote: a record may span lines
    escapes: bool = True  # a tab or a backslash: ``COPY`` text would need them escaped


def probe(session: Session, table: Table) -> Probe:
    """One pass over the file's bytes (then rewound), when the routes may read them."""
    raw = table.raw
    sqlite = is_sqlite(session)
    if table.format != "csv" or raw is None or not staging.seekable(raw):
        return Probe(sqlite, False, table.size)
    quote = escapes = False
    here = raw.tell()
    try:
        raw.seek(0)
        while block := raw.read(staging.BLOCK):
            quote = quote or b'"' in block
            escapes = escapes or b"\t" in block or b"\\" in block
            if quote and escapes:
                break
    finally:
        raw.seek(here)
    return Probe(sqlite, True, table.size, quote, escapes)


@dataclass
class Load:
    """One revenue file being loaded: what every route is given."""

    session: Session
    user: User
    table: Table
    cols: Columns
    report: LoadReport
    progress: Progress | None
    batch_size: int
    probe: Probe

    def on_progress(self) -> None:
        if self.progress:
            self.progress(self.table.position(), self.table.size)


def _copy(load: Load) -> LoadStats:
    """PostgreSQL, a clean CSV: each row checked in Python with the rules of ``rules.py``
    (``shaping.shaped_batches``) and written as a line of ``COPY`` text, in small batches,
    into one ``COPY`` straight into ``revenue_lines`` fed from this thread — the server
    works through what the socket holds while the next batch is shaped, on the other core.

    Measured on 1,000,000 lines (10,000 accounts): ``COPY`` into ``revenue_lines`` takes
    about 2 s of the server's time where the staged ``INSERT ... SELECT`` takes longer plus
    1.6 s of staging (PostgreSQL writes a ``COPY`` page by page, one WAL record per page,
    an ``INSERT`` tuple by tuple). Each row's amount is added to the monthly tally as it
    goes by. Gives up at the first row it cannot vouch for, or a key already stored."""
    session, table, cols = load.session, load.table, load.cols
    accounts = account_ids_by_external_id(session, load.user, load.report.source.value)
    if _first_line_stored(session, table, cols, accounts):
        # a re-import: COPY would only fail at the end of a whole pass
        raise GiveUp("the first line is stored already")
    counted = [0]
    tally = Tally()
    batches = copy_batches(table, cols, accounts, min(load.batch_size, DIRECT_BATCH), counted,
                           tally)
    stats = load_new(session, batches, on_batch=lambda _lines: load.on_progress(), tally=tally)
    load.report.rows = counted[0]
    return stats


def copy_batches(
    table: Table, cols: Columns, accounts: dict[str, int], size: int, counted: list[int],
    tally: Tally,
) -> Iterator[CopyText]:
    """Batches of ``COPY`` text in the stored shape (``shaping.shaped_batches``), each row
    tallied in ``tally`` as it goes; ``counted[0]`` ends as the number of rows. Raises
    ``GiveUp`` at the first row it cannot vouch for."""
    for batch in shaped_batches(table.rows, cols.index, accounts, size, copy_text=True,
                                tally=tally.packed):
        counted[0] += len(batch)
        yield CopyText(len(batch), "".join(batch))


def _first_line_stored(session: Session, table: Table, cols: Columns,
                       accounts: dict[str, int]) -> bool:
    """Whether the file's first row is a line already stored; the row is put back into the
    table. (PostgreSQL reports a key conflict in ``COPY`` only when the copy ends.)"""
    first = next(table.rows, None)
    if first is None:
        return False
    table.rows = itertools.chain([first], table.rows)
    try:
        ((account_id, key, *_),) = shaped([first], cols.index, accounts)
    except GiveUp:  # the copy route gives up on it at once anyway
        return False
    found = session.connection().exec_driver_sql(
        "SELECT 1 FROM revenue_lines WHERE account_id = %(a)s AND line_key = %(k)s",
        {"a": account_id, "k": key}).first()
    return found is not None


def _chunks(load: Load) -> LoadStats:
    """SQLite, a large CSV: staged, checked and loaded in chunks by child processes
    (``pipeline.py``; an upload is copied to a temporary file for them). Gives up when the
    file or the connection does not allow it, or a chunk process fails."""
    table, report = load.table, load.report
    assert table.raw is not None  # the probe said so
    chunks = pipeline.chunk_count(table.size)
    db = RawDb(load.session)
    if pipeline.free_slots(db.raw) < chunks:
        raise GiveUp("too few attach slots free on this connection")
    parts = pipeline.plan(table.raw, chunks)
    if parts is None:
        raise GiveUp("a double quote or a lone carriage return")
    pipeline.detach_on_checkin(load.session.get_bind())
    with pipeline.on_disk(table.raw) as path:
        if path is None:
            raise GiveUp("the file cannot be read by another process")
        accounts = account_ids_by_external_id(load.session, load.user, report.source.value)
        progress = load.progress
        outcome = pipeline.load_in_chunks(
            db, path, load.cols, accounts, parts,
            lambda done: progress(done, table.size) if progress else None, report.max_problems)
    report.rows = outcome.rows
    report.invalid_rows = outcome.invalid
    if outcome.invalid:
        report_bad_rows(outcome.bad, load.cols, report)
    return outcome.stats


def _staged(load: Load) -> LoadStats:
    """Anything: the file staged as text in the database and checked in SQL, every bad row
    reported (``staging.py``, ``checks.py``)."""
    session, report = load.session, load.report
    began = time.perf_counter()
    rows = staging.stage(session, load.table, load.cols, load.on_progress,
                         one_record_per_line=load.probe.csv_bytes and not load.probe.quote,
                         chunk=load.batch_size)
    report.rows = rows
    checks.prepare_lookups(session, load.user, report.source.value)
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
        report_bad_rows(checks.problems(session, report.max_problems), load.cols, report)
    checks.drop_lookups(session)
    staging.drop(session)
    return stats


@dataclass(frozen=True)
class Route:
    name: str
    takes: Callable[[Probe], bool]
    load: Callable[[Load], LoadStats]
    #: reads the table's rows (so the next route needs the table started over)
    reads_rows: bool = False


#: the routes, in the order they are tried (the first that takes the file; on ``GiveUp``
#: the next that takes it); the last takes anything and never gives up
ROUTES: tuple[Route, ...] = (
    Route("copy", lambda p: not p.sqlite and p.csv_bytes and not p.quote and not p.escapes,
          _copy, reads_rows=True),
    Route("chunks", lambda p: p.sqlite and p.csv_bytes and not p.quote
          and pipeline.chunk_count(p.size) > 0, _chunks),
    Route("staged", lambda p: True, _staged),
)


def load_revenue_file(
    session: Session, user: User, table: Table, cols: Columns, report: LoadReport,
    progress: Progress | None, batch_size: int,
) -> LoadStats:
    """Load a revenue table by the first route of :data:`ROUTES` that takes it and does not
    give up; the report gets its rows, bad rows and counts."""
    load = Load(session, user, table, cols, report, progress, batch_size,
                probe(session, table))
    conn = session.connection()
    for route in ROUTES:
        if not route.takes(load.probe):
            continue
        if route is ROUTES[-1]:
            return route.load(load)
        conn.exec_driver_sql("SAVEPOINT rl_route")
        try:
            stats = route.load(load)
        except GiveUp as exc:
            conn.exec_driver_sql("ROLLBACK TO SAVEPOINT rl_route")
            conn.exec_driver_sql("RELEASE SAVEPOINT rl_route")
            log.debug("the %s route gave up: %s", route.name, exc)
            if route.reads_rows and load.table.restart is not None:
                load.table = load.table.restart()
            continue
        conn.exec_driver_sql("RELEASE SAVEPOINT rl_route")
        return stats
    raise AssertionError("the last route takes every file")  # pragma: no cover


def report_bad_rows(rows: list[checks.BadRow], cols: Columns, report: LoadReport) -> None:
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
