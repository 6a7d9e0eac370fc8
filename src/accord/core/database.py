"""Engine, sessions, base model. SQLite (WAL) by default, PostgreSQL through psycopg 3."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    DateTime,
    Engine,
    Integer,
    MetaData,
    cast,
    create_engine,
    event,
    func,
    literal,
    type_coerce,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.sql import ColumnElement
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both databases (SQLite stores no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; Accord stores aware UTC datetimes only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


BUSY_TIMEOUT_MS = 10_000
_HOLDS_WRITER = "accord_holds_writer"
_writer_queues: dict[str, threading.Lock] = {}
_writer_queues_guard = threading.Lock()


def _writer_queue(url: str) -> threading.Lock:
    """One lock per SQLite database file in this process, shared by all its engines."""
    with _writer_queues_guard:
        return _writer_queues.setdefault(url, threading.Lock())


def _release_writer(info: dict[str, Any]) -> None:
    held = info.pop(_HOLDS_WRITER, None)
    if held is not None:
        held.release()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)

        # Let SQLAlchemy (not pysqlite) own transactions so SAVEPOINT and BEGIN behave.
        @event.listens_for(engine, "connect")
        def _no_pysqlite_tx(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None

        writers = _writer_queue(url)

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            # a writer takes the write lock up front, waiting up to the busy timeout: a
            # deferred transaction that read first cannot upgrade once another writer has
            # committed, and SQLite then fails at once, ignoring the busy timeout (C1)
            if conn.get_execution_options().get(READ_ONLY):
                conn.exec_driver_sql("BEGIN")
                return
            # the writers of this process queue on a lock first: SQLite's busy handler
            # polls with growing sleeps, so under load a waiting writer can keep losing
            # the lock to newer ones until its timeout; the queue hands it over at once
            if not writers.acquire(timeout=BUSY_TIMEOUT_MS / 1000):
                raise OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError(
                    "database is locked (waited for this process's other writers)"))
            conn.info[_HOLDS_WRITER] = writers
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                _release_writer(conn.info)
                raise

        @event.listens_for(engine, "commit")
        def _commit(conn: Any) -> None:
            if _HOLDS_WRITER in conn.info:  # end it here, then let the next writer in
                try:
                    conn.connection.dbapi_connection.commit()
                finally:
                    _release_writer(conn.info)

        @event.listens_for(engine, "rollback")
        def _rollback(conn: Any) -> None:
            if _HOLDS_WRITER in conn.info:
                try:
                    conn.connection.dbapi_connection.rollback()
                finally:
                    _release_writer(conn.info)

        @event.listens_for(engine, "checkin")
        def _checkin(_dbapi_connection: Any, record: Any) -> None:
            _release_writer(record.info)  # never leave the queue held by a pooled connection

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


#: execution option of a read-only engine (see ``reading``): its transactions begin deferred
READ_ONLY = "accord_read_only"


def read_only_engine(engine: Engine) -> Engine:
    """The same engine (pool, events) whose transactions are marked read-only: on SQLite they
    begin deferred (readers never wait for the writer); every other transaction begins
    IMMEDIATE."""
    if engine.get_execution_options().get(READ_ONLY):
        return engine
    return _read_only_engines(engine)


@lru_cache(maxsize=32)
def _read_only_engines(engine: Engine) -> Engine:
    return engine.execution_options(**{READ_ONLY: True})


def writer_engine(engine: Engine) -> Engine:
    """The writing engine behind a read-only one (itself for a writing engine)."""
    if engine.get_execution_options().get(READ_ONLY):
        return _writer_engines(engine)
    return engine


@lru_cache(maxsize=32)
def _writer_engines(engine: Engine) -> Engine:
    return engine.execution_options(**{READ_ONLY: False})


def is_read_only(session: Session) -> bool:
    """Is this a reader's session (a GET request's): one that must not write?"""
    bind = session.get_bind()
    return bool(bind.get_execution_options().get(READ_ONLY))


def reading_session(factory: sessionmaker[Session]) -> Session:
    """A session that only reads (GET requests, error pages): on SQLite its transactions
    begin deferred and never take the write lock."""
    bind = factory.kw["bind"]
    return factory(bind=read_only_engine(bind))


@contextmanager
def reading(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A read-only unit of work (``transaction``'s counterpart for readers)."""
    session = reading_session(factory)
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def new_snapshot(session: Session) -> None:
    """End a reader's transaction so that its next statement sees what has been committed
    since (SQLite keeps a read transaction's snapshot until it ends). Only for read-only
    sessions, which have nothing to lose."""
    assert is_read_only(session), "only a reader's transaction can be restarted"
    session.commit()


def is_busy(exc: BaseException) -> bool:
    """Did SQLite give up waiting for the write lock (busy timeout)?"""
    return "database is locked" in str(getattr(exc, "orig", exc))


def is_sqlite(engine_or_session: Engine | Session) -> bool:
    bind = (
        engine_or_session.get_bind()
        if isinstance(engine_or_session, Session)
        else engine_or_session
    )
    return bind.dialect.name == "sqlite"


@lru_cache(maxsize=16)
def engine_for(url: str) -> Engine:
    return make_engine(url)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session], *, read_only: bool = False) -> Iterator[Session]:
    """One unit of work: commit on success, roll back everything on any error. Every
    request (``web.deps.get_db``), command (``cli.common.unit_of_work``) and job opens its
    session here. ``read_only``: a reader's session (``reading_session``), whose commit
    only ends its read; otherwise, on SQLite, the transaction begins IMMEDIATE behind this
    process's other writers (``make_engine``)."""
    session = reading_session(factory) if read_only else factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def days_until(session: Session, today: date, column: Any) -> ColumnElement[int]:
    """Whole days from ``today`` to the date ``column`` (negative when it is past), in SQL on
    either database (no database has to add a column of days to a date)."""
    if is_sqlite(session):
        return cast(func.julianday(column) - func.julianday(literal(today.isoformat())),
                    Integer)
    return type_coerce(column - literal(today), Integer)
