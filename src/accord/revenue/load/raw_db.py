"""The session's raw DB-API connection, with the few differences of SQLite and PostgreSQL
the revenue load needs (placeholders, TEMP tables, bulk writes, the unique-key error)."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from accord.core.database import is_sqlite


class RawDb:
    """The raw DB-API connection of the session, with the dialect's few differences."""

    def __init__(self, session: Session) -> None:
        self.raw: Any = session.connection().connection.driver_connection
        self.sqlite = is_sqlite(session)
        self.param = "?" if self.sqlite else "%s"

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        cur = self.raw.cursor()
        cur.execute(sql.replace("?", self.param) if params else sql, params)
        return cur

    def scalar(self, sql: str) -> int:
        return int(self.execute(sql).fetchone()[0] or 0)

    def begin_load(self) -> None:
        """One load at a time on PostgreSQL (the monthly running totals are recomputed
        from what each load sees); SQLite has one writer anyway."""
        if not self.sqlite:
            self.execute("LOCK TABLE revenue_lines IN SHARE ROW EXCLUSIVE MODE")

    def temp_table(self, name: str, columns: str, key: str = "") -> None:
        """A TEMP table; with a key, on SQLite a ``WITHOUT ROWID`` one (one B-tree, read in
        key order: a window over monthly rows then needs no sort, twice as fast)."""
        self.execute(f"DROP TABLE IF EXISTS {name}")
        pk = f", PRIMARY KEY ({key})" if key else ""
        if self.sqlite:
            columns = columns.replace("bigint", "INTEGER").replace("integer", "INTEGER")
            pk += ") WITHOUT ROWID" if key else ")"
        else:
            pk += ")"
        self.execute(f"CREATE TEMP TABLE {name} ({columns}{pk}")

    def write_rows(self, table: str, columns: str, rows: Iterable[tuple[Any, ...]]) -> None:
        """Many rows into a table: ``executemany`` on SQLite, ``COPY`` on PostgreSQL."""
        if self.sqlite:
            marks = ", ".join(["?"] * (columns.count(",") + 1))
            self.raw.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
            return
        with self.raw.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            write = copy.write_row
            for row in rows:
                write(row)

    def write_integers(self, table: str, columns: str, rows: Iterable[tuple[int, ...]],
                       batch: int = 20_000) -> None:
        """Rows of integers only: on PostgreSQL written as ``COPY`` text directly (nothing
        to escape), a third cheaper for the client than a ``write_row`` per row."""
        if self.sqlite:
            self.write_rows(table, columns, rows)
            return
        iterator = iter(rows)
        with self.raw.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            while chunk := list(itertools.islice(iterator, batch)):
                copy.write("".join("\t".join(map(str, row)) + "\n" for row in chunk))

    def conflicts(self) -> tuple[type[Exception], ...]:
        if self.sqlite:
            return (sqlite3.IntegrityError,)
        import psycopg.errors  # here: the driver is only installed for PostgreSQL

        return (psycopg.errors.UniqueViolation,)
