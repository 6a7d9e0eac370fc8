"""One chunk of a large revenue file, staged and checked in its own process (``pipeline.py``).

Run as ``python -m accord.revenue.load.chunk_worker JOB.json`` (or with the JSON job on
standard input); prints a JSON result. Only the standard library is imported (with
``shaping.py``, ``rows.py``, ``raw_rows.py`` and ``revenue/rules.py``, which import nothing
else), so the process starts in a few
milliseconds; the SQL comes from the parent (``checks.py`` writes it), so the rules live in
one place. A separate process, not a thread: two threads using SQLite at once were both
about half as fast (SQLite's allocator takes one lock for the whole process, and Python's
interpreter lock is taken for every staged row).

The job: ``file``, the byte range ``start``/``end`` (both at the start of a line),
``first_line`` (the file line at ``start``), ``index`` (field name -> column), ``columns``
(``[staged column, field index]``), ``database`` and ``lookups`` (paths), ``sql`` (``quick``,
``convert``, ``loaded``, ``convert_trimmed``). The chunk database gets ``ready`` (valid rows
summed per key) and ``delta`` (their monthly change): first by the quick path (every row
vouched for in Python by ``shaping.py``); at the first row it cannot vouch for, by staging
the chunk into ``rl_in`` (``line_no`` = file line) and checking it in SQL, which also leaves
``rl_loaded`` (the rows of the first, untrimmed pass) for the report.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from accord.revenue.load.raw_rows import RL_IN, drop_blank_lines, picked, stage_by_row_id
from accord.revenue.load.rows import GiveUp
from accord.revenue.load.shaping import shaped_batches

STEP = 50_000
GROUP = 50  # rows per INSERT on the quick path
BLOCK = 4 << 20
COLUMNS = ("account_id INTEGER, line_key TEXT, date TEXT, month INTEGER, amount_cents INTEGER, "
           "product_line TEXT, line_id TEXT, lines INTEGER")
#: the staged path's rows, keyed: a key repeated in the chunk is summed as it goes in
READY = f"CREATE TABLE ready ({COLUMNS}, PRIMARY KEY (account_id, line_key)) WITHOUT ROWID"
#: the quick path's rows, as they come (appending is three times cheaper than a keyed
#: insert); a key repeated in the chunk then fails the loader's insert, which merges
READY_AS_THEY_COME = f"CREATE TABLE ready ({COLUMNS})"


def _records(path: str, start: int, end: int) -> Iterator[list[str]]:
    """The CSV records of bytes [start, end) of the file (both at a line start), read in
    blocks of about 4 MB cut at line ends (memory stays flat, per-line work stays in C)."""
    with open(path, "rb") as raw:
        raw.seek(start)
        left = end - start
        while left > 0:
            block = raw.read(min(BLOCK, left))
            if not block:
                break
            if len(block) < left and not block.endswith(b"\n"):
                block += raw.readline()  # ends at a line start: never past ``end``
            left -= len(block)
            yield from csv.reader(io.StringIO(block.decode("utf-8"), newline=""))


def _connect(job: dict[str, Any]) -> sqlite3.Connection:
    conn = sqlite3.connect(job["database"], isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-65536")
    conn.execute("ATTACH ? AS lk", (job["lookups"],))
    return conn


def _finish(conn: sqlite3.Connection, rows: int, loaded: int) -> dict[str, int]:
    conn.execute("CREATE TABLE delta AS SELECT account_id, month, sum(amount_cents) AS "
                 "amount_cents, count(*) AS line_count FROM ready GROUP BY account_id, month")
    keys = int(conn.execute("SELECT count(*) FROM ready").fetchone()[0])
    conn.execute("COMMIT")
    conn.close()
    return {"rows": rows, "loaded": loaded, "keys": keys}


def quick(job: dict[str, Any]) -> dict[str, int] | None:
    """Every row vouched for in Python and written straight into ``ready``; None at the
    first row it cannot vouch for (nothing is kept)."""
    conn = _connect(job)
    accounts = dict(conn.execute("SELECT external_id, account_id FROM lk.rl_acc").fetchall())
    conn.execute(READY_AS_THEY_COME)
    conn.execute("BEGIN")
    records = _records(job["file"], int(job["start"]), int(job["end"]))
    head, one = job["sql"]["quick"].split(" VALUES ")
    rest: list[Any] = []

    def groups() -> Iterator[tuple[Any, ...]]:
        """GROUP rows per statement (a third cheaper than a statement per row)."""
        for group in shaped_batches(records, job["index"], accounts, GROUP):
            if len(group) < GROUP:  # the last one
                rest.extend(group)
            else:
                yield tuple(itertools.chain.from_iterable(group))

    try:
        conn.executemany(f"{head} VALUES {', '.join([one] * GROUP)}", groups())
        conn.executemany(job["sql"]["quick"], rest)
    except GiveUp:
        conn.execute("ROLLBACK")
        conn.close()
        return None
    count = int(conn.execute("SELECT count(*) FROM ready").fetchone()[0])
    return _finish(conn, count, count)


def staged(job: dict[str, Any]) -> dict[str, int]:
    """The chunk staged into ``rl_in`` and checked and converted in SQL."""
    present = [(str(short), int(index)) for short, index in job["columns"]]
    records = _records(job["file"], int(job["start"]), int(job["end"]))
    first = int(job["first_line"])
    conn = _connect(job)
    conn.execute(f"CREATE TABLE rl_in ({RL_IN.format(key='INTEGER PRIMARY KEY')})")
    conn.execute("BEGIN")
    stage_by_row_id(conn, picked(records, present), present, first, STEP)
    count = drop_blank_lines(conn, present, after=first - 1)
    conn.execute("DELETE FROM rl_in WHERE line_no = ?", (first - 1,))  # the bookmark

    sql = job["sql"]
    conn.execute(READY)
    loaded = conn.execute(sql["convert"]).rowcount
    if loaded < count:  # spaces around values, or bad rows: the trimmed pass
        conn.execute("CREATE TABLE rl_loaded (line_no INTEGER PRIMARY KEY)")
        conn.execute(f"INSERT INTO rl_loaded {sql['loaded']}")
        loaded += conn.execute(sql["convert_trimmed"]).rowcount
    return _finish(conn, count, int(loaded))


def run(job: dict[str, Any]) -> dict[str, int]:
    """The quick path, else the chunk staged and checked in SQL (every row reported)."""
    if (done := quick(job)) is not None:
        return done
    Path(job["database"]).unlink()
    return staged(job)


def main() -> None:
    try:
        if len(sys.argv) > 1:
            with open(sys.argv[1], encoding="utf-8") as order:
                job = json.load(order)
        else:
            job = json.load(sys.stdin)
        result = run(job)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}))
        sys.exit(1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
