"""Revenue files staged in the database and checked in SQL: the ``staged`` route, the one
that takes any file and reports every bad row.

A revenue file is copied as text, untouched, into a TEMP staging table; the database then
does the rest in a few set-based statements: look up the account, check the date and the
amount, compute month, cents and line key, and feed the valid rows to the upsert of
:mod:`accord.revenue.load.bulk`. Python never touches a row one by one when the bytes can
be copied:

- SQLite: ``executemany`` over ``csv.reader`` through ``operator.itemgetter`` (all in C);
  the staging row id *is* the file line, because the fast path is only taken for files
  without a double quote (one record per line);
- PostgreSQL: the file's bytes go straight into ``COPY ... (FORMAT csv)``; line = n + 1,
  checked against the file's line count.

Anything else (quoted fields, blank lines or short rows PostgreSQL's COPY refuses, Excel
workbooks, unseekable streams) is staged by a Python loop that records each row's line,
then checked by the very same SQL, so both paths give the same report.

Rules (``parse_cents`` in ``revenue/rules.py`` is the same rule in Python, and a property
test holds the SQL to it): values are trimmed of surrounding spaces; a date is ``YYYY-MM-DD``,
a real day between the years 1 and 9999; an amount is ``-?digits[.d or .dd]`` with at most
15 digits before the point; product line and line id are at most 100 characters.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import IO, Any

from sqlalchemy.orm import Session

from accord.core.database import is_sqlite
from accord.revenue.load.raw_rows import (
    RL_IN,
    STAGED_COLUMNS,
    Present,
    drop_blank_lines,
    picked,
    present_columns,
    stage_by_row_id,
)
from accord.revenue.load.readers import Table
from accord.revenue.load.rows import Columns, GiveUp

CHUNK = 50_000  # rows per executemany / progress step
BLOCK = 1 << 20  # bytes per COPY write


def stage(
    session: Session, table: Table, cols: Columns, on_progress: Callable[[], None], *,
    one_record_per_line: bool, chunk: int = CHUNK,
) -> int:
    """Copy the table's rows into the TEMP table ``rl_in`` (``line_no`` = file line, then
    the staged values: ``raw_rows.STAGED``; a column the file lacks stays NULL; values as
    written, spaces included). ``one_record_per_line``: the probe found the table's bytes
    readable and free of double quotes, so they can be copied as they are."""
    conn: Any = session.connection().connection.driver_connection
    present = present_columns(cols.index)
    raw = table.raw
    if is_sqlite(session):
        _create(conn, "INTEGER PRIMARY KEY")
        if one_record_per_line:
            return _sqlite_fast(conn, table, present, on_progress, chunk)
        return _python(conn, table, present, on_progress, chunk, sqlite=True)
    _create(conn, "bigint")
    if one_record_per_line and raw is not None and table.restart is not None:
        cur = conn.cursor()
        cur.execute("SAVEPOINT rl_stage")
        try:
            rows = _postgres_fast(conn, table, raw, present, on_progress)
        except GiveUp:
            cur.execute("ROLLBACK TO SAVEPOINT rl_stage")
        else:
            cur.execute("RELEASE SAVEPOINT rl_stage")
            return rows
        _create(conn, "bigint")
        table = table.restart()
    return _python(conn, table, present, on_progress, chunk, sqlite=False)


def drop(session: Session) -> None:
    session.connection().exec_driver_sql("DROP TABLE IF EXISTS rl_in")


def _create(conn: Any, key: str) -> None:
    cur = conn.cursor()
    cur.execute("DROP TABLE IF EXISTS rl_in")
    cur.execute(f"CREATE TEMP TABLE rl_in ({RL_IN.format(key=key)})")


def seekable(raw: IO[bytes]) -> bool:
    try:
        return bool(raw.seekable())
    except (AttributeError, ValueError):
        return False


def _sqlite_fast(conn: Any, table: Table, present: Present,
                 on_progress: Callable[[], None], chunk: int) -> int:
    """One record per line: the row id SQLite gives each row is its file line (the header
    is line 1, held by a bookmark row that the checks skip)."""
    stage_by_row_id(conn, picked(table.rows, present), present, 2, chunk, on_progress)
    return drop_blank_lines(conn, present, after=1)


def _python(conn: Any, table: Table, present: Present,
            on_progress: Callable[[], None], chunk: int, *, sqlite: bool) -> int:
    """Any table: each row with the line the reader reports for it."""
    line = table.line
    values_of = picked(table.rows, present)
    if len(present) == 1:
        values_of = ((v,) for v in values_of)

    def numbered() -> Iterator[tuple[Any, ...]]:
        for values in values_of:
            yield (line(), *values)

    rows = numbered()
    names = ", ".join(["line_no"] + [s for s, _ in present])
    cur = conn.cursor()
    cur.execute("INSERT INTO rl_in (line_no) VALUES (1)")
    if sqlite:
        insert = f"INSERT INTO rl_in ({names}) VALUES ({', '.join('?' * (len(present) + 1))})"
        while batch := list(itertools.islice(rows, chunk)):
            conn.executemany(insert, batch)
            on_progress()
        return drop_blank_lines(conn, present, after=1)
    with cur.copy(f"COPY rl_in ({names}) FROM STDIN") as copy:
        for count, row in enumerate(rows, 1):
            copy.write_row(row)
            if count % chunk == 0:
                on_progress()
    on_progress()
    return drop_blank_lines(conn, present, after=1)


def _postgres_fast(conn: Any, table: Table, raw: IO[bytes], present: Present,
                   on_progress: Callable[[], None]) -> int:
    """The file's bytes into COPY, rows numbered 2, 3, ... in file order; then the columns
    are renamed into ``rl_in``'s shape (catalog changes only, no data rewritten)."""
    import psycopg.errors  # here: the driver is only installed for PostgreSQL

    width = len(table.header)
    cur = conn.cursor()
    cur.execute("DROP TABLE IF EXISTS rl_in")
    cols = ", ".join(f"c{i} text" for i in range(width))
    cur.execute(f"CREATE TEMP TABLE rl_in ({cols}, "
                "line_no bigint GENERATED ALWAYS AS IDENTITY (START WITH 2))")
    raw.seek(0)
    lines = 0
    last = b"\n"
    copy_sql = (f"COPY rl_in ({', '.join(f'c{i}' for i in range(width))}) "
                "FROM STDIN (FORMAT csv, HEADER true)")
    try:
        with cur.copy(copy_sql) as copy:
            while block := raw.read(BLOCK):
                if b'"' in block:
                    raise GiveUp("a double quote: a record may span lines")
                lines += block.count(b"\n")
                last = block[-1:]
                copy.write(block)
                on_progress()
    except psycopg.errors.DataError:  # ragged rows, blank lines, bad bytes: the slow path
        raise GiveUp("COPY refused the bytes") from None
    if last != b"\n":
        lines += 1
    cur.execute("SELECT count(*), coalesce(max(line_no), 1) FROM rl_in")
    count, top = cur.fetchone()
    if top != lines or count != lines - 1:  # anything that breaks "one record per line"
        raise GiveUp("not one record per line")
    keep = {i: short for short, i in present}
    for i in range(width):
        if i in keep:
            cur.execute(f"ALTER TABLE rl_in RENAME COLUMN c{i} TO {keep[i]}")
        else:
            cur.execute(f"ALTER TABLE rl_in DROP COLUMN c{i}")
    for name in STAGED_COLUMNS:
        if name not in keep.values():
            cur.execute(f"ALTER TABLE rl_in ADD COLUMN {name} text")
    return int(count)
