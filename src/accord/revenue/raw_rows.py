"""A CSV's records staged as text into ``rl_in`` (n = file line, a, d, amt, p, l), through
any DB-API connection: the pieces ``staging.py`` (the import's connection) and
``chunk_worker.py`` (a chunk process, which imports only the standard library) share.

``present`` lists the staged columns that the file has, as (short name, field index).
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Iterable, Iterator
from typing import Any

Present = list[tuple[str, int]]


def picked(records: Iterable[list[str]], present: Present) -> Iterator[Any]:
    """Each record padded with NULLs, then the file's fields picked (C-speed ``map``)."""
    width = max(i for _, i in present) + 1
    pad = [None] * width
    getter = operator.itemgetter(*[i for _, i in present])
    return map(getter, map(operator.add, records, itertools.repeat(pad)))


def stage_by_row_id(conn: Any, rows: Iterator[Any], present: Present, first_line: int,
                    step: int, on_step: Callable[[], None] | None = None) -> None:
    """``executemany`` of the picked rows, in steps of ``step``, after a bookmark row
    ``n = first_line - 1``: SQLite then numbers each row with its file line (one record per
    line: the file has no quote)."""
    conn.execute("INSERT INTO rl_in (n) VALUES (?)", (first_line - 1,))
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
    cur.execute(f"DELETE FROM rl_in WHERE n > {int(after)} AND {last} IS NULL AND {empty}")
    cur.execute(f"SELECT count(*) FROM rl_in WHERE n > {int(after)}")
    return int(cur.fetchone()[0])
