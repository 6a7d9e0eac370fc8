"""One at a time: derived-data rebuilds and imports (issue 9, C2-C4).

Derived tables (``kam_revenue``, ``kam_decisions``, the KPI rows) are brought up to date
either by the write that changed their inputs, in its own transaction, or by a *refresh
job*. ``bring_up_to_date`` is the one way to do it:

- in a writing transaction (a POST, a CLI command, an import) the job runs right there,
  after taking the job's lock (``lock``: a transaction-level advisory lock on PostgreSQL; on
  SQLite the writing transaction began IMMEDIATE and is already the only writer);
- in a reader's transaction (a GET request: ``core.database.reading_session``) nothing is
  written: the job runs in its own writing transaction on a worker thread, single-flight in
  this process (a second reader waits for the same run) and across processes (the lock),
  and the reader waits for it (up to ``READER_WAIT_SECONDS``, else 503 "being prepared")
  and then reads with a new snapshot. Each job checks again under its lock whether there is
  still anything to do, so a second run right after the first does nothing.

``exclusive`` keeps a long operation (an import) to one at a time across processes and says
what holds it: a lock file beside a SQLite database (released by the OS if the process
dies), a session-level advisory lock on PostgreSQL (released with its connection).
"""

from __future__ import annotations

import logging
import os
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from accord.core.database import (
    is_busy,
    is_read_only,
    new_snapshot,
    session_factory,
    transaction,
    writer_engine,
)
from accord.core.errors import Conflict, Unavailable

log = logging.getLogger(__name__)

#: how long a reading request waits for a refresh job before answering "being prepared"
READER_WAIT_SECONDS = 60.0
#: the name a job's session carries in ``session.info`` (tests and logs tell jobs apart)
JOB = "accord.job"


class Preparing(Unavailable):
    title = "Being prepared"


class Busy(Conflict):
    """Another holder of an ``exclusive`` operation (an import) is still running."""

    title = "Busy"


class DatabaseBusy(Unavailable):
    """A write waited the whole busy timeout for another writer (SQLite)."""

    title = "Database busy"


def lock_key(name: str) -> int:
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


def lock(session: Session, name: str) -> None:
    """Hold the job's lock until this transaction ends. PostgreSQL: an advisory lock (a
    second rebuild waits here, then finds nothing left to do); SQLite: a writing
    transaction began IMMEDIATE and is the only writer already."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_key(name)})


# ---------------------------------------------------------------- refresh jobs

_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="accord-refresh")
_running: dict[tuple[str, str], Future[None]] = {}
_running_guard = threading.Lock()


def _run_job(engine: Engine, name: str, job: Callable[[Session], None]) -> None:
    with transaction(session_factory(engine)) as session:
        session.info[JOB] = name
        lock(session, name)
        job(session)


def start_job(engine: Engine, name: str, job: Callable[[Session], None]) -> Future[None]:
    """Run ``job`` in its own writing transaction on a worker thread, unless a run of the
    same job on the same database is under way: then that run's future."""
    engine = writer_engine(engine)
    key = (engine.url.render_as_string(hide_password=True), name)
    with _running_guard:
        future = _running.get(key)
        if future is None or future.done():
            future = _pool.submit(_run_job, engine, name, job)
            _running[key] = future
    return future


def bring_up_to_date(
    session: Session, name: str, job: Callable[[Session], None], *,
    wait: float | None = None,
) -> None:
    """Run the refresh ``job`` for this session: inline under the lock when it writes
    anyway, else as a single-flight job the reader waits for (see the module docstring).
    ``job`` must check, under the lock, whether anything is left to do."""
    if not is_read_only(session):
        lock(session, name)
        job(session)
        return
    new_snapshot(session)  # nothing held while waiting; the next read sees the job's work
    bind = session.get_bind()
    future = start_job(bind.engine, name, job)
    try:
        future.result(timeout=READER_WAIT_SECONDS if wait is None else wait)
    except TimeoutError:
        raise Preparing(f"the {name.replace('_', ' ')} figures are being prepared after a "
                        "change; try again in a moment") from None
    except OperationalError as exc:
        if is_busy(exc):
            raise Preparing(f"the {name.replace('_', ' ')} figures are waiting for another "
                            "write (an import?) to finish; try again in a moment") from None
        raise


