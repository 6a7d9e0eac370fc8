"""Loading an archive's tables into a database whose schema is at the archive's revision.

In foreign-key order, in the caller's transaction: COPY on PostgreSQL, executemany on SQLite
(foreign keys checked at commit there). A forward reference (``teams.head_id``) is loaded NULL
and set once its table is loaded; rows that triggers write into tables loaded earlier (the
KPI queue, ``kpi_group_changes``) are replaced by the archive's; PostgreSQL's sequences go on
after the largest loaded id.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from typing import IO, Any

from sqlalchemy import Connection, bindparam, delete, func, select, text, update

from accord.backup.archive import ArchiveError, Manifest, TableEntry, line_decoder, lines
from accord.backup.tables import TableShape

#: (phase, table, rows done, rows in the table): "backup", "verify" or "load"
Progress = Callable[[str, str, int, int], None]

BATCH = 5000


class LoadFailed(Exception):
    """The loaded tables do not hold what the archive holds."""


def load(
    conn: Connection,
    archive: zipfile.ZipFile,
    manifest: Manifest,
    order: list[TableShape],
    on_progress: Progress,
) -> None:
    """Every table of the archive into the (empty) tables of ``order``."""
    if conn.dialect.name == "sqlite":  # cycles and self-references are checked at commit
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    entries = {t.name: t for t in manifest.tables}
    _check_tables(order, entries, manifest.schema_revision)
    for shape in reversed(order):  # the defaults the migrations wrote, children first
        if count(conn, shape):
            conn.execute(delete(shape.table))
    forward: list[tuple[TableShape, list[dict[str, Any]]]] = []
    for shape in order:
        if count(conn, shape):  # rows the triggers of tables loaded before wrote
            conn.execute(delete(shape.table))
        later = _copy_in(conn, archive, shape, entries[shape.name], on_progress, keep_forward=False)
        forward.append((shape, later))
        _advance_sequence(conn, shape)
    for shape, later in forward:  # references to tables loaded after
        if later:
            keys = {f"k_{c}": c for c in shape.primary_key}
            statement = (
                update(shape.table)
                .where(*[shape.table.c[c] == bindparam(k) for k, c in keys.items()])
                .values({c: bindparam(f"v_{c}") for c in shape.forward})
            )
            conn.execute(statement, later)
    for shape in order:  # a queue filled by triggers of tables loaded after it is loaded again
        entry = entries[shape.name]
        if (rows := count(conn, shape)) != entry.rows:
            conn.execute(delete(shape.table))
            _copy_in(conn, archive, shape, entry, on_progress, keep_forward=True)
            _advance_sequence(conn, shape)
            rows = count(conn, shape)
        if rows != entry.rows:
            raise LoadFailed(
                f"{shape.name} holds {rows} rows after loading, the archive {entry.rows}"
            )


def _check_tables(order: list[TableShape], entries: dict[str, TableEntry], revision: str) -> None:
    names = {s.name for s in order}
    for name in sorted(names ^ set(entries)):
        where = "the archive lacks" if name in names else "the schema lacks"
        raise ArchiveError(f"{where} table {name} (schema revision {revision})")
    for shape in order:
        if set(shape.columns) != set(entries[shape.name].column_names):
            raise ArchiveError(f"table {shape.name}: the columns differ from the schema's")


def count(conn: Connection, shape: TableShape) -> int:
    return int(conn.scalar(select(func.count()).select_from(shape.table)) or 0)


def _copy_in(
    conn: Connection,
    archive: zipfile.ZipFile,
    shape: TableShape,
    entry: TableEntry,
    on_progress: Progress,
    *,
    keep_forward: bool,
) -> list[dict[str, Any]]:
    """Load one member; without ``keep_forward`` the forward references are left NULL and
    returned (primary key and value) to be set once their tables are loaded."""
    names, kinds = entry.column_names, entry.kinds
    held = [] if keep_forward else [names.index(c) for c in shape.forward]
    keys = [names.index(c) for c in shape.primary_key]
    later: list[dict[str, Any]] = []

    decode = line_decoder(kinds, as_text=conn.dialect.name == "postgresql")

    def rows(stream: IO[bytes]) -> Iterator[tuple[Any, ...]]:
        for done, line in enumerate(lines(stream), 1):
            row = decode(line)
            if held and any(row[i] is not None for i in held):
                later.append(
                    {f"k_{names[i]}": row[i] for i in keys}
                    | {f"v_{names[i]}": row[i] for i in held}
                )
                row = tuple(None if i in held else v for i, v in enumerate(row))
            if done % BATCH == 0:
                on_progress("load", entry.name, done, entry.rows)
            yield row

    with archive.open(entry.member) as stream:
        if conn.dialect.name == "postgresql":
            _copy_postgres(conn, shape.name, names, rows(stream))
        else:
            _insert_sqlite(conn, shape, names, rows(stream))
    on_progress("load", entry.name, entry.rows, entry.rows)
    return later


def _insert_sqlite(
    conn: Connection, shape: TableShape, names: list[str], rows: Iterator[tuple[Any, ...]]
) -> None:
    """executemany straight on the driver, each value stored as the models' type stores it."""
    table = shape.insert_table()
    convert = [
        (i, process)
        for i, name in enumerate(names)
        if (process := _bind_processor(table.c[name].type, conn.dialect)) is not None
    ]
    quoted = ", ".join(f'"{c}"' for c in names)
    sql = f'INSERT INTO "{shape.name}" ({quoted}) VALUES ({", ".join("?" * len(names))})'
    batch: list[Any] = []
    for row in rows:
        if convert:
            values = list(row)
            for i, process in convert:
                if values[i] is not None:
                    values[i] = process(values[i])
            batch.append(tuple(values))
        else:
            batch.append(row)
        if len(batch) == BATCH:
            conn.exec_driver_sql(sql, batch)
            batch = []
    if batch:
        conn.exec_driver_sql(sql, batch)


def _bind_processor(type_: Any, dialect: Any) -> Any:
    """How SQLAlchemy turns a value of this type into what this database stores."""
    return type_.dialect_impl(dialect).bind_processor(dialect)


def _copy_postgres(
    conn: Connection, table: str, columns: list[str], rows: Iterator[tuple[Any, ...]]
) -> None:
    quoted = ", ".join(f'"{c}"' for c in columns)
    raw: Any = conn.connection.dbapi_connection
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)


def _advance_sequence(conn: Connection, shape: TableShape) -> None:
    """PostgreSQL: the id sequence goes on after the largest loaded id."""
    if conn.dialect.name != "postgresql" or len(shape.primary_key) != 1:
        return
    column = shape.primary_key[0]
    sequence = conn.scalar(
        text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": shape.name, "c": column}
    )
    if sequence:
        conn.execute(
            text(
                f'SELECT setval(:s, COALESCE(MAX("{column}"), 1), MAX("{column}") IS NOT NULL) '
                f'FROM "{shape.name}"'
            ),
            {"s": sequence},
        )
