"""A CSV's records staged as text into ``rl_in`` (``line_no``, the file line, then one text
column per field: see :data:`STAGED`), through any DB-API connection: the pieces
``staging.py`` (the import's connection) and ``chunk_worker.py`` (a chunk process, which
imports only the standard library) share.

``present`` lists the staged columns that the file has, as (column name, field index).
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Iterable, Iterator
from typing import Any

Present = list[tuple[str, int]]
#: each field of a revenue file and its staged column in ``rl_in`` (values as written)
STAGED = (("account_external_id", "account_ref"), ("date", "date_text"),
          ("amount", "amount_text"), ("product_line", "product_line"), ("line_id", "line_id"))
STAGED_COLUMNS = tuple(column for _, column in STAGED)
#: ``rl_in``'s columns: the file line, then the staged values (all text)
RL_IN = "line_no {key}, " + ", ".join(f"{c} text" for c in STAGED_COLUMNS)


def present_columns(index: dict[str, int]) -> Present:
    """(staged column, field index) of each field the file has (``index``: field ->
    column of the record, from the column map)."""
    return [(column, index[f]) for f, column in STAGED if f in index]


def picked(records: Iterable[list[str]], present: Present) -> Iterator[Any]:
    """Each record padded with NULLs, then the file's fields picked (C-speed ``map``)."""
    width = max(i for _, i in present) + 1
    pad = [None] * width
    getter = operator.itemgetter(*[i for _, i in present])
    return map(getter, map(operator.add, records, itertools.repeat(pad)))


def stage_by_row_id(conn: Any, rows: Iterator[Any], present: Present, first_line: int,
                    step: int, on_step: Callable[[], None] | None = None) -> None:
    """``executemany`` of the picked rows, in steps of ``step``, after a bookmark row
    ``line_no = first_line - 1``: SQLite then numbers each row with its file line (one
    record per line: the file has no quote)."""
    conn.execute("INSERT INTO rl_in (line_no) VALUES (?)", (first_line - 1,))
    names = [s for s, _ in present]
    insert = f"INSERT INTO rl_in ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    while True:
        before = conn.total_changes
        conn.executemany(insert, itertools.islice(rows, step))
        if on_step:
            on_step()
        if conn.total_changes - before < step:
            break


def drop_blank_lines(conn: Any, present: Present, after: int) -> int:
    """Delete the blank lines staged after line ``after`` (short records with nothing but
    spaces: the field furthest right is then NULL); the number of rows left after it."""
    empty = " AND ".join(f"coalesce(trim({s}), '') = ''" for s, _ in present)
    last = max(present, key=lambda p: p[1])[0]
    cur = conn.cursor()
    cur.execute(f"DELETE FROM rl_in WHERE line_no > {int(after)} AND {last} IS NULL "
                f"AND {empty}")
    cur.execute(f"SELECT count(*) FROM rl_in WHERE line_no > {int(after)}")
    return int(cur.fetchone()[0])