# ---------------------------------------------------------------- one operation at a time

_held: dict[tuple[str, str], tuple[int, int]] = {}  # key -> (thread id, depth)
_what: dict[tuple[str, str], str] = {}
_locks: dict[tuple[str, str], threading.Lock] = {}
_held_guard = threading.Lock()
POLL_SECONDS = 0.2


def _since() -> str:
    return datetime.now(UTC).strftime("%H:%M:%S UTC")


@contextmanager
def exclusive(
    engine: Engine, name: str, what: str, *, wait: float = 0.0,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold ``name`` (say, "import") on this database for the block, one holder at a time
    across threads and processes (re-entrant for the thread that holds it). A second
    caller waits up to ``wait`` seconds, telling ``on_wait`` once what it waits for, then
    raises ``Busy`` naming the holder."""
    engine = writer_engine(engine)
    key = (engine.url.render_as_string(hide_password=True), name)
    me = threading.get_ident()
    with _held_guard:
        holder = _held.get(key)
        if holder is not None and holder[0] == me:
            _held[key] = (me, holder[1] + 1)
            reentered = True
        else:
            reentered = False
            local = _locks.setdefault(key, threading.Lock())
    if reentered:
        try:
            yield
        finally:
            with _held_guard:
                thread, depth = _held[key]
                _held[key] = (thread, depth - 1)
        return
    description = f"{what} (process {os.getpid()}, since {_since()})"
    deadline = time.monotonic() + wait
    told = False

    def waiting(holder_what: str | None) -> None:
        nonlocal told
        if not told and on_wait is not None:
            on_wait(holder_what or f"another {name}")
        told = True

    def give_up(holder_what: str | None) -> None:
        held_by = holder_what or f"another {name}"
        raise Busy(f"{held_by} is still running; gave up waiting after {wait:g} s. Try again "
                   "when it has finished.")

    if not local.acquire(blocking=False):
        waiting(_what.get(key))
        if not local.acquire(timeout=max(0.0, deadline - time.monotonic())):
            give_up(_what.get(key))
    try:
        with _across_processes(engine, name, description, deadline, waiting, give_up):
            with _held_guard:
                _held[key] = (me, 1)
                _what[key] = description
            try:
                yield
            finally:
                with _held_guard:
                    _held.pop(key, None)
                    _what.pop(key, None)
    finally:
        local.release()


@contextmanager
def _across_processes(
    engine: Engine, name: str, description: str, deadline: float,
    waiting: Callable[[str | None], None], give_up: Callable[[str | None], None],
) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        with _advisory(engine, name, description, deadline, waiting, give_up):
            yield
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield  # one process only
        return
    with _lock_file(Path(f"{database}.{name}.lock"), description, deadline, waiting, give_up):
        yield


@contextmanager
def _lock_file(
    path: Path, description: str, deadline: float,
    waiting: Callable[[str | None], None], give_up: Callable[[str | None], None],
) -> Iterator[None]:
    import fcntl  # here: POSIX only; the lock file is used where it exists

    handle: IO[str] = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the block
    try:
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip() or None
                waiting(holder)
                if time.monotonic() >= deadline:
                    give_up(holder)
                time.sleep(POLL_SECONDS)
        handle.seek(0)
        handle.truncate()
        handle.write(description)
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    finally:
        handle.close()


@contextmanager
def _advisory(
    engine: Engine, name: str, description: str, deadline: float,
    waiting: Callable[[str | None], None], give_up: Callable[[str | None], None],
) -> Iterator[None]:
    """A session-level advisory lock on a connection of its own; the holder's description
    is its connection's ``application_name`` (what waiters read in ``pg_stat_activity``)."""
    key = lock_key(f"exclusive:{name}")
    conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        while not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
            holder = _advisory_holder(conn, key)
            waiting(holder)
            if time.monotonic() >= deadline:
                give_up(holder)
            time.sleep(POLL_SECONDS)
        conn.execute(text("SELECT set_config('application_name', :w, false)"),
                     {"w": description[:63]})
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            conn.execute(text("RESET application_name"))
    finally:
        conn.close()


def _advisory_holder(conn: Any, key: int) -> str | None:
    row = conn.execute(text(
        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = :k"
    ), {"k": key}).first()
    return str(row[0]) if row and row[0] else None
