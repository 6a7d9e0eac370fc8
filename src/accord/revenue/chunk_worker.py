"""One chunk of a large revenue file, staged and checked in its own process (``pipeline.py``).

Run as ``python -m accord.revenue.chunk_worker`` with a JSON job on standard input; prints
a JSON result. Only the standard library is imported, so the process starts in a few
milliseconds; the SQL comes from the parent (``checks.py`` writes it), so the rules live in
one place. A separate process, not a thread: two threads using SQLite at once were both
about half as fast (SQLite's allocator takes one lock for the whole process, and Python's
interpreter lock is taken for every staged row).

The job: ``file``, the byte range ``start``/``end`` (both at the start of a line),
``first_line`` (the file line at ``start``), ``columns`` (``[short name, field index]``),
``database`` and ``lookups`` (paths), ``sql`` (``convert``, ``loaded``, ``convert_trimmed``).
The chunk database gets ``rl_in`` (n = file line), ``ready`` (valid rows summed per key,
in key order), ``delta`` (their monthly change) and, when a row failed the first pass,
``rl_loaded``.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import operator
import sqlite3
import sys
from collections.abc import Iterator
from typing import Any

STEP = 50_000
BLOCK = 4 << 20


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


def run(job: dict[str, Any]) -> dict[str, int]:
    present = [(str(short), int(index)) for short, index in job["columns"]]
    names = [short for short, _ in present]
    width = max(index for _, index in present) + 1
    pad = [None] * width
    pick = operator.itemgetter(*[index for _, index in present])
    records = _records(job["file"], int(job["start"]), int(job["end"]))
    rows: Iterator[Any] = map(pick, map(operator.add, records, itertools.repeat(pad)))
    if len(present) == 1:
        rows = ((value,) for value in rows)
    first = int(job["first_line"])

    conn = sqlite3.connect(job["database"], isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-65536")
    conn.execute("ATTACH ? AS lk", (job["lookups"],))
    conn.execute("CREATE TABLE rl_in (n INTEGER PRIMARY KEY, a, d, amt, p, l)")
    conn.execute("BEGIN")
    conn.execute("INSERT INTO rl_in (n) VALUES (?)", (first - 1,))  # bookmark: row id = line
    insert = f"INSERT INTO rl_in ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    while True:
        before = conn.total_changes
        conn.executemany(insert, itertools.islice(rows, STEP))
        if conn.total_changes - before < STEP:
            break
    last = int(conn.execute("SELECT max(n) FROM rl_in").fetchone()[0])
    conn.execute("DELETE FROM rl_in WHERE n = ?", (first - 1,))
    # blank lines: short records with nothing but spaces (the last field is then NULL)
    last_field = max(present, key=lambda p: p[1])[0]
    blank = " AND ".join(f"coalesce(trim({s}), '') = ''" for s in names)
    conn.execute(f"DELETE FROM rl_in WHERE {last_field} IS NULL AND {blank}")
    staged = int(conn.execute("SELECT count(*) FROM rl_in").fetchone()[0])

    sql = job["sql"]
    conn.execute("CREATE TABLE ready (account_id INTEGER, line_key TEXT, date TEXT, "
                 "month INTEGER, amount_cents INTEGER, product_line TEXT, line_id TEXT, "
                 "lines INTEGER, PRIMARY KEY (account_id, line_key)) WITHOUT ROWID")
    loaded = conn.execute(sql["convert"]).rowcount
    if loaded < staged:  # spaces around values, or bad rows: the trimmed pass
        conn.execute("CREATE TABLE rl_loaded (n INTEGER PRIMARY KEY)")
        conn.execute(f"INSERT INTO rl_loaded {sql['loaded']}")
        loaded += conn.execute(sql["convert_trimmed"]).rowcount
    conn.execute("CREATE TABLE delta AS SELECT account_id, month, sum(amount_cents) AS "
                 "amount_cents, count(*) AS line_count FROM ready GROUP BY account_id, month")
    keys = int(conn.execute("SELECT count(*) FROM ready").fetchone()[0])
    conn.execute("COMMIT")
    conn.close()
    return {"rows": staged, "loaded": int(loaded), "keys": keys, "last_line": last}


def main() -> None:
    try:
        result = run(json.load(sys.stdin))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}))
        sys.exit(1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
