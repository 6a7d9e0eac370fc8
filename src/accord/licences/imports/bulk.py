"""Many rows at once, for the tenant imports (100,000 people in seconds): inserts by
``COPY`` on PostgreSQL and one ``executemany`` on SQLite; updates of many rows through a
TEMP table and one ``UPDATE … FROM`` on PostgreSQL, ``executemany`` on SQLite; deletes by
id in chunks. Never a statement per row."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, bindparam, delete, update
from sqlalchemy.orm import Session

from accord.core.database import is_sqlite

CHUNK = 1000
#: below this many rows an update goes by ``executemany`` on PostgreSQL too
SMALL = 500


def _raw(session: Session) -> Any:
    return session.connection().connection.driver_connection


def insert_rows(session: Session, table: Table, columns: Sequence[str],
                rows: Sequence[tuple[Any, ...]], same: Mapping[str, Any] | None = None) -> None:
    """Rows (values in the order of ``columns``, Python values: dates, aware datetimes);
    ``same``: the columns every row shares, with their value (written once as ``COPY``
    text, not per row)."""
    if not rows:
        return
    session.flush()
    shared = dict(same or {})
    names = ", ".join([*columns, *shared])
    if is_sqlite(session):
        marks = ", ".join("?" * (len(columns) + len(shared)))
        values = tuple(shared.values())
        _raw(session).executemany(
            f"INSERT INTO {table.name} ({names}) VALUES ({marks})",
            _converted(session, table, [*columns, *shared],
                       (row + values for row in rows) if values else rows))
        return
    tail = "".join("\t" + _copy_text(value) for value in shared.values()) + "\n"
    with _raw(session).cursor().copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
        for at in range(0, len(rows), COPY_BATCH):
            copy.write("".join(["\t".join(map(_copy_text, row)) + tail
                                for row in rows[at:at + COPY_BATCH]]))


COPY_BATCH = 20_000
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value: str) -> str:
    return value.translate(_ESCAPES)


#: ``COPY`` text by the value's type (the common ones; others below)
_BY_TYPE: dict[type, Callable[[Any], str]] = {
    int: int.__repr__, str: _text, bool: lambda value: "t" if value else "f",
    type(None): lambda _value: "\\N", date: date.isoformat, datetime: datetime.isoformat,
}


def _copy_text(value: Any) -> str:
    """A value as ``COPY`` text: NULL ``\\N``, booleans ``t``/``f``, dates and aware
    datetimes in ISO form, text with its backslashes, tabs and line breaks escaped."""
    found = _BY_TYPE.get(type(value))
    if found is not None:
        return found(value)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def _copy_line(row: Sequence[Any]) -> str:
    return "\t".join(map(_copy_text, row)) + "\n"


def _converters(session: Session, table: Table, columns: Sequence[str]
                ) -> list[Callable[[Any], Any]]:
    """Per column, the SQLite driver's value of a Python value (as SQLAlchemy would bind
    it: dates as text, aware datetimes as UTC text…), remembered per distinct value."""
    dialect = session.get_bind().dialect
    out: list[Callable[[Any], Any]] = []
    for name in columns:
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is None:
            out.append(_same)
            continue
        seen: dict[Any, Any] = {}

        def convert(value: Any, process: Callable[[Any], Any] = process,
                    seen: dict[Any, Any] = seen) -> Any:
            if value is None:
                return None
            found = seen.get(value, _MISSING)
            if found is _MISSING:
                found = seen[value] = process(value)
            return found

        out.append(convert)
    return out


_MISSING = object()


def _converted(session: Session, table: Table, columns: Sequence[str],
               rows: Iterable[Sequence[Any]]) -> Iterator[Sequence[Any]]:
    """The rows with each value as the SQLite driver takes it."""
    convert = [(i, c) for i, c in enumerate(_converters(session, table, columns))
               if c is not _same]
    if not convert:
        yield from rows
        return
    for row in rows:
        values = list(row)
        for i, c in convert:
            values[i] = c(values[i])
        yield values


def _same(value: Any) -> Any:
    return value


def update_rows(session: Session, table: Table, key: Sequence[str], columns: Sequence[str],
                rows: Sequence[tuple[Any, ...]]) -> None:
    """Set ``columns`` of the rows whose ``key`` columns match: each row is the key's values
    then the columns' values."""
    if not rows:
        return
    if is_sqlite(session):
        session.flush()
        sets = ", ".join(f"{c} = ?" for c in columns)
        match = " AND ".join(f"{k} = ?" for k in key)
        order = [*columns, *key]
        position = {name: i for i, name in enumerate([*key, *columns])}
        _raw(session).executemany(
            f"UPDATE {table.name} SET {sets} WHERE {match}",
            _converted(session, table, order, ([row[position[n]] for n in order] for row in rows)))
        return
    if len(rows) < SMALL:
        where = [table.c[k] == bindparam(f"k_{k}") for k in key]
        statement = update(table).where(*where).values(
            {c: bindparam(f"v_{c}") for c in columns})
        names = [f"k_{k}" for k in key] + [f"v_{c}" for c in columns]
        session.connection().execute(statement, [dict(zip(names, row, strict=True))
                                                 for row in rows])
        return
    session.flush()
    raw = _raw(session)
    every = [*key, *columns]
    scratch = f"tmp_{table.name}_set"
    with raw.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {scratch}")
        cur.execute(f"CREATE TEMP TABLE {scratch} AS SELECT {', '.join(every)} "
                    f"FROM {table.name} WITH NO DATA")
        with cur.copy(f"COPY {scratch} ({', '.join(every)}) FROM STDIN") as copy:
            for at in range(0, len(rows), COPY_BATCH):
                copy.write("".join(_copy_line(row) for row in rows[at:at + COPY_BATCH]))
        sets = ", ".join(f"{c} = s.{c}" for c in columns)
        match = " AND ".join(f"t.{k} = s.{k}" for k in key)
        cur.execute(f"UPDATE {table.name} AS t SET {sets} FROM {scratch} AS s WHERE {match}")
        cur.execute(f"DROP TABLE {scratch}")


def delete_ids(session: Session, table: Table, ids: Iterable[int]) -> None:
    iterator = iter(ids)
    while chunk := list(itertools.islice(iterator, CHUNK)):
        session.execute(delete(table).where(table.c.id.in_(chunk)))
